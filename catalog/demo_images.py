"""Product pictures drawn with Pillow for the demo shop (no downloads): a motif on a coloured ground."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw


def product_picture(
    *, seed: int, ground: tuple[int, int, int], ink: tuple[int, int, int], motif: str
) -> bytes:
    """A 1200 x 1200 JPEG: `motif` is one of mirror, vase, scroll, seal, cloud, star."""
    size = 1200
    image = Image.new("RGB", (size, size), ground)
    draw = ImageDraw.Draw(image)
    centre = size // 2
    # A border of small lozenges, offset by the seed so pictures of one unit differ.
    for i in range(24):
        x = 60 + i * 45 + (seed * 7) % 20
        for y in (40, size - 60):
            draw.polygon([(x, y), (x + 12, y + 12), (x, y + 24), (x - 12, y + 12)], fill=ink)
    if motif == "mirror":
        for r in range(420, 60, -60):
            draw.ellipse([centre - r, centre - r, centre + r, centre + r], outline=ink, width=14)
        for k in range(8):
            a = k * math.pi / 4 + seed
            draw.ellipse(
                [
                    centre + 300 * math.cos(a) - 30,
                    centre + 300 * math.sin(a) - 30,
                    centre + 300 * math.cos(a) + 30,
                    centre + 300 * math.sin(a) + 30,
                ],
                fill=ink,
            )
    elif motif == "vase":
        draw.ellipse([centre - 300, centre - 100, centre + 300, centre + 420], fill=ink)
        draw.rectangle([centre - 110, centre - 380, centre + 110, centre], fill=ink)
        draw.ellipse([centre - 180, centre - 430, centre + 180, centre - 330], fill=ink)
        for k in range(5):
            draw.arc(
                [centre - 250 + k * 20, centre + k * 40, centre + 250 - k * 20, centre + 300],
                200,
                340,
                fill=ground,
                width=10,
            )
    elif motif == "scroll":
        draw.rectangle([180, 260, size - 180, size - 260], fill=(245, 236, 210), outline=ink, width=16)
        for row in range(10):
            y = 320 + row * 58
            draw.line([(260 + (row * seed) % 40, y), (size - 260, y)], fill=ink, width=12)
        for x in (170, size - 170):
            draw.rectangle([x - 30, 220, x + 30, size - 220], fill=ink)
    elif motif == "seal":
        draw.rectangle(
            [centre - 330, centre - 330, centre + 330, centre + 330], outline=(180, 30, 30), width=40
        )
        for k in range(4):
            x0 = centre - 250 + (k % 2) * 270
            y0 = centre - 250 + (k // 2) * 270
            draw.rectangle([x0, y0, x0 + 230, y0 + 230], fill=(180, 30, 30))
            draw.line([(x0 + 40, y0 + 115), (x0 + 190, y0 + 115)], fill=ground, width=24)
    elif motif == "cloud":
        for k in range(6):
            cx = 260 + k * 140
            cy = centre + int(120 * math.sin(k + seed))
            for r in (150, 100, 50):
                draw.arc([cx - r, cy - r, cx + r, cy + r], 180, 360, fill=ink, width=18)
    else:
        points = []
        for k in range(10):
            r = 420 if k % 2 == 0 else 180
            a = -math.pi / 2 + k * math.pi / 5
            points.append((centre + r * math.cos(a), centre + r * math.sin(a)))
        draw.polygon(points, fill=ink)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()
