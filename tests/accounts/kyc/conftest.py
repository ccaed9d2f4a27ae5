"""People, files and shortcuts for the identity verification tests.

The images are real PNGs written by hand (Pillow is not a dependency): a signature,
an IHDR, one IDAT of filtered rows and an IEND, so a browser can show them.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.kyc.services import kyc_review, kyc_submit
from accounts.models import KycLevel, KycSubmission, Role, User
from accounts.services import user_role_grant
from tests.factories import UserFactory

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
# What a Windows program starts with: renamed .jpg, it must still be refused.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(width: int = 4, height: int = 4, *, seed: int = 0) -> bytes:
    """A valid RGB PNG of random pixels (random, so each seed makes different bytes and
    the file does not compress: width × height × 3 bytes, near enough)."""
    noise = random.Random(seed)
    rows = b"".join(b"\x00" + noise.randbytes(width * 3) for _ in range(height))
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


def upload(name: str, data: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def adult_birth_date() -> dt.date:
    return timezone.localdate().replace(year=timezone.localdate().year - 30, day=1)


BASIC = {"legal_name": "Alice Example", "nationality": "SG"}


def basic_post(**changes) -> dict:
    return {
        "level": "1",
        **BASIC,
        "birth_date": adult_birth_date().isoformat(),
        **changes,
    }


def advanced_files(seed: int = 1) -> dict[str, SimpleUploadedFile]:
    return {
        "id_front": upload("front.png", png_bytes(seed=seed)),
        "id_back": upload("back.png", png_bytes(seed=seed + 1)),
        "selfie": upload("selfie.png", png_bytes(seed=seed + 2)),
    }


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Encrypted files land in the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def customer(db) -> User:
    return UserFactory(email="alice@example.test", first_name="Alice")


@pytest.fixture
def other_customer(db) -> User:
    return UserFactory(email="bob@example.test")


def _staff(email: str, role: Role) -> User:
    person = UserFactory(email=email)
    user_role_grant(user=person, role=role)
    return person


@pytest.fixture
def reviewer(db) -> User:
    return _staff("reviewer@example.test", Role.SECURITY_REVIEWER)


@pytest.fixture
def second_reviewer(db) -> User:
    return _staff("reviewer2@example.test", Role.SECURITY_REVIEWER)


@pytest.fixture
def agent(db) -> User:
    return _staff("agent@example.test", Role.AGENT)


@pytest.fixture
def supervisor(db) -> User:
    return _staff("supervisor@example.test", Role.SUPERVISOR)


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def submit_basic(user: User) -> KycSubmission:
    return kyc_submit(
        user=user,
        level=KycLevel.BASIC,
        documents={},
        legal_name=BASIC["legal_name"],
        birth_date=adult_birth_date(),
        nationality=BASIC["nationality"],
    )


def submit_advanced(user: User, seed: int = 1) -> KycSubmission:
    return kyc_submit(user=user, level=KycLevel.ADVANCED, documents=advanced_files(seed))


def approve(submission: KycSubmission, reviewer: User) -> KycSubmission:
    return kyc_review(reviewer=reviewer, submission_id=submission.id, approve=True)


@pytest.fixture
def verified_basic(customer, reviewer) -> KycSubmission:
    """The customer's level 1, approved."""
    return approve(submit_basic(customer), reviewer)


@pytest.fixture
def advanced_pending(verified_basic, customer) -> KycSubmission:
    """Level 2 under review, with front, back and selfie (seeds 1, 2, 3)."""
    return submit_advanced(customer)
