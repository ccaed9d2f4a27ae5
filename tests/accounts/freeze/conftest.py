"""People, links and files for the freeze tests."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.links import link_issue, link_token
from accounts.models import OneTimeLink, Role, User
from accounts.services import user_role_grant

PASSWORD = "correct-horse-battery"


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG (grey pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def selfie_upload(name: str = "selfie.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def make_person(email: str = "mei@example.test", **extra) -> User:
    """A customer who can sign in with PASSWORD (verified email address)."""
    user = User.objects.create_user(email, PASSWORD, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_staff(email: str, role: Role) -> User:
    user = make_person(email)
    user_role_grant(user=user, role=role)
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_for(
    user: User, purpose: str, lifetime: timedelta = timedelta(minutes=30)
) -> tuple[OneTimeLink, str]:
    link = link_issue(user=user, purpose=purpose, lifetime=lifetime)
    return link, link_token(link)


@pytest.fixture
def mei(db) -> User:
    return make_person("mei@example.test", first_name="Mei", last_name="Lin")


@pytest.fixture
def reviewer(db) -> User:
    return make_staff("rita@beacon.test", Role.SECURITY_REVIEWER)


@pytest.fixture
def second_reviewer(db) -> User:
    return make_staff("ravi@beacon.test", Role.SECURITY_REVIEWER)


@pytest.fixture
def agent(db) -> User:
    return make_staff("alex@beacon.test", Role.AGENT)
