"""JSON arrays read item by item with the line each item starts on.

Exports are single JSON documents (a list, or an object holding a list), and a
bad ticket should be reported as `tickets.json:57`, not as "item 12". The json
module gives positions only for syntax errors, so this walks the array with
`raw_decode` and counts newlines between items.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _skip(text: str, pos: int) -> int:
    match = _WS.match(text, pos)  # the pattern matches the empty string: never None
    return match.end() if match else pos


def _array(text: str, pos: int) -> Iterator[tuple[int, object]]:
    """(offset, item) for the array starting at text[pos] == '['."""
    pos = _skip(text, pos + 1)
    if text.startswith("]", pos):
        return
    while True:
        value, end = _DECODER.raw_decode(text, pos)
        yield pos, value
        pos = _skip(text, end)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
        elif text.startswith("]", pos):
            return
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)


def _member_offset(text: str, key: str) -> int | None:
    """Offset of the value of top-level `key`, walking the object's members."""
    pos = _skip(text, 0)
    if not text.startswith("{", pos):
        return None
    pos = _skip(text, pos + 1)
    while text.startswith('"', pos):
        name, end = _DECODER.raw_decode(text, pos)
        pos = _skip(text, end)
        if not text.startswith(":", pos):
            return None
        pos = _skip(text, pos + 1)
        if name == key:
            return pos
        _, end = _DECODER.raw_decode(text, pos)
        pos = _skip(text, end)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
    return None


def items_with_lines(text: str, key: str | None = None) -> Iterator[tuple[int, object]]:
    """(line, item) for the top-level array, or for the array under top-level `key`.

    The caller has already parsed `text` (so it is valid JSON); yields nothing when
    the expected array is not there.
    """
    start = _skip(text, 0) if key is None else _member_offset(text, key)
    if start is None or not text.startswith("[", start):
        return
    line, last = 1, 0
    for offset, item in _array(text, start):
        line += text.count("\n", last, offset)
        last = offset
        yield line, item
