from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role, User
from accounts.services import user_role_grant
from tickets import services
from tickets.models import Ticket, TicketType

TXID = "0x" + "ab" * 32
ADDRESS = "0x" + "1" * 40


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# A real 1×1 RGBA PNG: signature, IHDR, one IDAT row (filter byte + 4 bytes), IEND.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00\xff"))
    + _png_chunk(b"IEND", b"")
)
# The start of a 64-bit Linux ELF executable: what a renamed "screenshot.png" may really be.
ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 44


@pytest.fixture
def private_media(settings, tmp_path: Path) -> Path:
    """Uploaded files go to a fresh folder, so a test can see that nothing was written."""
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def png_file() -> Callable[..., SimpleUploadedFile]:
    def make(name: str = "screenshot.png") -> SimpleUploadedFile:
        return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")

    return make


@pytest.fixture
def elf_as_png() -> SimpleUploadedFile:
    return SimpleUploadedFile("screenshot.png", ELF_BYTES, content_type="image/png")


@pytest.fixture
def other_customer(user_factory) -> User:
    return user_factory(email="other.customer@example.test")


@pytest.fixture
def supervisor(user_factory) -> User:
    user = user_factory(email="supervisor@example.test", first_name="Mei")
    user_role_grant(user=user, role=Role.SUPERVISOR)
    return user


@pytest.fixture
def ticket_type(db) -> TicketType:
    """The seeded withdrawal type (migration tickets/0002): uid, coin, network, amount, address
    required; txid and occurred_at optional."""
    return TicketType.objects.get(slug="withdrawal-problem")


@pytest.fixture
def withdrawal_values() -> Callable[..., dict[str, str]]:
    """Valid withdrawal fields for `user`, with overrides."""

    def make(user: User, **overrides: str) -> dict[str, str]:
        values = {
            "uid": str(user.uid),
            "coin": "USDT",
            "network": "ERC20",
            "amount": "25.5",
            "address": ADDRESS,
            "txid": TXID,
        }
        return {**values, **overrides}

    return make


@pytest.fixture
def ticket_factory(ticket_type, withdrawal_values) -> Callable[..., Ticket]:
    """A withdrawal request created through the real service."""

    def make(requester: User, *, subject: str = "Withdrawal not arrived", **kwargs) -> Ticket:
        kwargs.setdefault("field_values", withdrawal_values(requester))
        kwargs.setdefault("body", "I sent USDT yesterday and nothing arrived.")
        return services.ticket_create(
            requester=requester, ticket_type=ticket_type, subject=subject, **kwargs
        )

    return make
