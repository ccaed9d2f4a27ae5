"""Identity documents (KYC, selfies for appeals and 2FA resets), encrypted before they
touch the disk and read back only through here.

Fernet (AES-128-CBC with HMAC-SHA256) from `cryptography`, with the keys from
BEACON_DOCUMENT_KEYS: the first key encrypts, every listed key decrypts, so a key is
rotated by putting a new one first. Files live under MEDIA_ROOT/identity/ with random
names; nothing there is served by a URL.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from accounts.models import IdentityDocument, KycSubmission, User
from core.filetypes import FileRefused, identify

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # a phone photo at full resolution fits
ALLOWED_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}
# A selfie must be a photo; documents may also be PDF scans.
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}


class DocumentRejected(ValueError):
    """The upload is not acceptable; the message says why, for the person who sent it."""


class DocumentUnreadable(RuntimeError):
    """The file is missing or no configured key opens it."""


@cache
def _cipher() -> MultiFernet:
    keys = settings.DOCUMENT_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("BEACON_DOCUMENT_KEYS is empty: identity documents need a key.")
    return MultiFernet([Fernet(key) for key in keys])


def cipher_forget() -> None:
    """Tests that change the keys call this."""
    _cipher.cache_clear()


def _directory() -> Path:
    path = Path(settings.MEDIA_ROOT) / "identity"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def document_check(upload: UploadedFile, *, photo_only: bool = False) -> str:
    """The upload's real content type, or DocumentRejected saying what is wrong."""
    if upload.size is None or upload.size == 0:
        raise DocumentRejected(_("%(name)s is empty.") % {"name": upload.name})
    if upload.size > MAX_DOCUMENT_BYTES:
        raise DocumentRejected(
            _("%(name)s is larger than %(mb)d MB.")
            % {"name": upload.name, "mb": MAX_DOCUMENT_BYTES // 1024 // 1024}
        )
    try:
        kind = identify(upload, name=upload.name or "")
    except FileRefused as exc:
        raise DocumentRejected(str(exc)) from exc
    allowed = PHOTO_TYPES if photo_only else ALLOWED_TYPES
    if kind is None or kind[0] not in allowed:
        if photo_only:
            message = _("%(name)s is not a JPEG, PNG or WebP photo.")
        else:
            message = _("%(name)s is not a JPEG, PNG or WebP image or a PDF.")
        raise DocumentRejected(message % {"name": upload.name})
    return kind[0]


def document_store(
    *,
    user: User,
    kind: IdentityDocument.Kind,
    upload: UploadedFile,
    submission: KycSubmission | None = None,
) -> IdentityDocument:
    """Check, encrypt and save an upload; call inside the transaction that uses it.

    A rolled-back transaction leaves an encrypted file without a row, which
    `document_orphans` finds; it never leaves a row without its file.
    """
    content_type = document_check(upload, photo_only=kind == IdentityDocument.Kind.SELFIE)
    plain = b"".join(upload.chunks())
    storage_name = secrets.token_hex(20)
    path = _directory() / storage_name
    temporary = path.with_suffix(".part")
    temporary.write_bytes(_cipher().encrypt(plain))
    os.replace(temporary, path)
    return IdentityDocument.objects.create(
        user=user,
        submission=submission,
        kind=kind,
        content_type=content_type,
        size=len(plain),
        sha256=hashlib.sha256(plain).hexdigest(),
        storage_name=storage_name,
    )


def document_read(document: IdentityDocument) -> bytes:
    """The plain bytes; callers check permission and record the view first."""
    path = _directory() / document.storage_name
    try:
        return _cipher().decrypt(path.read_bytes())
    except (FileNotFoundError, InvalidToken) as exc:
        raise DocumentUnreadable(document.storage_name) from exc


def document_path(document: IdentityDocument) -> Path:
    """Where the encrypted file lies (for tests and operators; its bytes are ciphertext)."""
    return _directory() / document.storage_name


def document_orphans() -> list[Path]:
    """Encrypted files no row points to (left by a rolled-back upload)."""
    known = set(IdentityDocument.objects.values_list("storage_name", flat=True))
    return [path for path in _directory().iterdir() if path.name not in known]
