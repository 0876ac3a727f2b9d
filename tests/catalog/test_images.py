"""The image pipeline on images made in the tests: what is accepted, what comes out, what is refused."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.utils import translation
from PIL import Image, ImageFile, ImageOps, ImageStat

from catalog import images
from catalog.error_codes import ImageErrorCode
from tests.catalog import image_factories as make


@pytest.fixture(autouse=True)
def _english():
    """Refusals are worded in the active language (zh-Hans by default); these tests read the English."""
    with translation.override("en"):
        yield


def run(data: bytes, filename: str = "photo.jpg", content_type: str | None = None) -> images.ProcessedImage:
    return images.process(io.BytesIO(data), filename=filename, content_type=content_type, size=len(data))


def refusal(data: bytes, filename: str, content_type: str | None = None) -> images.ImageRefused:
    with pytest.raises(images.ImageRefused) as caught:
        run(data, filename, content_type)
    return caught.value


def decoded(derivative: images.Derivative) -> Image.Image:
    image = Image.open(io.BytesIO(derivative.data))
    image.load()
    return image


def patch_mean(image: Image.Image, fx: float, fy: float) -> tuple[float, ...]:
    """Mean colour of a small patch centred at fractions (fx, fy) of the image."""
    w, h = image.size
    cx, cy = int(w * fx), int(h * fy)
    r = max(2, min(w, h) // 20)
    return tuple(ImageStat.Stat(image.crop((cx - r, cy - r, cx + r, cy + r))).mean[:3])


def assert_quadrants(image: Image.Image, colours, tolerance: float) -> None:
    for index, expected in enumerate(colours):
        fx, fy = (0.25, 0.75)[index % 2], (0.25, 0.75)[index // 2]
        actual = patch_mean(image, fx, fy)
        assert all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True)), (
            index,
            actual,
            expected,
        )


def assert_no_metadata(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP"
    assert not image.info.get("exif") and not image.info.get("xmp") and not image.info.get("icc_profile")
    assert len(image.getexif()) == 0
    for marker in (b"EXIF", b"XMP ", b"ICCP", b"WenchuangCam", b"Beijing"):
        assert marker not in data


def test_24_megapixel_photo_with_gps_and_orientation_6_comes_out_upright_and_clean_in_four_sizes(photo_24mp):
    # given a 6000x4000 landscape-stored JPEG whose EXIF says "rotate 90° clockwise", with GPS and XMP
    original = Image.open(io.BytesIO(photo_24mp))
    assert original.size == (6000, 4000)
    assert original.getexif()[make.ORIENTATION] == 6
    assert original.getexif().get_ifd(make.GPS_IFD)[1] == "N"
    assert b"photoshop:City" in photo_24mp

    # when it is processed
    result = run(photo_24mp)

    # then it is portrait, in the four sizes, with the picture upright and no metadata left
    assert (result.width, result.height) == (4000, 6000)
    assert [d.size for d in result.derivatives] == [256, 512, 1024, 2048]
    for derivative in result.derivatives:
        assert derivative.height == derivative.size
        assert derivative.width == round(derivative.size * 4000 / 6000)
        image = decoded(derivative)
        assert image.size == (derivative.width, derivative.height)
        assert image.mode == "RGB"
        # The grain is blended at 25% around mid-grey, so each quadrant is 0.75 colour + 0.25 * 128.
        assert_quadrants(image, [tuple(0.75 * c + 32 for c in q) for q in make.QUADRANTS], tolerance=12)
        assert_no_metadata(derivative.data)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_applied_as_imageops_exif_transpose_does(orientation):
    # given a small PNG (EXIF in an eXIf chunk) tagged with the orientation
    stored = make.quadrants(120, 80, noise=0)
    exif = Image.Exif()
    exif[make.ORIENTATION] = orientation
    data = make.encoded(stored, "PNG", exif=exif.tobytes())
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))

    # when processed
    result = run(data, "tagged.png")

    # then every derivative shows what Pillow's reference transpose shows
    smallest = decoded(result.derivatives[0])
    assert smallest.size == expected.size
    assert (result.width, result.height) == expected.size
    expected_colours = [patch_mean(expected, fx, fy) for fy in (0.25, 0.75) for fx in (0.25, 0.75)]
    assert_quadrants(smallest, expected_colours, tolerance=6)
    assert_no_metadata(result.derivatives[0].data)


@pytest.mark.parametrize(
    "exif",
    [
        b"Exif\x00\x00garbage, not a TIFF header",
        b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x09\x00\x00",
    ],
    ids=["unreadable", "orientation 9"],
)
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_broken_exif_leaves_the_image_as_stored(exif):
    data = make.encoded(make.quadrants(120, 80, noise=0), "JPEG", quality=95, exif=exif)

    result = run(data, "odd-exif.jpg")

    assert (result.width, result.height) == (120, 80)
    assert_quadrants(decoded(result.derivatives[0]), make.QUADRANTS, tolerance=8)
    assert_no_metadata(result.derivatives[0].data)


def test_a_10000_by_10000_png_bomb_is_refused_from_its_header_without_decoding(monkeypatch):
    # given a valid ~100 kB PNG that would decode to 100 megapixels
    bomb = make.png_bomb(10_000, 10_000)
    assert len(bomb) < 200_000

    def no_decoding(self):
        raise AssertionError("the bomb was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)

    # when processed, then it is refused as too many pixels, naming the size and the limit
    refused = refusal(bomb, "bomb.png")
    assert refused.code == ImageErrorCode.TOO_MANY_PIXELS
    assert "100.0 megapixels" in refused.message and "50" in refused.message
    assert "bomb.png" in refused.message


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares its size and stops where the pixel data would begin."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"")


@pytest.mark.parametrize(("width", "height"), [(7072, 7072), (30_000, 30_000), (65_535, 65_535)])
def test_pixel_counts_over_50_megapixels_are_refused_whatever_pillow_does_with_them(width, height):
    # given headers just over the limit (Pillow warns) and far over it (Pillow raises)
    refused = refusal(_png_header_only(width, height), "huge.png")

    assert refused.code == ImageErrorCode.TOO_MANY_PIXELS
    assert f"{width * height / 1_000_000:.1f} megapixels" in refused.message


def test_an_image_of_exactly_50_megapixels_is_within_the_limit():
    assert images.inspect(
        io.BytesIO(_png_header_only(10_000, 5_000)), filename="big.png", content_type=None, size=45
    ) == images.ImageHeader("PNG", 10_000, 5_000)


def test_a_text_file_named_jpg_is_refused_as_not_an_image():
    refused = refusal(b"Dear curator,\nplease find attached our catalogue.\n", "catalogue.jpg", "image/jpeg")

    assert refused.code == ImageErrorCode.NOT_AN_IMAGE
    assert refused.message == (
        "“catalogue.jpg” is not a JPEG, PNG or WebP image (its content is something else)."
    )


def test_a_truncated_jpeg_is_refused():
    data = make.encoded(make.quadrants(640, 480), "JPEG", quality=90)

    refused = refusal(data[: len(data) * 2 // 3], "cut.jpg")

    assert refused.code == ImageErrorCode.TRUNCATED
    assert "incomplete" in refused.message


@pytest.mark.parametrize("keep", ["half", "all but IEND"])
def test_a_truncated_png_is_refused(keep):
    data = make.encoded(make.quadrants(320, 240), "PNG")
    cut = data[: len(data) // 2] if keep == "half" else data[:-12]

    assert refusal(cut, "cut.png").code == ImageErrorCode.TRUNCATED


def test_a_png_named_as_jpeg_is_refused_as_a_type_mismatch():
    png = make.encoded(make.quadrants(64, 64), "PNG")

    refused = refusal(png, "photo.jpg")

    assert refused.code == ImageErrorCode.TYPE_MISMATCH
    assert refused.message == "“photo.jpg” is named as a JPEG image but its content is PNG."


def test_a_png_sent_with_a_jpeg_content_type_is_refused_as_a_type_mismatch():
    png = make.encoded(make.quadrants(64, 64), "PNG")

    assert refusal(png, "photo.png", "image/jpeg").code == ImageErrorCode.TYPE_MISMATCH


@pytest.mark.parametrize(
    ("filename", "content_type"), [("anim.gif", None), ("scan.tiff", None), ("photo.jpg", "image/gif")]
)
def test_other_types_are_refused_as_unsupported(filename, content_type):
    data = make.encoded(make.quadrants(64, 64), "JPEG")

    assert refusal(data, filename, content_type).code == ImageErrorCode.UNSUPPORTED_TYPE


def test_empty_and_oversized_files_are_refused_before_reading():
    assert refusal(b"", "empty.jpg").code == ImageErrorCode.EMPTY_FILE
    with pytest.raises(images.ImageRefused) as caught:
        images.process(io.BytesIO(b""), filename="huge.jpg", content_type=None, size=40 * 1024 * 1024 + 1)
    assert caught.value.code == ImageErrorCode.FILE_TOO_LARGE
    assert "40.0 MB" in caught.value.message


def test_a_png_with_damaged_pixel_data_is_refused_as_corrupt():
    data = bytearray(make.encoded(make.quadrants(320, 240), "PNG"))
    pixels = data.index(b"IDAT") + 4
    data[pixels + 10 : pixels + 60] = bytes(50)  # the deflate stream no longer makes sense

    refused = refusal(bytes(data), "damaged.png")

    assert refused.code == ImageErrorCode.CORRUPT
    assert refused.message == "“damaged.png” is damaged and cannot be decoded."


def test_a_cmyk_jpeg_comes_out_as_rgb_with_its_colours():
    result = run(make.cmyk_jpeg(800, 600), "print.jpg")

    image = decoded(result.derivatives[-1])
    assert Image.open(io.BytesIO(make.cmyk_jpeg(80, 60))).mode == "CMYK"
    assert image.mode == "RGB" and image.size == (800, 600)
    assert_quadrants(image, make.QUADRANTS, tolerance=8)


def test_a_jpeg_with_an_adobe_rgb_profile_is_converted_to_srgb_and_the_profile_dropped():
    # given flat quadrants whose values are Adobe RGB, with the profile embedded
    profile = make.adobe_rgb_profile()
    data = make.encoded(
        make.quadrants(600, 400, noise=0), "JPEG", quality=95, subsampling=0, icc_profile=profile
    )
    assert Image.open(io.BytesIO(data)).info["icc_profile"] == profile

    # when processed
    result = run(data, "adobe.jpg")

    # then the colours are the published Adobe RGB -> sRGB conversion, not the raw numbers
    image = decoded(result.derivatives[-1])
    expected = [make.adobe_rgb_to_srgb(q) for q in make.QUADRANTS]
    assert_quadrants(image, expected, tolerance=6)
    red = patch_mean(image, 0.25, 0.25)
    assert red[0] - make.QUADRANTS[0][0] > 20  # Adobe red is more saturated than the same sRGB numbers
    assert_no_metadata(result.derivatives[-1].data)


def test_an_unusable_icc_profile_is_ignored_rather_than_failing_the_image():
    data = make.encoded(make.quadrants(200, 100, noise=0), "JPEG", quality=95, icc_profile=b"not a profile")

    result = run(data, "odd.jpg")

    assert_quadrants(decoded(result.derivatives[-1]), make.QUADRANTS, tolerance=8)


def test_small_images_are_never_upscaled():
    result = run(make.encoded(make.quadrants(300, 200, noise=0), "PNG"), "small.png")

    assert [(d.size, d.width, d.height) for d in result.derivatives] == [
        (256, 256, 171),
        (512, 300, 200),
        (1024, 300, 200),
        (2048, 300, 200),
    ]
    assert result.derivatives[1].data == result.derivatives[3].data


def test_transparency_is_kept_for_rgba_and_palette_pngs():
    rgba = Image.new("RGBA", (400, 400), (200, 30, 30, 0))
    rgba.paste((30, 30, 200, 255), (200, 0, 400, 400))
    palette = rgba.convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    palette.info["transparency"] = palette.getpixel((10, 10))

    for data, name in ((make.encoded(rgba, "PNG"), "a.png"), (make.encoded(palette, "PNG"), "p.png")):
        image = decoded(run(data, name).derivatives[0])
        assert image.mode == "RGBA", name
        assert image.getpixel((30, 128))[3] == 0 and image.getpixel((220, 128))[3] == 255, name


def test_webp_and_16_bit_greyscale_png_are_accepted():
    webp = make.encoded(make.quadrants(500, 300, noise=0), "WEBP", quality=95)
    grey16 = Image.new("I;16", (300, 300), 40_000)

    assert_quadrants(decoded(run(webp, "a.webp", "image/webp").derivatives[-1]), make.QUADRANTS, tolerance=8)
    pixel = decoded(run(make.encoded(grey16, "PNG"), "grey.png").derivatives[-1]).getpixel((150, 150))
    assert all(abs(channel - 40_000 // 256) <= 2 for channel in pixel)


def _no_webp_decoder(monkeypatch) -> None:
    from PIL import WebPImagePlugin

    def refuse(*args):
        raise AssertionError("a WebP decoder (and its canvas) was created")

    monkeypatch.setattr(WebPImagePlugin._webp, "WebPAnimDecoder", refuse)


@pytest.mark.parametrize(
    ("params", "mode", "chunk"),
    [
        ({"quality": 80}, "RGB", b"VP8 "),
        ({"lossless": True}, "RGB", b"VP8L"),
        ({"quality": 80}, "RGBA", b"VP8X"),
    ],
)
def test_webp_headers_are_read_without_creating_a_decoder(monkeypatch, params, mode, chunk):
    picture = make.quadrants(321, 123, noise=0).convert(mode)
    if mode == "RGBA":
        picture.putalpha(128)
    data = make.encoded(picture, "WEBP", **params)
    assert data[12:16] == chunk
    _no_webp_decoder(monkeypatch)

    header = images.inspect(io.BytesIO(data), filename="a.webp", content_type="image/webp", size=len(data))

    assert header == images.ImageHeader("WEBP", 321, 123)


def test_a_webp_claiming_too_many_pixels_is_refused_before_any_decoder_exists(monkeypatch):
    extended = b"VP8X" + struct.pack("<I", 10) + bytes(4) + (16_000 - 1).to_bytes(3, "little") * 2
    data = b"RIFF" + struct.pack("<I", 4 + len(extended)) + b"WEBP" + extended
    _no_webp_decoder(monkeypatch)

    refused = refusal(data, "huge.webp")

    assert refused.code == ImageErrorCode.TOO_MANY_PIXELS
    assert "256.0 megapixels" in refused.message


def test_a_24_megapixel_jpeg_is_decoded_at_half_scale_never_in_full(monkeypatch, photo_24mp):
    from PIL import JpegImagePlugin

    decoded_sizes = []
    original_load = JpegImagePlugin.JpegImageFile.load

    def recording_load(self):
        decoded_sizes.append(self.size)
        return original_load(self)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", recording_load)

    result = run(photo_24mp)

    assert set(decoded_sizes) == {(3000, 2000)}  # libjpeg's 1/2 scale still covers the 2048 px derivative
    assert result.derivatives[-1].height == 2048
