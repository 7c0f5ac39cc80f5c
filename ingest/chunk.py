"""Sections -> chunks that fit the embedding model, counted in the model's own tokens.

Guarantee: every chunk's `embedding_text` ("title > section" line + text), with the
model's special tokens ([CLS], [SEP]) added, is at most `max_tokens` tokens, and no text
is dropped: long text is split, never cut. Each final text is re-counted; one that came
out over (token counts of joined pieces are not always additive) is split again.

How text is split: one chunk = one section path. A section that does not fit is split at
paragraph boundaries, then lines, then sentences, then words; a word longer than the limit
(a base64 blob) is cut into token-sized pieces. Chunks that split a paragraph repeat up
to `overlap_tokens` of its preceding text. Consecutive small sections under the same
top-level heading are merged while the result stays within `merge_tokens` (default half
the limit, about the passage length MiniLM was trained on): the chunk is labelled with
their common heading path, each merged section's own headings start its text, and the
link goes to the first merged section's anchor.

Speed: each paragraph is counted once by the fast tokenizer's batch encoder (no special
tokens, no truncation); only paragraphs that do not fit are split and counted again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from ingest.document import Chunk, Document, Section
from ingest.errors import EmbeddingModelError

_SENTENCE_END = re.compile(r"(?<=[.!?;:。！？])\s+|(?<=[.!?][\"')\]])\s+")
_ANCHOR_SAFE = "-._~!$&'()*+,;=:@/?"


class TokenCounter:
    """Counts tokens with a private copy of a Hugging Face fast tokenizer."""

    def __init__(self, tokenizer) -> None:
        backend = getattr(tokenizer, "backend_tokenizer", None)
        if backend is None:
            raise EmbeddingModelError(
                "The chunker needs the model's fast (Rust) tokenizer; this model only has a slow one."
            )
        from tokenizers import Tokenizer

        # A copy, so turning off truncation and padding cannot touch the embedder's.
        self.tokenizer = Tokenizer.from_str(backend.to_str())
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.special = len(self.tokenizer.encode("", add_special_tokens=True).ids)

    def counts(self, texts: Sequence[str], *, special: bool = False) -> list[int]:
        if not texts:
            return []
        encoded = self.tokenizer.encode_batch_fast(list(texts), add_special_tokens=special)
        return [len(e.ids) for e in encoded]

    def count(self, text: str) -> int:
        return self.counts([text])[0]

    def pieces(self, text: str, size: int) -> list[str]:
        """Cut `text` at token boundaries into pieces of at most `size` tokens."""
        offsets = self.tokenizer.encode(text, add_special_tokens=False).offsets
        cuts = [offsets[i][0] for i in range(size, len(offsets), size)]
        bounds = [0, *cuts, len(text)]
        return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if text[a:b]]

    def truncate(self, text: str, size: int) -> str:
        """The first `size` tokens of `text` (for over-long headings only)."""
        offsets = self.tokenizer.encode(text, add_special_tokens=False).offsets
        if len(offsets) <= size:
            return text
        return text[: offsets[size - 1][1]].rstrip() + "…"


@dataclass
class _Atom:
    """An unsplittable run of text, with the separator that joins it to the one before."""

    text: str
    tokens: int
    sep: str
    para: int  # which paragraph it came from (overlap stays inside one paragraph)


@dataclass
class _Piece:
    """A planned chunk."""

    title: str
    section: str
    anchor: str
    text: str
    budget: int  # tokens its text may use


class Chunker:
    """Turns a parsed document into chunks bounded by the model's token limit."""

    def __init__(
        self,
        tokenizer,
        max_tokens: int,
        overlap_tokens: int = 32,
        merge_tokens: int | None = None,
    ) -> None:
        if max_tokens < 32:
            raise ValueError(f"max_tokens must be at least 32, got {max_tokens}")
        self.counter = TokenCounter(tokenizer)
        self.max_tokens = max_tokens
        self.overlap_tokens = max(0, min(overlap_tokens, max_tokens // 4))
        self.merge_tokens = merge_tokens if merge_tokens is not None else max_tokens // 2
        self.header_limit = max_tokens // 4  # a longer "title > section" line is shortened
        self._labels_seen: dict[tuple[str, tuple[str, ...]], tuple[str, str, int]] = {}

    # --- public --------------------------------------------------------------------

    def chunk(self, doc: Document, sections: Sequence[Section]) -> list[Chunk]:
        """Chunks of `doc` in document order, numbered 0..n-1."""
        self._labels_seen: dict[tuple[str, tuple[str, ...]], tuple[str, str, int]] = {}
        sections = [s for s in sections if s.text.strip()]
        paragraphs = [_paragraphs(s.text) for s in sections]
        flat = self.counter.counts([p for paras in paragraphs for p in paras])
        sizes, start = [], 0
        for paras in paragraphs:
            sizes.append(flat[start : start + len(paras)])
            start += len(paras)
        pieces = self._plan(doc, sections, paragraphs, sizes)
        pieces = self._enforce(pieces)
        return [self._make_chunk(doc, n, piece) for n, piece in enumerate(pieces)]

    # --- planning --------------------------------------------------------------------

    def _plan(self, doc, sections, paragraphs, sizes) -> list[_Piece]:
        pieces: list[_Piece] = []
        i = 0
        while i < len(sections):
            group = self._group(doc, sections, sizes, i)
            if len(group) > 1:
                pieces.append(self._merged(doc, [sections[k] for k in group]))
            else:
                pieces.extend(self._section_pieces(doc, sections[i], paragraphs[i], sizes[i]))
            i = group[-1] + 1
        return pieces

    def _group(self, doc, sections, sizes, first: int) -> list[int]:
        """Indices of the run of small sections starting at `first` that merge into one."""
        group = [first]
        total = sum(sizes[first])
        top = sections[first].path[:1]
        for k in range(first + 1, len(sections)):
            if not top or sections[k].path[:1] != top:
                break
            total += sum(sizes[k])
            if total > self.merge_tokens:
                break
            candidate = group + [k]
            merged = self._merged(doc, [sections[j] for j in candidate])
            if self.counter.count(merged.text) > min(self.merge_tokens, merged.budget):
                break
            group = candidate
        return group

    def _merged(self, doc: Document, members: list[Section]) -> _Piece:
        """Sections under one common heading path, each introduced by its own headings."""
        prefix = _common_prefix([m.path for m in members])
        parts = []
        for member in members:
            rest = " > ".join(member.path[len(prefix) :])
            parts.append(f"{rest}\n{member.text}" if rest else member.text)
        title, section, budget = self._label(doc.title, prefix)
        return _Piece(title, section, members[0].anchor, "\n\n".join(parts), budget)

    def _section_pieces(self, doc, section: Section, paras, sizes) -> list[_Piece]:
        title, label, budget = self._label(doc.title, section.path)
        texts = [section.text] if sum(sizes) <= budget else self._split(paras, sizes, budget)
        return [_Piece(title, label, section.anchor, text, budget) for text in texts]

    def _label(self, title: str, path: tuple[str, ...]) -> tuple[str, str, int]:
        """(title, section label, token budget left for the text), cached per document."""
        key = (title, path)
        if key not in self._labels_seen:
            title, section = self._labels(title, path)
            self._labels_seen[key] = (title, section, self._budget(title, section))
        return self._labels_seen[key]

    def _labels(self, title: str, path: tuple[str, ...]) -> tuple[str, str]:
        """Title and section label, shortened when they would crowd out the text."""
        section = " > ".join(path)
        if self.counter.count(_heading(title, section)) <= self.header_limit:
            return title, section
        section = path[-1] if path else ""
        if self.counter.count(_heading(title, section)) <= self.header_limit:
            return title, section
        half = self.header_limit // 2 - 1
        return self.counter.truncate(title, half), self.counter.truncate(section, half)

    def _budget(self, title: str, section: str) -> int:
        header = self.counter.count(_heading(title, section) + "\n")
        return self.max_tokens - self.counter.special - header

    # --- splitting -------------------------------------------------------------------

    def _split(self, paras: list[str], sizes: list[int], budget: int) -> list[str]:
        """Paragraphs (with their token counts) -> texts of at most `budget` tokens."""
        atoms = [
            atom
            for n, (para, size) in enumerate(zip(paras, sizes, strict=True))
            for atom in self._atoms(para, size, budget, n, "\n\n")
        ]
        return self._pack(atoms, budget)

    def _atoms(self, text: str, tokens: int, budget: int, para: int, sep: str) -> list[_Atom]:
        """`text` as atoms of at most `budget` tokens: lines, sentences, words, pieces."""
        if tokens <= budget:
            return [_Atom(text, tokens, sep, para)]
        for splitter, inner in ((_lines, "\n"), (_sentences, " "), (str.split, " ")):
            parts = splitter(text)
            if len(parts) > 1:
                counts = self.counter.counts(parts)
                atoms: list[_Atom] = []
                for k, (part, count) in enumerate(zip(parts, counts, strict=True)):
                    atoms.extend(self._atoms(part, count, budget, para, sep if k == 0 else inner))
                return atoms
        pieces = self.counter.pieces(text, max(1, budget - 2))
        counts = self.counter.counts(pieces)
        return [
            _Atom(piece, count, sep if k == 0 else "", para)
            for k, (piece, count) in enumerate(zip(pieces, counts, strict=True))
        ]

    def _pack(self, atoms: list[_Atom], budget: int) -> list[str]:
        """Greedy: fill each chunk with whole atoms; repeat a paragraph's tail on a split."""
        chunks: list[list[_Atom]] = []
        current: list[_Atom] = []
        used = 0
        for atom in atoms:
            if current and used + atom.tokens > budget:
                chunks.append(current)
                current = self._overlap(current, atom, budget)
                used = sum(a.tokens for a in current)
            current.append(atom)
            used += atom.tokens
        if current:
            chunks.append(current)
        return [_join(c) for c in chunks]

    def _overlap(self, previous: list[_Atom], nxt: _Atom, budget: int) -> list[_Atom]:
        """Trailing atoms of `previous` from the same paragraph as `nxt`, if they fit."""
        tail: list[_Atom] = []
        used = 0
        for atom in reversed(previous):
            if atom.para != nxt.para or used + atom.tokens > self.overlap_tokens:
                break
            tail.insert(0, atom)
            used += atom.tokens
        while tail and used + nxt.tokens > budget:
            used -= tail.pop(0).tokens
        return tail

    # --- checking --------------------------------------------------------------------

    def _enforce(self, pieces: list[_Piece]) -> list[_Piece]:
        """Re-count each final text with special tokens; split again any that came out over."""
        for _ in range(8):
            full = self.counter.counts([_embedding_text(p) for p in pieces], special=True)
            if all(n <= self.max_tokens for n in full):
                return pieces
            fixed: list[_Piece] = []
            for piece, n in zip(pieces, full, strict=True):
                if n <= self.max_tokens:
                    fixed.append(piece)
                    continue
                budget = max(1, piece.budget - (n - self.max_tokens) - 1)
                paras = _paragraphs(piece.text)
                fixed.extend(
                    _Piece(piece.title, piece.section, piece.anchor, text, budget)
                    for text in self._split(paras, self.counter.counts(paras), budget)
                )
            pieces = fixed
        raise AssertionError("chunker could not fit a chunk into the token limit")

    def _make_chunk(self, doc: Document, n: int, piece: _Piece) -> Chunk:
        url = doc.url
        if url and piece.anchor:
            url = f"{url}#{quote(piece.anchor, safe=_ANCHOR_SAFE)}"
        return Chunk(
            source=doc.source,
            doc_id=doc.doc_id,
            chunk_no=n,
            title=piece.title,
            section=piece.section,
            url=url,
            text=piece.text,
            doc_hash=doc.content_hash,
            updated_at=doc.updated_at,
            breadcrumb=doc.breadcrumb,
            labels=doc.labels,
        )


def chunk_document(doc: Document, chunker: Chunker) -> list[Chunk]:
    """Parse and chunk one document."""
    from ingest.parse import parse

    return chunker.chunk(doc, parse(doc))


def _heading(title: str, section: str) -> str:
    return title if not section else f"{title} > {section}"


def _embedding_text(piece: _Piece) -> str:
    return f"{_heading(piece.title, piece.section)}\n{piece.text}"


def _join(atoms: list[_Atom]) -> str:
    return atoms[0].text + "".join(a.sep + a.text for a in atoms[1:])


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def _common_prefix(paths: list[tuple[str, ...]]) -> tuple[str, ...]:
    prefix = paths[0]
    for path in paths[1:]:
        n = 0
        while n < min(len(prefix), len(path)) and prefix[n] == path[n]:
            n += 1
        prefix = prefix[:n]
    return prefix
