"""Image files built byte by byte, so a test can declare any size without the pixels.

`png_bomb` is a real, valid PNG: what the issue's attacker uploaded.
"""

from __future__ import annotations

import struct
import zlib


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(width: int, height: int) -> bytes:
    """Signature and IHDR (8-bit RGB), then an empty image: enough for a header reader."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IEND", b"")


def png_bomb(side: int = 20_000) -> bytes:
    """A valid side × side black-and-white PNG (1 bit a pixel, every row zero): about 60 KB
    on disk, side² pixels (1.6 GB at 4 bytes a pixel) in whatever decodes it."""
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def jpeg_header(width: int, height: int, *, exif_bytes: int = 0, junk: bytes = b"") -> bytes:
    """SOI, JFIF, an optional APP1 of `exif_bytes` (whose contents must not be read as
    markers), optional junk before the next marker, fill bytes, a baseline SOF0, an empty
    scan and EOI."""
    jfif = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    app1 = b""
    if exif_bytes:
        # The payload pretends to hold a tiny frame header: a naive scan would stop there.
        fake = b"\xff\xc0\x00\x11\x08\x00\x01\x00\x01"
        payload = (fake * (exif_bytes // len(fake) + 1))[:exif_bytes]
        app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00" * 3
    sos = b"\xff\xda" + struct.pack(">HB", 12, 3) + b"\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
    return b"\xff\xd8" + jfif + app1 + junk + b"\xff\xff" + sof + sos + b"\x00" * 8 + b"\xff\xd9"


def gif(width: int, height: int, *, frame: tuple[int, int] | None = None) -> bytes:
    """A GIF89a with a `width` × `height` screen, a two-colour table, a comment, and one
    frame of size `frame` (default: the screen's) with an empty image."""
    frame_width, frame_height = frame or (width, height)
    screen = struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    comment = b"\x21\xfe\x05hello\x00"
    descriptor = b"\x2c" + struct.pack("<HHHHB", 0, 0, frame_width, frame_height, 0)
    image = b"\x02" + b"\x02\x4c\x01" + b"\x00"  # LZW minimum size, one sub-block, end
    return b"GIF89a" + screen + comment + descriptor + image + b"\x3b"


def _riff(chunk: bytes, data: bytes) -> bytes:
    body = b"WEBP" + chunk + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webp_extended(width: int, height: int) -> bytes:
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return _riff(b"VP8X", b"\x00\x00\x00\x00" + canvas)


def webp_lossy(width: int, height: int) -> bytes:
    return _riff(
        b"VP8 ", b"\x10\x02\x00\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\x00" * 8
    )


def webp_lossless(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    return _riff(b"VP8L", b"\x2f" + struct.pack("<I", bits) + b"\x00" * 8)
