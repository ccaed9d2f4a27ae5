"""The file on disk is not readable as an image without the key."""

from __future__ import annotations

import base64
import secrets

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from accounts.documents import DocumentUnreadable, cipher_forget, document_path, document_read
from accounts.models import IdentityDocument

from .conftest import JPEG_SIGNATURE, PNG_SIGNATURE, png_bytes


@pytest.fixture
def selfie(advanced_pending) -> IdentityDocument:
    return advanced_pending.documents.get(kind=IdentityDocument.Kind.SELFIE)


def test_the_file_on_disk_is_not_an_image(selfie):
    original = png_bytes(seed=3)
    on_disk = document_path(selfie).read_bytes()

    assert not on_disk.startswith(PNG_SIGNATURE)
    assert not on_disk.startswith(JPEG_SIGNATURE)
    assert original not in on_disk
    assert original[16:48] not in on_disk  # not even a slice of the pixels


def test_the_configured_key_opens_it(selfie):
    on_disk = document_path(selfie).read_bytes()
    key = settings.DOCUMENT_ENCRYPTION_KEYS[0]

    assert Fernet(key).decrypt(on_disk) == png_bytes(seed=3)
    assert document_read(selfie) == png_bytes(seed=3)


def test_a_wrong_key_does_not(selfie, settings):
    on_disk = document_path(selfie).read_bytes()
    wrong = base64.urlsafe_b64encode(secrets.token_bytes(32))

    with pytest.raises(InvalidToken):
        Fernet(wrong).decrypt(on_disk)

    settings.DOCUMENT_ENCRYPTION_KEYS = [wrong.decode()]
    cipher_forget()
    try:
        with pytest.raises(DocumentUnreadable):
            document_read(selfie)
    finally:
        cipher_forget()


def test_no_file_name_tells_what_it_is(selfie):
    path = document_path(selfie)

    assert path.suffix == ""
    assert "selfie" not in path.name
    assert path.parent.name == "identity"
