"""Decompression bombs as ticket attachments: refused from the header, on every way in,
with the reason on the form, and nothing saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.images import gif, png_bomb, webp_extended
from tickets.models import Ticket, TicketAttachment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]


def bomb(name: str = "screenshot.png", data: bytes | None = None) -> SimpleUploadedFile:
    """The issue's file: a valid 20000 × 20000 PNG of some 50 KB, named like a screenshot."""
    return SimpleUploadedFile(name, data or png_bomb(), content_type="image/png")


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_a_new_request_with_a_decompression_bomb_is_refused(
    client, customer, withdrawal_values, png_file, private_media
):
    # given
    client.force_login(customer)
    form = {"type": "withdrawal-problem", "subject": "Where is it", "body": "Look at this."}
    # when
    response = client.post(
        reverse("tickets:new"),
        {**form, **withdrawal_values(customer), "files": [png_file("fine.png"), bomb()]},
    )
    # then
    assert response.status_code == 400
    assert (
        "screenshot.png is too large a picture (20000 × 20000 pixels). Send one of at most "
        "60 megapixels and 30000 pixels a side."
    ) in response.content.decode()
    assert Ticket.objects.count() == 0 and files_in(private_media) == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("frames.gif", gif(16, 16, frame=(20_000, 20_000))),
        ("canvas.webp", webp_extended(16_000, 16_000)),
    ],
    ids=["gif-frame", "webp-canvas"],
)
def test_a_reply_with_a_bomb_is_refused_in_the_customers_language(
    client, user_factory, ticket_factory, name, data
):
    # given
    customer = user_factory(email="wang@example.test", language="zh-hans")
    ticket = ticket_factory(customer)
    client.force_login(customer)
    # when
    response = client.post(
        reverse("tickets:reply", args=[ticket.number]),
        {"body": "截图在这里", "files": [bomb(name, data)]},
    )
    # then
    assert response.status_code == 400
    assert f"{name} 图片尺寸过大" in response.content.decode()
    assert TicketAttachment.objects.count() == 0
    assert not ticket.messages.filter(body="截图在这里").exists()


def test_the_api_refuses_a_bomb_on_the_files_field(customer, ticket_factory):
    # given
    ticket = ticket_factory(customer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=customer)[1]}")
    # when
    response = api.post(
        f"/api/v1/tickets/{ticket.number}/reply",
        {"body": "Here.", "files": [bomb()]},
        format="multipart",
    )
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "bad_attachment"
    assert response.json()["extra"] == {"field": "files"}
    assert TicketAttachment.objects.count() == 0


def test_a_real_screenshot_is_still_accepted(client, customer, ticket_factory, png_file):
    # given
    ticket = ticket_factory(customer)
    client.force_login(customer)
    # when
    response = client.post(
        reverse("tickets:reply", args=[ticket.number]), {"body": "Here.", "files": [png_file()]}
    )
    # then
    assert response.status_code == 302
    assert TicketAttachment.objects.get().content_type == "image/png"
