"""The app package's two icons, drawn here as PNGs (zlib + struct, no imaging library).

Teams wants a 192x192 full-colour icon and a 32x32 outline icon: white on a
transparent background. Both show a speech bubble.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)
Pixel = tuple[int, int, int, int]


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An 8-bit RGBA PNG whose pixel (x, y) is `pixel(x, y)`."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def in_bubble(x: float, y: float, inset: float = 0.0) -> bool:
    """Whether (x, y) in the unit square lies in the speech bubble (shrunk by `inset`)."""
    left, top, right, bottom, radius = 0.14 + inset, 0.2 + inset, 0.86 - inset, 0.68 - inset, 0.12
    if left <= x <= right and top <= y <= bottom:
        cx = min(max(x, left + radius), right - radius)
        cy = min(max(y, top + radius), bottom - radius)
        return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2
    tail_top, tail_bottom = 0.66 - inset, 0.86 - 2 * inset
    if tail_top <= y <= tail_bottom:  # a tail down to the left, under the bubble
        share = (y - tail_top) / max(tail_bottom - tail_top, 1e-6)
        return 0.26 + inset + 0.06 * share <= x <= 0.44 - inset - 0.12 * share
    return False


def hex_rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def color_icon(accent: str, size: int = 192) -> bytes:
    """The accent colour, edge to edge, with a white bubble and three accent dots."""
    background = (*hex_rgb(accent), 255)

    def pixel(x: int, y: int) -> Pixel:
        u, v = (x + 0.5) / size, (y + 0.5) / size
        for dot in (0.34, 0.5, 0.66):
            if (u - dot) ** 2 + (v - 0.44) ** 2 <= 0.045**2:
                return background
        return WHITE if in_bubble(u, v) else background

    return png(size, size, pixel)


def outline_icon(size: int = 32) -> bytes:
    """The bubble's white outline on transparency."""
    stroke = 2.0 / size

    def pixel(x: int, y: int) -> Pixel:
        u, v = (x + 0.5) / size, (y + 0.5) / size
        return WHITE if in_bubble(u, v) and not in_bubble(u, v, stroke) else CLEAR

    return png(size, size, pixel)
