"""What a file is, from its first bytes: names and browsers' claims are not trusted."""

from __future__ import annotations

from typing import BinaryIO

from django.utils.translation import gettext as _

from core.imagesize import image_size

# (magic prefix, offset, content type, extension)
_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
    (b"%PDF-", 0, "application/pdf", "pdf"),
    (b"\x1a\x45\xdf\xa3", 0, "video/webm", "webm"),
]
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# Pixels, not bytes, are what a decoder allocates: a 1 MB PNG can declare 20000 × 20000
# (400 megapixels, 1.6 GB once decoded in a reviewer's browser). A full-resolution photo
# from a 50-megapixel phone camera (8160 × 6144) fits, as does an 8K screenshot (33 MP).
MAX_IMAGE_PIXELS = 60_000_000
# A scrolling screenshot of a long page (1440 × 30000, 43 MP) fits.
MAX_IMAGE_SIDE = 30_000


class FileRefused(ValueError):
    """The file is of an allowed type but not acceptable; the message says why, naming it."""


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from a file's first bytes, or None when not allowed."""
    for magic, offset, content_type, extension in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return content_type, extension
    if head[8:12] == b"WEBP" and head[:4] == b"RIFF":
        return "image/webp", "webp"
    if head[4:8] == b"ftyp":  # ISO media: MP4 and QuickTime recordings from phones
        brand = head[8:12]
        return ("video/quicktime", "mov") if brand == b"qt  " else ("video/mp4", "mp4")
    return None


def identify(stream: BinaryIO, *, name: str) -> tuple[str, str] | None:
    """sniff(), and for an image its size from the header, before anything decodes it.

    None when the type is not allowed; FileRefused for an image that cannot be measured or
    declares more pixels than MAX_IMAGE_PIXELS or a side longer than MAX_IMAGE_SIDE.
    Leaves `stream` at its start.
    """
    stream.seek(0)
    kind = sniff(stream.read(32))
    stream.seek(0)
    if kind is None or kind[0] not in IMAGE_TYPES:
        return kind
    size = image_size(stream, kind[0])
    if size is None:
        raise FileRefused(
            _("%(name)s is damaged or not a picture Beacon can read.") % {"name": name}
        )
    width, height = size
    if width * height > MAX_IMAGE_PIXELS or max(width, height) > MAX_IMAGE_SIDE:
        raise FileRefused(
            _(
                "%(name)s is too large a picture (%(width)d × %(height)d pixels). Send one of "
                "at most %(megapixels)d megapixels and %(side)d pixels a side."
            )
            % {
                "name": name,
                "width": width,
                "height": height,
                "megapixels": MAX_IMAGE_PIXELS // 1_000_000,
                "side": MAX_IMAGE_SIDE,
            }
        )
    return kind
