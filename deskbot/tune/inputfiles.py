"""Input files read within limits, with bad bytes named by file and line.

Exports are untrusted and can be large. Files with one record per line (JSONL, CSV)
are streamed line by line, so a file of any size goes through in little memory, and
one line may hold at most MAX_RECORD_BYTES; a whole-document JSON export (a Zendesk
`{"tickets": [...]}` file, Slack export day files) may be at most MAX_DOCUMENT_BYTES.
Bytes that are not UTF-8 are reported like any bad record, e.g.
`tickets.csv:7: not UTF-8 text (byte 0xff at column 31)`.

Why 1 MB a record: the largest fine-tuning example the providers accept is 65,536
tokens (about 256 KB of English text) and a help-desk question or answer is a few KB;
four times the largest example leaves room for markup and metadata (Zendesk sends
`html_body` beside `body`). A single 50 MB record once made `simulate` use 3.5 GB for one
question; now it is skipped with a one-line problem.
Why 200 MB a document: parsing keeps the bytes, the text and the objects in memory at
once (about 2.6 times the file at peak, measured on a Zendesk-shaped export), so a
200 MB document needs about 0.5 GB; larger exports should be JSONL (one ticket per
line), which has no size limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

MAX_RECORD_BYTES = 1_000_000
MAX_DOCUMENT_BYTES = 200_000_000
_READ = 1 << 16


class Sink(Protocol):
    def add(self, file: Path | str, line: int | None, message: str) -> None: ...


def _mb(size: int) -> str:
    return f"{size / 1e6:.3g} MB" if size >= 1e6 else f"{size / 1e3:.3g} KB"


def record_too_large(size: int) -> str:
    return f"record of {_mb(size)} is over the {_mb(MAX_RECORD_BYTES)} limit for one record"


def utf8_error(raw: bytes) -> str | None:
    """Why `raw` (one line) is not UTF-8 text, or None when it is."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        column = exc.start + 1
        return f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {column})"
    return None


def raw_lines(handle: BinaryIO, limit: int = MAX_RECORD_BYTES) -> Iterator[tuple[int, bytes, int]]:
    """(line number, bytes with the line end, length) of every line.

    A line over `limit` bytes is not kept: it comes as b"" with its real length, and
    only `limit` bytes of it are ever held in memory.
    """
    number = 0
    while True:
        raw = handle.readline(limit + 1)
        if not raw:
            return
        number += 1
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if len(raw) > limit and not raw.endswith(b"\n"):
            length = len(raw) + _skip_line(handle)
            yield number, b"", length
            continue
        yield number, raw, len(raw)


def _skip_line(handle: BinaryIO) -> int:
    """Read past the rest of the current line; how many bytes that was."""
    skipped = 0
    while chunk := handle.readline(_READ):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


def text_lines(path: Path, sink: Sink) -> Iterator[tuple[int, str]]:
    """(line number, text) of the usable lines of a line-per-record file.

    Lines that are too long or not UTF-8 are reported to `sink` and skipped.
    """
    try:
        handle = path.open("rb")
    except OSError as exc:
        sink.add(path, None, f"cannot be read ({exc.strerror})")
        return
    with handle:
        for number, raw, length in raw_lines(handle):
            raw = raw.rstrip(b"\r\n")
            if length > MAX_RECORD_BYTES:
                sink.add(path, number, record_too_large(length) + "; skipped")
            elif problem := utf8_error(raw):
                sink.add(path, number, problem + "; skipped")
            else:
                yield number, raw.decode("utf-8")


def first_line_is_object(path: Path) -> bool:
    """True when the file's first line alone is a JSON object (JSONL under a .json name)."""
    import json

    try:
        with path.open("rb") as handle:
            number, raw, length = next(raw_lines(handle), (0, b"", 0))
        value = json.loads(raw) if number and length <= MAX_RECORD_BYTES else None
    except (OSError, ValueError):
        return False
    return isinstance(value, dict)


def read_document(path: Path, sink: Sink, limit: int = MAX_DOCUMENT_BYTES) -> str | None:
    """The text of a whole-document file, or None after reporting why not."""
    try:
        size = path.stat().st_size
        if size > limit:
            sink.add(
                path,
                None,
                f"{_mb(size)} is over the {_mb(limit)} limit for one JSON document; export "
                "one record per line (JSONL), which is read line by line with no size limit",
            )
            return None
        data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    except OSError as exc:
        sink.add(path, None, f"cannot be read ({exc.strerror})")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problem = f"not UTF-8 text (byte 0x{data[exc.start]:02x} at column {column})"
        sink.add(path, line, f"{problem}; the file is skipped")
        return None
