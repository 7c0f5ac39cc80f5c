"""Cutting long text into parts that fit Slack's limits, keeping code blocks whole."""

from __future__ import annotations


def split_text(text: str, limit: int) -> list[str]:
    """Cut text into parts of at most `limit` characters.

    Breaks at a blank line when one is in the second half of a part, else at a line
    end, else inside the line at a space. A code block cut in two is closed at the end
    of one part and reopened at the start of the next, so both render as code.
    """
    if len(text) <= limit:
        return [text] if text.strip() else []
    parts: list[str] = []
    current: list[tuple[str, bool]] = []  # (line, inside a code fence before this line)
    fence = False
    for line in _short_lines(text.split("\n"), limit - 8):
        if current and _size(current) + len(line) + 5 > limit:
            current = _flush(current, fence, parts)
        current.append((line, fence))
        if line.lstrip().startswith("```"):
            fence = not fence
    if current:
        _flush(current + [("", fence)], fence, parts, final=True)
    return [p for p in parts if p.strip()]


def _size(lines: list[tuple[str, bool]]) -> int:
    return sum(len(line) + 1 for line, _ in lines)


def _flush(current, fence: bool, parts: list[str], final: bool = False):
    cut = len(current)
    if not final:
        half = _size(current) // 2
        seen = 0
        for i, (line, inside) in enumerate(current):
            seen += len(line) + 1
            if seen > half and line == "" and not inside and i > 0:
                cut = i
                break
    head, rest = current[:cut], current[cut + 1 if cut < len(current) else cut :]
    open_at_cut = rest[0][1] if rest else fence
    lines = [line for line, _ in head] + (["```"] if open_at_cut and not final else [])
    parts.append("\n".join(lines).strip("\n"))
    if open_at_cut and not final:
        return [("```", False)] + rest
    return rest


def _short_lines(lines: list[str], width: int):
    for line in lines:
        while len(line) > width:
            cut = line.rfind(" ", 0, width)
            cut = cut if cut > width // 2 else width
            yield line[:cut]
            line = line[cut:].lstrip(" ")
        yield line
