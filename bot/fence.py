"""Quoting untrusted text for a model: tags that no quoted text can close.

A `Fence` has one random boundary per request and puts it in every tag name
(`<passage-7f3a9c…>` … `</passage-7f3a9c…>`). The boundary is drawn again while it
occurs in any of the quoted texts, compared the way a reader would see them (NFKC,
case-folded, invisible characters dropped, look-alike letters and digits mapped,
punctuation and spaces ignored), so even a text that guessed the boundary cannot
write the closing tag. Tag-like text that names one of our tags (`</passage>`,
`< /PASSAGE >`, `＜/passage＞`, `</pаssage>` with a Cyrillic а, `&lt;/passage&gt;`)
is defused as well: its opening bracket becomes `[`, so no model takes it for a tag.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

TAG_NAMES = ("passage", "question", "answer", "example")  # "passages" starts with "passage"
BOUNDARY_BYTES = 8  # 64 random bits: 16 hex digits
MAX_DRAWS = 32
_BOUNDARY = re.compile(r"[0-9a-f]{16,64}")
# "<" and what a reader may take for it, including HTML's ways of writing it
_OPENING = re.compile(
    "[<\uff1c\ufe64\u2039\u3008\u2329\u27e8\u02c2\u1438\u276c\u276e\u2770\u29fc]"
    r"|&(?:lt;?|#0*60;?|#x0*3c;?)",
    re.IGNORECASE,
)
# letters of other scripts (after case-folding) that look like Latin ones
_LOOKALIKES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "ѕ": "s", "і": "i", "ј": "j",
        "ԛ": "q", "ԝ": "w", "х": "x", "у": "y", "һ": "h", "ԁ": "d", "ɡ": "g", "ɑ": "a",
        "ո": "n", "ս": "u", "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i",
        "ε": "e", "κ": "k", "μ": "u", "ϲ": "c", "ѐ": "e", "ё": "e", "ӏ": "l", "ɩ": "i",
    }
)  # fmt: skip


def new_boundary() -> str:
    return secrets.token_hex(BOUNDARY_BYTES)


def first_then_random(boundary: str) -> Callable[[], str]:
    """Draws `boundary` first (when no quoted text holds it), then random ones."""
    draws = iter([boundary])
    return lambda: next(draws, None) or new_boundary()


def as_read(text: str) -> str:
    """`text` as a reader sees it: NFKC, case-folded, look-alikes mapped, invisibles dropped."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_LOOKALIKES)
    return "".join(_plain_digit(ch) for ch in folded if unicodedata.category(ch) != "Cf")


def _plain_digit(ch: str) -> str:
    value = unicodedata.decimal(ch, None) if not ch.isascii() else None
    return ch if value is None else str(value)


def _compact(text: str) -> str:
    return "".join(ch for ch in as_read(text) if ch.isalnum())


def _word_after(text: str, pos: int) -> str:
    """The first word after `pos` as read, past up to 8 spaces, slashes or invisibles."""
    word: list[str] = []
    gap = 0
    for ch in as_read(text[pos : pos + 64]):
        if ch.isalpha():
            word.append(ch)
            if len(word) == len("question"):
                break
        elif word:
            break
        else:
            gap += 1
            if gap > 8:
                break
    return "".join(word)


def defuse(text: str) -> str:
    """Turn every opening of something that reads as one of our tags into `[`."""
    parts, last = [], 0
    for match in _OPENING.finditer(text):
        if _word_after(text, match.end()).startswith(TAG_NAMES):
            parts += [text[last : match.start()], "["]
            last = match.end()
    return "".join(parts) + text[last:]


@dataclass(frozen=True)
class Fence:
    """Tags `<name-BOUNDARY …>` … `</name-BOUNDARY>` around quoted text."""

    boundary: str

    @classmethod
    def around(cls, texts: Iterable[str], draw: Callable[[], str] = new_boundary) -> Fence:
        """A fence whose boundary occurs in none of `texts`, however disguised."""
        seen = [_compact(text) for text in texts if text]
        for _ in range(MAX_DRAWS):
            boundary = draw().lower()
            if _BOUNDARY.fullmatch(boundary) and not any(boundary in text for text in seen):
                return cls(boundary)
        raise RuntimeError("no usable fence boundary drawn")  # never with random boundaries

    def open(self, name: str, attrs: Mapping[str, str] | None = None) -> str:
        values = "".join(f' {key}="{_attr(value)}"' for key, value in (attrs or {}).items())
        return f"<{name}-{self.boundary}{values}>"

    def close(self, name: str) -> str:
        return f"</{name}-{self.boundary}>"

    def quote(self, name: str, text: str, attrs: Mapping[str, str] | None = None) -> str:
        return f"{self.open(name, attrs)}\n{defuse(text)}\n{self.close(name)}"


def _attr(value: str) -> str:
    return defuse(value).replace('"', "'").replace("\n", " ").replace(">", "›")
