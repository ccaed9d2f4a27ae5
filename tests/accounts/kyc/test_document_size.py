"""Decompression bombs as KYC documents: reviewers' browsers show these inline, so an image
declaring more pixels than an ID photo needs is refused on the form, before it is stored."""

from __future__ import annotations

import pytest

from accounts.models import IdentityDocument, KycSubmission
from tests.images import jpeg_header, png_bomb

from .conftest import advanced_files, upload

pytestmark = pytest.mark.django_db
URL = "/account/verification/"


def test_a_decompression_bomb_as_an_id_document_is_refused_on_its_field(
    verified_basic, customer, client_for, private_media
):
    # given: a valid 20000 × 20000 PNG of some 50 KB
    files = {**advanced_files(), "id_front": upload("front.png", png_bomb())}
    # when
    response = client_for(customer).post(URL, {"level": "2", **files})
    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert "front.png is too large a picture (20000 × 20000 pixels)." in page
    assert not KycSubmission.objects.filter(level=2).exists()
    assert not IdentityDocument.objects.filter(submission__level=2).exists()


def test_a_bomb_selfie_is_refused_in_chinese(verified_basic, customer, client_for):
    # given: a JPEG whose frame header declares 20000 × 20000
    customer.language = "zh-hans"
    customer.save(update_fields=["language"])
    files = {
        **advanced_files(),
        "selfie": upload("me.jpg", jpeg_header(20_000, 20_000), "image/jpeg"),
    }
    # when
    response = client_for(customer).post(URL, {"level": "2", **files})
    # then
    assert response.status_code == 400
    assert "me.jpg 图片尺寸过大（20000 × 20000 像素）" in response.content.decode()
    assert not KycSubmission.objects.filter(level=2).exists()
