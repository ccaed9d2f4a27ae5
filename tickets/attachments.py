"""What files customers and agents may attach: decided by the bytes, never the name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.filetypes import FileRefused, identify

MAX_FILE_BYTES = 20 * 1024 * 1024  # a one-minute screen recording fits
MAX_FILES_PER_MESSAGE = 5


class AttachmentError(ValueError):
    pass


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    content_type: str
    extension: str
    sha256: str
    name: str


def _safe_name(name: str, extension: str) -> str:
    stem = "".join(ch for ch in name.rsplit(".", 1)[0] if ch.isalnum() or ch in " -_")[:80]
    return f"{stem.strip() or 'attachment'}.{extension}"


def check_uploads(files: list[UploadedFile]) -> list[CheckedFile]:
    """Every file checked before anything is saved; raises AttachmentError naming the file."""
    if len(files) > MAX_FILES_PER_MESSAGE:
        raise AttachmentError(_("Attach at most %(n)d files.") % {"n": MAX_FILES_PER_MESSAGE})
    checked = []
    for upload in files:
        if upload.size > MAX_FILE_BYTES:
            raise AttachmentError(
                _("%(name)s is larger than %(mb)d MB.")
                % {"name": upload.name, "mb": MAX_FILE_BYTES // 1024 // 1024}
            )
        # A file an email brought that no browser should open (text, a message, a
        # signature): tickets.mail.intake checked it and says what it is. Such files are
        # only ever served as downloads (attachment, nosniff, sandboxed), like every file.
        kind = getattr(upload, "download_only_kind", None)
        try:
            kind = kind or identify(upload, name=upload.name or "")
        except FileRefused as exc:
            raise AttachmentError(str(exc)) from exc
        if kind is None:
            raise AttachmentError(
                _("%(name)s is not an image, a PDF or a video.") % {"name": upload.name}
            )
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checked.append(
            CheckedFile(
                upload, kind[0], kind[1], digest.hexdigest(), _safe_name(upload.name or "", kind[1])
            )
        )
    return checked
