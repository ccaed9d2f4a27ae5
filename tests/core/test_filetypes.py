"""core.filetypes.identify: the type from the bytes, and an image's size from its header,
refused before anything decodes it when it is more than a screenshot or an ID photo needs."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from core.filetypes import MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, FileRefused, identify
from core.imagesize import image_size
from tests.images import (
    gif,
    jpeg_header,
    png_bomb,
    png_header,
    webp_extended,
    webp_lossless,
    webp_lossy,
)


@pytest.mark.parametrize(
    ("data", "content_type", "size"),
    [
        (png_header(1170, 2532), "image/png", (1170, 2532)),
        (jpeg_header(4032, 3024), "image/jpeg", (4032, 3024)),
        # an EXIF block full of fake frame headers, junk and fill bytes before the real one
        (jpeg_header(8160, 6144, exif_bytes=60_000, junk=b"junk"), "image/jpeg", (8160, 6144)),
        (gif(640, 480), "image/gif", (640, 480)),
        (gif(10, 10, frame=(300, 200)), "image/gif", (300, 200)),
        (webp_extended(1920, 1080), "image/webp", (1920, 1080)),
        (webp_lossy(1280, 720), "image/webp", (1280, 720)),
        (webp_lossless(300, 200), "image/webp", (300, 200)),
    ],
    ids=["png", "jpeg", "jpeg-exif-junk", "gif", "gif-frame", "webp-vp8x", "webp-vp8", "webp-vp8l"],
)
def test_image_size_reads_every_accepted_format_from_its_header(data, content_type, size):
    # given
    stream = io.BytesIO(data)
    # when
    read = image_size(stream, content_type)
    # then
    assert read == size
    assert stream.tell() == 0


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bomb.png", png_bomb()),  # 20000 × 20000, ~50 KB
        ("bomb.jpg", jpeg_header(20_000, 20_000)),
        ("bomb.gif", gif(10, 10, frame=(20_000, 20_000))),  # a frame larger than its screen
        ("bomb.webp", webp_extended(16_000, 16_000)),
        ("needle.png", png_header(1, MAX_IMAGE_SIDE + 1)),  # few pixels, one absurd side
    ],
    ids=["png", "jpeg", "gif", "webp", "one-side"],
)
def test_identify_refuses_an_image_too_large_in_pixels(name, data):
    # when
    with pytest.raises(FileRefused) as refused:
        identify(io.BytesIO(data), name=name)
    # then
    assert str(refused.value).startswith(f"{name} is too large a picture (")
    assert f"at most {MAX_IMAGE_PIXELS // 1_000_000} megapixels" in str(refused.value)


def test_identify_says_so_in_chinese():
    # when
    with translation.override("zh-hans"), pytest.raises(FileRefused) as refused:
        identify(io.BytesIO(png_bomb()), name="bomb.png")
    # then
    assert "bomb.png 图片尺寸过大（20000 × 20000 像素）" in str(refused.value)


@pytest.mark.parametrize(
    "data",
    [
        jpeg_header(8160, 6144),  # a 50-megapixel phone camera at full resolution
        png_header(1440, MAX_IMAGE_SIDE),  # a scrolling screenshot of a long page
        png_header(7680, 4320),  # an 8K screenshot
    ],
    ids=["phone-photo", "long-screenshot", "8k-screenshot"],
)
def test_identify_accepts_what_a_phone_or_a_screenshot_makes(data):
    assert identify(io.BytesIO(data), name="photo")[0].startswith("image/")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # no IHDR
        b"\xff\xd8\xff\xe0\x00\x10JFIF",  # ends before any frame header
        jpeg_header(0, 480),  # height left for a DNL marker: unknown until decoded
        b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 30,  # no key frame start code
    ],
    ids=["png-no-ihdr", "jpeg-no-frame", "jpeg-dnl", "webp-no-key-frame"],
)
def test_identify_refuses_an_image_whose_size_cannot_be_read(data):
    with pytest.raises(FileRefused, match="is damaged or not a picture Beacon can read"):
        identify(io.BytesIO(data), name="odd")


def test_identify_leaves_pdfs_and_videos_to_the_type_check():
    # given
    pdf = io.BytesIO(b"%PDF-1.7\n" + b"\x00" * 40)
    # when / then
    assert identify(pdf, name="statement.pdf") == ("application/pdf", "pdf")
    assert identify(io.BytesIO(b"MZ" + b"\x00" * 40), name="x.exe") is None
