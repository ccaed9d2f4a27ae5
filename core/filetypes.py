"""What a file is, from its first bytes: names and browsers' claims are not trusted."""

from __future__ import annotations

# (magic prefix, offset, content type, extension)
_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
    (b"%PDF-", 0, "application/pdf", "pdf"),
    (b"\x1a\x45\xdf\xa3", 0, "video/webm", "webm"),
]


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
