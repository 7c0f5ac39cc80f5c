"""A small BM25-style sparse encoder, computed locally (nothing downloaded).

Words are hashed to stable 32-bit ids, documents get BM25 term-frequency weights,
queries get 1.0 per distinct term. The IDF half of BM25 is applied by Qdrant's
`Modifier.Idf` on the sparse vector, so every backend (Edge, server, the test
stand-in) ranks alike.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Short English list: words that carry no meaning for a help-desk search.
STOPWORDS = frozenset(
    """a an and are as at be but by can could do does did for from had has have how i if in
    into is it its me my of on or our so that the their them then there these they this to
    us was we were what when where which who why will with would you your yours please hi
    hello thanks thank""".split()
)


@lru_cache(maxsize=1 << 15)  # a wiki's vocabulary repeats: stem each word once
def _stem(word: str) -> str:
    """Very light suffix folding so 'printers' finds 'printer' and 'resetting' finds 'reset'."""
    for suffix in ("ies", "ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            if suffix == "ies":
                return word[:-3] + "y"
            stem = word[: -len(suffix)]
            if suffix in ("ing", "ed") and len(stem) > 2 and stem[-1] == stem[-2]:
                stem = stem[:-1]  # resetting -> reset
            if suffix == "s" and word.endswith(("ss", "us", "is", "os")):
                return word  # access, status, analysis, macos
            return stem
    return word


def _kept(words: Iterable[str]) -> Iterator[str]:
    """The lower-cased `words` that count as terms: no stop words, no run-on tokens."""
    return (w for w in words if w not in STOPWORDS and len(w) < 40)


def terms(text: str) -> list[str]:
    """Lower-cased, stop-word-free, lightly stemmed word tokens."""
    return [_stem(w) for w in _kept(w.lower() for w in _WORD.findall(text))]


def term_set(text: str) -> set[str]:
    """The distinct terms of `text`: `set(terms(text))`, each distinct word handled once."""
    return {_stem(w) for w in _kept({w.lower() for w in set(_WORD.findall(text))})}


def term_id(term: str) -> int:
    """Stable across processes and machines (unlike hash())."""
    return zlib.crc32(term.encode("utf-8"))


@dataclass(frozen=True)
class SparseVector:
    indices: list[int]
    values: list[float]


@dataclass(frozen=True)
class BM25Encoder:
    """BM25 term weights; k1, b and avg_len are stored with the collection."""

    k1: float = 1.2
    b: float = 0.75
    avg_len: float = 120.0

    def params(self) -> dict:
        return {"k1": self.k1, "b": self.b, "avg_len": self.avg_len, "tokenizer": "v1"}

    def encode_document(self, text: str) -> SparseVector:
        words = terms(text)
        counts = Counter(term_id(t) for t in words)
        norm = self.k1 * (1 - self.b + self.b * len(words) / self.avg_len)
        items = sorted(counts.items())
        return SparseVector(
            indices=[i for i, _ in items],
            values=[tf * (self.k1 + 1) / (tf + norm) for _, tf in items],
        )

    def encode_query(self, text: str) -> SparseVector:
        ids = sorted({term_id(t) for t in terms(text)})
        return SparseVector(indices=ids, values=[1.0] * len(ids))
