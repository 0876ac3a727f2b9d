"""Images made in code for the pipeline's tests and benchmark: no downloads, no fixtures on disk."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

# Quadrant colours of the upright picture: top-left, top-right, bottom-left, bottom-right.
QUADRANTS = ((200, 30, 30), (30, 200, 30), (30, 30, 200), (230, 230, 230))
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def quadrants(width: int, height: int, *, noise: int = 24) -> Image.Image:
    """An upright RGB picture with four coloured quadrants and photo-like grain (so JPEG works for it)."""
    image = Image.new("RGB", (width, height))
    half_w, half_h = width // 2, height // 2
    for index, colour in enumerate(QUADRANTS):
        left = half_w * (index % 2)
        top = half_h * (index // 2)
        image.paste(colour, (left, top, width if index % 2 else half_w, height if index // 2 else half_h))
    if noise:
        grain = Image.effect_noise((width, height), noise).convert("RGB")
        image = Image.blend(image, grain, 0.25)
    return image


def photo_jpeg(width: int = 6000, height: int = 4000, *, orientation: int = 6, quality: int = 90) -> bytes:
    """A camera-like JPEG: EXIF with GPS, camera make, an orientation tag, and XMP.

    The stored pixels are turned so that applying `orientation` shows `quadrants(...)` upright;
    with orientation 6 the stored image is landscape (width x height) and the upright one portrait.
    """
    upright_size = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
    upright = quadrants(*upright_size)
    inverse = {
        1: None,
        3: Image.Transpose.ROTATE_180,
        6: Image.Transpose.ROTATE_90,
        8: Image.Transpose.ROTATE_270,
    }[orientation]
    stored = upright if inverse is None else upright.transpose(inverse)
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "WenchuangCam"  # Make
    exif[0x0110] = "Model 24"  # Model
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (39.0, 54.0, 57.0)  # the Palace Museum
    gps[3] = "E"
    gps[4] = (116.0, 23.0, 48.0)
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description photoshop:City="Beijing"/></x:xmpmeta>'
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=quality, exif=exif.tobytes(), xmp=xmp)
    return out.getvalue()


def png_bomb(width: int = 10_000, height: int = 10_000) -> bytes:
    """A valid greyscale PNG of width x height zero pixels: some 100 kB that decode to 100 MB."""
    raw_row = b"\x00" * (width + 1)  # filter byte + pixels
    compressor = zlib.compressobj(9)
    chunks = []
    rows_per_block = 500
    block = raw_row * rows_per_block
    for _ in range(height // rows_per_block):
        chunks.append(compressor.compress(block))
    chunks.append(compressor.compress(raw_row * (height % rows_per_block)))
    chunks.append(compressor.flush())
    idat = b"".join(chunks)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def encoded(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def cmyk_jpeg(width: int = 800, height: int = 600) -> bytes:
    """A CMYK JPEG (as print workflows produce) of the quadrant picture."""
    return encoded(quadrants(width, height, noise=0).convert("CMYK"), "JPEG", quality=95)


# Adobe RGB (1998): colorants adapted to D50 as ICC requires, gamma 563/256.
ADOBE_RGB_COLORANTS = {
    b"rXYZ": (0.60974, 0.31111, 0.01947),
    b"gXYZ": (0.20528, 0.62567, 0.06087),
    b"bXYZ": (0.14919, 0.06322, 0.74457),
}
ADOBE_RGB_GAMMA = 563 / 256


def adobe_rgb_profile() -> bytes:
    """A minimal ICC v2 matrix/TRC display profile with Adobe RGB (1998) primaries, built byte by byte."""

    def s15f16(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(values: tuple[float, float, float]) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(s15f16(v) for v in values)

    def text_desc(text: str) -> bytes:
        ascii_text = text.encode("ascii") + b"\0"
        body = b"desc\0\0\0\0" + struct.pack(">I", len(ascii_text)) + ascii_text
        return body + b"\0" * 8 + b"\0" * 3 + b"\0" * 67  # no Unicode, no ScriptCode

    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(ADOBE_RGB_GAMMA * 256)) + b"\0\0"
    tags = [
        (b"desc", text_desc("Adobe RGB (1998) compatible, generated")),
        (b"cprt", b"text\0\0\0\0" + b"public domain\0"),
        (b"wtpt", xyz((0.96420, 1.0, 0.82491))),
        *((name, xyz(values)) for name, values in ADOBE_RGB_COLORANTS.items()),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    entries, data = [], b""
    for name, body in tags:
        while (offset + len(data)) % 4:
            data += b"\0"
        entries.append(struct.pack(">4sII", name, offset + len(data), len(body)))
        data += body
    total = 128 + table_size + len(data)
    header = (
        struct.pack(">I", total)
        + b"lcms"
        + bytes([2, 0x10, 0, 0])
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"\0" * 24
        + struct.pack(">I", 0)  # perceptual
        + s15f16(0.9642)
        + s15f16(1.0)
        + s15f16(0.8249)
        + b"\0" * 4
        + b"\0" * 44
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + b"".join(entries) + data


def adobe_rgb_to_srgb(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """Reference conversion by the published matrices (D65), independent of littlecms."""
    to_xyz = (
        (0.5767309, 0.1855540, 0.1881852),
        (0.2973769, 0.6273491, 0.0752741),
        (0.0270343, 0.0706872, 0.9911085),
    )
    to_srgb = (
        (3.2404542, -1.5371385, -0.4985314),
        (-0.9692660, 1.8760108, 0.0415560),
        (0.0556434, -0.2040259, 1.0572252),
    )
    linear = [(c / 255) ** ADOBE_RGB_GAMMA for c in rgb]
    xyz_ = [sum(m * v for m, v in zip(row, linear, strict=True)) for row in to_xyz]
    out = []
    for row in to_srgb:
        v = min(1.0, max(0.0, sum(m * x for m, x in zip(row, xyz_, strict=True))))
        v = 12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055
        out.append(round(v * 255))
    return out[0], out[1], out[2]
