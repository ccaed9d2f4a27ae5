"""An image's size in pixels, read from its header without decoding it.

For the formats core.filetypes accepts: PNG (IHDR), JPEG (the first frame header, SOFn),
GIF (the logical screen and every frame), WebP (VP8X, VP8, VP8L). Where a file gives
room for doubt, the reading follows what browsers do, because a browser is what decodes
the file in the end (a reviewer's, inline).
"""

from __future__ import annotations

import struct
from typing import BinaryIO

Size = tuple[int, int]

# JPEG markers that stand alone (no length follows): TEM, RST0-7, SOI.
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8), 0xD8}
# Frame headers: SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC).
_JPEG_FRAMES = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_END_OF_IMAGE, _JPEG_START_OF_SCAN = 0xD9, 0xDA


def image_size(stream: BinaryIO, content_type: str) -> Size | None:
    """(width, height), or None when the header cannot be read or declares no pixels.

    Reads from the start of `stream` and leaves it at the start again.
    """
    reader = {
        "image/png": _png,
        "image/jpeg": _jpeg,
        "image/gif": _gif,
        "image/webp": _webp,
    }[content_type]
    stream.seek(0)
    try:
        size = reader(stream)
    except struct.error:  # the file ends inside a header
        size = None
    finally:
        stream.seek(0)
    if size is None or 0 in size:
        return None  # e.g. a JPEG whose height comes later (DNL): unknown until decoded
    return size


def _png(stream: BinaryIO) -> Size | None:
    head = stream.read(24)
    if head[12:16] != b"IHDR":  # it must come first
        return None
    return struct.unpack(">II", head[16:24])


def _jpeg(stream: BinaryIO) -> Size | None:
    """The first frame header's size, walking the segments as libjpeg does: bytes that are
    not a marker are skipped to the next 0xFF, fill bytes (0xFF 0xFF) are passed over."""
    stream.seek(2)  # SOI
    while True:
        byte = stream.read(1)
        if not byte:
            return None
        if byte != b"\xff":
            continue
        marker = stream.read(1)
        while marker == b"\xff":
            marker = stream.read(1)
        if not marker or marker[0] in (_JPEG_END_OF_IMAGE, _JPEG_START_OF_SCAN):
            return None  # no frame header before the image data
        if marker[0] in _JPEG_STANDALONE or marker[0] == 0x00:
            continue
        (length,) = struct.unpack(">H", stream.read(2))
        if marker[0] in _JPEG_FRAMES:
            _precision, height, width = struct.unpack(">BHH", stream.read(5))
            return width, height
        stream.seek(length - 2, 1)


def _gif(stream: BinaryIO) -> Size | None:
    """The logical screen grown to hold every frame: a frame may be larger than the screen,
    and browsers then draw the larger size."""
    head = stream.read(13)
    width, height, flags = struct.unpack("<HHB", head[6:11])
    _skip_colour_table(stream, flags)
    while True:
        block = stream.read(1)
        if block == b"\x2c":  # image descriptor
            left, top, frame_width, frame_height, flags = struct.unpack("<HHHHB", stream.read(9))
            width, height = max(width, left + frame_width), max(height, top + frame_height)
            _skip_colour_table(stream, flags)
            stream.read(1)  # LZW minimum code size
        elif block == b"\x21":  # extension: its label, then sub-blocks
            stream.read(1)
        else:  # the trailer, the end of the file or garbage: decoders stop here too
            return width, height
        if not _skip_sub_blocks(stream):
            return width, height


def _skip_colour_table(stream: BinaryIO, flags: int) -> None:
    if flags & 0x80:
        stream.seek(3 << ((flags & 0x07) + 1), 1)


def _skip_sub_blocks(stream: BinaryIO) -> bool:
    """Past a chain of sub-blocks; False when the file ends inside it."""
    while True:
        length = stream.read(1)
        if not length:
            return False
        if length == b"\x00":
            return True
        stream.seek(length[0], 1)


def _webp(stream: BinaryIO) -> Size | None:
    head = stream.read(30)
    if len(head) < 30:
        return None
    chunk, data = head[12:16], head[20:30]
    if chunk == b"VP8X":  # extended: the canvas, every frame within it
        width = int.from_bytes(data[4:7], "little") + 1
        height = int.from_bytes(data[7:10], "little") + 1
        return width, height
    if chunk == b"VP8 " and data[3:6] == b"\x9d\x01\x2a":  # lossy key frame
        width, height = struct.unpack("<HH", data[6:10])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and data[:1] == b"\x2f":  # lossless
        (bits,) = struct.unpack("<I", data[1:5])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None
