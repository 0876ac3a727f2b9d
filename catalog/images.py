"""Image pipeline: check an upload from its header, then decode it once into clean sRGB WebP derivatives."""

from __future__ import annotations

import io
import logging
import math
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile

from catalog.error_codes import ImageErrorCode
from core import uploads

logger = logging.getLogger(__name__)

MAX_BYTES = 40 * 1024 * 1024
# The header checks (pixel limit, bombs, PNG chunks) are core.uploads', shared with application documents.
MAX_PIXELS = uploads.MAX_PIXELS
DERIVATIVE_SIZES = (256, 512, 1024, 2048)
# Box-reduce by whole factors while at least this much Lanczos scaling is left for the last step
# (Pillow's `reducing_gap`: from 2 up the result is close to a full Lanczos at a fraction of the work).
REDUCING_GAP = 2.0
WEBP_QUALITY = 82
# libwebp effort 0-6. The 2048 px derivative costs 4x the encoding of all others together and is the
# least served: effort 2 halves its time for ~4% more bytes. Thumbnails, served most, get effort 4.
WEBP_METHOD_LARGE, WEBP_METHOD = 2, 4
WEBP_LARGE_FROM = 1536  # px, longest side

EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
CONTENT_TYPES = {
    "image/jpeg": "JPEG",
    "image/jpg": "JPEG",
    "image/pjpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
}
# Browsers and tools send these when they do not know; they declare nothing.
_UNDECLARED_CONTENT_TYPES = {"", "application/octet-stream", "binary/octet-stream"}
_FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
_SRGB = ImageCms.createProfile("sRGB")
# EXIF orientation -> the transpose that makes the image upright (the table ImageOps.exif_transpose uses).
_ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class ImageRefused(Exception):
    """An upload that will not be accepted; `message` is meant for the person who sent it."""

    def __init__(self, code: ImageErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ImageHeader:
    """What the file's header says, read without decoding any pixel."""

    format: str
    width: int
    height: int


@dataclass(frozen=True)
class Derivative:
    """One encoded WebP; `size` is the longest side it was made for, never more than the original's."""

    size: int
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class ProcessedImage:
    """The upright size of the original and its derivatives, one per entry of DERIVATIVE_SIZES."""

    format: str
    width: int
    height: int
    derivatives: list[Derivative]


def sniff_format(head: bytes) -> str | None:
    """The accepted format the file's first bytes announce, or None."""
    found = uploads.sniff(head)
    return found if found in _FORMAT_NAMES else None


def declared_format(filename: str, content_type: str | None) -> str:
    """The format the upload claims by its extension (and content type if it names one)."""
    suffix = PurePath(filename or "").suffix.lower()
    by_extension = EXTENSIONS.get(suffix)
    if by_extension is None:
        raise ImageRefused(
            ImageErrorCode.UNSUPPORTED_TYPE,
            _("“%(name)s” is not a JPEG, PNG or WebP file: upload a .jpg, .jpeg, .png or .webp image.")
            % {"name": filename},
        )
    content_type = (content_type or "").split(";")[0].strip().lower()
    if content_type in _UNDECLARED_CONTENT_TYPES:
        return by_extension
    by_content_type = CONTENT_TYPES.get(content_type)
    if by_content_type is None:
        raise ImageRefused(
            ImageErrorCode.UNSUPPORTED_TYPE,
            _("“%(name)s” was sent as %(type)s: only JPEG, PNG and WebP images are accepted.")
            % {"name": filename, "type": content_type},
        )
    if by_content_type != by_extension:
        raise ImageRefused(
            ImageErrorCode.TYPE_MISMATCH,
            _("“%(name)s” was sent as %(type)s but its name says %(format)s.")
            % {"name": filename, "type": content_type, "format": _FORMAT_NAMES[by_extension]},
        )
    return by_extension


def inspect(fp: IO[bytes], *, filename: str, content_type: str | None, size: int) -> ImageHeader:
    """Refuse what is too big, not an image, or not what it claims to be, before decoding anything.

    Cheap enough for the request: JPEG and PNG headers are parsed by Pillow, WebP's by hand (Pillow's
    WebP decoder allocates the whole canvas as soon as it opens a file).
    """
    actual, _head = _sniffed(fp, filename=filename, content_type=content_type, size=size)
    with _refusals(filename):
        width, height = uploads.image_size(fp, actual)
    return ImageHeader(format=actual, width=width, height=height)


def process(fp: IO[bytes], *, filename: str, content_type: str | None, size: int) -> ProcessedImage:
    """Decode once (at reduced scale where the format allows) and return upright sRGB WebP derivatives."""
    header, image = _checked_open(fp, filename=filename, content_type=content_type, size=size)
    longest = max(image.size)
    largest = min(DERIVATIVE_SIZES[-1], longest)
    if header.format == "JPEG":
        # libjpeg scales by 1/2, 1/4 or 1/8 while decoding: a 24 MP photo never exists in full in memory.
        scale = largest / longest
        image.draft(image.mode, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    _load(image, filename)
    if header.format == "PNG":
        with _refusals(filename):  # checksums every chunk up to IEND: a file cut after its pixels is refused
            uploads.png_verify(fp)
    # Read after loading: a PNG may carry its eXIf and iCCP chunks after the pixel data.
    orientation = _orientation(image)
    icc_profile = image.info.get("icc_profile")
    image = _normalise_mode(image, filename)
    stored_size = (header.width, header.height)
    biggest = _to_srgb(_shrink(image, _fitted(stored_size, largest)), icc_profile)
    del image
    biggest = _upright(biggest, orientation)
    upright_size = stored_size[::-1] if orientation in (5, 6, 7, 8) else stored_size
    derivatives = []
    source = biggest
    for target in sorted(DERIVATIVE_SIZES, reverse=True):
        source = _shrink(source, _fitted(upright_size, target))
        derivatives.append(Derivative(target, source.width, source.height, _encode_webp(source)))
    upright_width, upright_height = upright_size
    return ProcessedImage(header.format, upright_width, upright_height, sorted(derivatives, key=_by_size))


def _checked_open(
    fp: IO[bytes], *, filename: str, content_type: str | None, size: int
) -> tuple[ImageHeader, ImageFile.ImageFile]:
    actual, head = _sniffed(fp, filename=filename, content_type=content_type, size=size)
    with _refusals(filename):
        if actual == "WEBP":
            uploads.webp_size(head)  # refuse from the header before the decoder allocates a canvas
        image = uploads.image_open(fp, actual)
    return ImageHeader(format=actual, width=image.width, height=image.height), image


def _sniffed(fp: IO[bytes], *, filename: str, content_type: str | None, size: int) -> tuple[str, bytes]:
    """The format the content shows (refused unless it is the declared one) and the first 32 bytes."""
    if size <= 0:
        raise ImageRefused(ImageErrorCode.EMPTY_FILE, _("“%(name)s” is empty.") % {"name": filename})
    if size > MAX_BYTES:
        raise ImageRefused(
            ImageErrorCode.FILE_TOO_LARGE,
            _("“%(name)s” is %(mb).1f MB; images may be at most %(max)d MB.")
            % {"name": filename, "mb": size / 1024 / 1024, "max": MAX_BYTES // 1024 // 1024},
        )
    expected = declared_format(filename, content_type)
    fp.seek(0)
    head = fp.read(32)
    actual = sniff_format(head)
    if actual is None:
        raise ImageRefused(
            ImageErrorCode.NOT_AN_IMAGE,
            _("“%(name)s” is not a JPEG, PNG or WebP image (its content is something else).")
            % {"name": filename},
        )
    if actual != expected:
        raise ImageRefused(
            ImageErrorCode.TYPE_MISMATCH,
            _("“%(name)s” is named as a %(declared)s image but its content is %(actual)s.")
            % {"name": filename, "declared": _FORMAT_NAMES[expected], "actual": _FORMAT_NAMES[actual]},
        )
    return actual, head


def _by_size(derivative: Derivative) -> int:
    return derivative.size


@contextmanager
def _refusals(filename: str) -> Iterator[None]:
    """core.uploads' refusals in the words of the catalog's image errors."""
    try:
        yield
    except uploads.UploadRefused as refused:
        if refused.code == uploads.UploadErrorCode.TOO_MANY_PIXELS:
            raise _too_many_pixels(filename, refused.params["pixels"]) from refused
        if refused.code == uploads.UploadErrorCode.TRUNCATED:
            raise _truncated(filename) from refused
        if refused.code == uploads.UploadErrorCode.HEADER_DAMAGED:
            message = _("“%(name)s” could not be read as an image: its header is damaged.")
            raise ImageRefused(ImageErrorCode.CORRUPT, message % {"name": filename}) from refused
        raise _corrupt(filename) from refused


def _too_many_pixels(filename: str, pixels: int | None) -> ImageRefused:
    limit = MAX_PIXELS // 1_000_000
    if pixels is None:
        message = _("“%(name)s” has more than %(max)d megapixels, the most an image may have.") % {
            "name": filename,
            "max": limit,
        }
    else:
        message = _("“%(name)s” has %(mp).1f megapixels; an image may have at most %(max)d.") % {
            "name": filename,
            "mp": pixels / 1_000_000,
            "max": limit,
        }
    return ImageRefused(ImageErrorCode.TOO_MANY_PIXELS, message)


def _load(image: ImageFile.ImageFile, filename: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except OSError as exc:
        if "truncated" in str(exc):
            raise _truncated(filename) from exc
        raise _corrupt(filename) from exc
    except (SyntaxError, ValueError, EOFError, Image.DecompressionBombWarning) as exc:
        raise _corrupt(filename) from exc


def _truncated(filename: str) -> ImageRefused:
    return ImageRefused(
        ImageErrorCode.TRUNCATED,
        _("“%(name)s” is incomplete (the file was cut short); upload it again.") % {"name": filename},
    )


def _corrupt(filename: str) -> ImageRefused:
    return ImageRefused(
        ImageErrorCode.CORRUPT, _("“%(name)s” is damaged and cannot be decoded.") % {"name": filename}
    )


def _normalise_mode(image: Image.Image, filename: str) -> Image.Image:
    """Bring every accepted pixel layout to L, LA, RGB, RGBA or CMYK, the modes that resample well."""
    if image.mode in ("L", "LA", "RGB", "RGBA", "CMYK"):
        return image
    if image.mode in ("P", "PA"):
        has_alpha = image.mode == "PA" or "transparency" in image.info
        return image.convert("RGBA" if has_alpha else "RGB")
    if image.mode == "1":
        return image.convert("L")
    if image.mode.startswith("I"):  # 16-bit greyscale PNG: keep the high byte
        return image.convert("I").point(lambda value: value * (1 / 256), "L")
    if image.mode == "La":
        return image.convert("LA")
    raise ImageRefused(
        ImageErrorCode.UNSUPPORTED_COLOR_MODE,
        _("“%(name)s” uses a colour layout (%(mode)s) that is not supported.")
        % {"name": filename, "mode": image.mode},
    )


def _fitted(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """`size` scaled to fit within `longest` px, from the original's proportions (never enlarged)."""
    width, height = size
    scale = longest / max(width, height)
    if scale >= 1:
        return size
    return max(1, math.floor(width * scale + 0.5)), max(1, math.floor(height * scale + 0.5))


def _shrink(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Resize down to `size`: box-reduce by whole factors first, then Lanczos for the last step."""
    if image.size == size:
        return image
    factor = int(min(image.width / size[0], image.height / size[1]) / REDUCING_GAP)
    if factor >= 2:
        image = image.reduce(factor)
    return image.resize(size, Image.Resampling.LANCZOS)


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Pixels in sRGB (RGB or RGBA), converted through the embedded profile when there is one."""
    has_alpha = image.mode in ("LA", "RGBA")
    target_mode = "RGBA" if has_alpha else "RGB"
    if icc_profile:
        try:
            source_profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(
                image,
                source_profile,
                _SRGB,
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
                outputMode=target_mode,
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            # A broken or mismatched profile: the pixels are still usable, read as if already sRGB.
            logger.warning("ignoring an unusable ICC profile (%s image)", image.mode)
        else:
            if converted is not None:
                return converted
    return image.convert(target_mode)


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation, 1 (as stored) when the tag is absent, out of range or the EXIF is unreadable."""
    try:
        value = image.getexif().get(0x0112, 1)
    except (SyntaxError, ValueError, OSError, struct.error):
        return 1
    return value if value in _ORIENTATION_TRANSPOSE else 1


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    """Apply the EXIF orientation as ImageOps.exif_transpose does, to the small image, not the original."""
    method = _ORIENTATION_TRANSPOSE.get(orientation)
    return image if method is None else image.transpose(method)


def _encode_webp(image: Image.Image) -> bytes:
    """Encode with no metadata at all: no EXIF, XMP or ICC profile (pixels are sRGB, WebP's default)."""
    image.info.clear()
    out = io.BytesIO()
    method = WEBP_METHOD_LARGE if max(image.size) >= WEBP_LARGE_FROM else WEBP_METHOD
    image.save(out, "WEBP", quality=WEBP_QUALITY, method=method, exif=b"", xmp=b"", icc_profile=None)
    return out.getvalue()
