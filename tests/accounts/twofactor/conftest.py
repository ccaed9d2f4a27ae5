"""People, documents and helpers for the two-factor tests."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

import pyotp
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Role, User
from accounts.services import user_role_grant

PASSWORD = "correct-horse-battery-staple"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# A real 1×1 PNG.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00\xff"))
    + _png_chunk(b"IEND", b"")
)


def make_person(email: str, *, role: Role | None = None, staff: bool = False) -> User:
    """A user allauth lets in: password set, email verified."""
    user = User.objects.create_user(email, PASSWORD, is_staff=staff)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role is not None:
        user_role_grant(user=user, role=role)
        user.refresh_from_db()
    return user


def give_totp(user: User) -> pyotp.TOTP:
    """Activate TOTP through allauth's API; returns an independent authenticator for it."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return pyotp.TOTP(secret)


def selfie(content: bytes = PNG_BYTES, name: str = "selfie.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def password_step(client: Client, user: User, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": user.email, "password": password})


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Selfies land in the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def person(db) -> User:
    return make_person("lin@example.test")


@pytest.fixture
def person_with_totp(person) -> tuple[User, pyotp.TOTP]:
    return person, give_totp(person)


@pytest.fixture
def reviewer(db) -> User:
    return make_person("reviewer@example.test", role=Role.SECURITY_REVIEWER)


@pytest.fixture
def sign_in_with_code() -> Callable[[Client, User, str], object]:
    def run(client: Client, user: User, code: str):
        response = password_step(client, user)
        assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
        return client.post("/accounts/2fa/authenticate/", {"code": code})

    return run


def reauthenticate(client: Client, password: str = PASSWORD):
    """allauth asks for the password again before 2FA changes, even right after sign-in."""
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return response
