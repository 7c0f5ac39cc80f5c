"""Sections -> chunks that fit the embedding model, counted in the model's own tokens.

Guarantee: every chunk's `embedding_text` ("title > section" line, the page's summary line
(ingest/summary.py) unless the chunk holds it, + text), with the
model's special tokens ([CLS], [SEP]) added, is at most `max_tokens` tokens, and no text
is dropped: long text is split, never cut. Token counts of whitespace-joined parts add
up exactly for whitespace-splitting tokenizers such as MiniLM's WordPiece; any chunk
whose count is not known exactly (other tokenizers, text cut inside a word) is counted
again in full and split again if it came out over.

How text is split: one chunk = one section path. A section that does not fit is split at
paragraph boundaries, then lines, then sentences, then words; a word longer than the limit
(a base64 blob) is cut into token-sized pieces. A chunk that continues a split paragraph
repeats up to `overlap_tokens` of its preceding text. Consecutive small sections under
the same top-level heading are merged while the result stays within `merge_tokens`
(default: half the limit, about the passage length MiniLM was trained on): the chunk is
labelled with their common heading path, each merged section's own headings start its
text, and the link goes to the first merged section's anchor. A "title > section" line
longer than a quarter of the limit is shortened (section to its last heading, then both
cut with "…") so that text always has room.

Speed: each paragraph is counted once by the fast tokenizer's batch encoder, all heading
lines of a document in one more batch; only text that does not fit is split and counted
again, so the cost grows linearly with the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from deskbot.core.errors import DocumentError
from ingest.document import Chunk, Document, Section, embedding_text
from ingest.summary import fit_summary, holds
from ingest.token_counter import TokenCounter

_SENTENCE_END = re.compile(r"(?<=[.!?;:。！？])\s+|(?<=[.!?][\"')\]])\s+")
_ANCHOR_SAFE = "-._~!$&'()*+,;=:@/?"


@dataclass
class _Atom:
    """An unsplittable run of text, with the separator that joins it to the one before."""

    text: str
    tokens: int
    sep: str  # "\n\n", "\n" or " "; "" between pieces of one over-long word
    para: int  # which paragraph it came from (overlap stays inside one paragraph)


@dataclass
class _Piece:
    """A planned chunk: its labels, text, and the text's token count if known exactly."""

    title: str
    section: str
    anchor: str
    text: str
    budget: int  # tokens its text may use
    tokens: int | None = None  # None: count it again before trusting it


class Chunker:
    """Turns a parsed document into chunks bounded by the model's token limit.

    `summary_tokens` caps the page summary embedded with each chunk (default: a sixth of
    `max_tokens`; 0 leaves it out). Keeps per-document scratch state: share one between
    threads only with a lock.
    """

    def __init__(
        self,
        tokenizer,
        max_tokens: int,
        overlap_tokens: int = 32,
        merge_tokens: int | None = None,
        summary_tokens: int | None = None,
    ) -> None:
        if max_tokens < 32:
            raise ValueError(f"max_tokens must be at least 32, got {max_tokens}")
        self.counter = TokenCounter(tokenizer)
        self.max_tokens = max_tokens
        self.overlap_tokens = max(0, min(overlap_tokens, max_tokens // 4))
        self.merge_tokens = max_tokens // 2 if merge_tokens is None else merge_tokens
        self.header_limit = max_tokens // 4
        self.summary_limit = max_tokens // 6 if summary_tokens is None else summary_tokens
        self._known: dict[str, int] = {}  # token counts of heading lines, per document
        self._summary, self._summary_tokens = "", 0  # the page summary line, per document

    def chunk(self, doc: Document, sections: Sequence[Section]) -> list[Chunk]:
        """Chunks of `doc` in document order, numbered 0..n-1."""
        sections = [s for s in sections if s.text.strip()]
        paragraphs = [_paragraphs(s.text) for s in sections]
        flat = iter(self.counter.counts([p for paras in paragraphs for p in paras]))
        sizes = [[next(flat) for _ in paras] for paras in paragraphs]
        self._known = {}
        self._summary, self._summary_tokens = fit_summary(
            self.counter, sections, self.summary_limit
        )
        self._remember(_heading_lines(doc.title, sections))
        pieces = self._enforce(doc, self._plan(doc, sections, paragraphs, sizes))
        return [self._make_chunk(doc, n, piece) for n, piece in enumerate(pieces)]

    # --- planning --------------------------------------------------------------------

    def _plan(self, doc, sections, paragraphs, sizes) -> list[_Piece]:
        pieces: list[_Piece] = []
        i = 0
        while i < len(sections):
            group = self._group(doc, sections, sizes, i)
            if len(group) > 1:
                pieces.append(self._merged(doc, sections, sizes, group)[0])
            else:
                pieces.extend(self._section_pieces(doc, sections[i], paragraphs[i], sizes[i]))
            i = group[-1] + 1
        return pieces

    def _group(self, doc, sections, sizes, first: int) -> list[int]:
        """Indices of the run of small sections from `first` on that merge into one chunk."""
        group = [first]
        top = sections[first].path[:1]
        total = sum(sizes[first])
        for k in range(first + 1, len(sections)):
            total += sum(sizes[k])
            if not top or sections[k].path[:1] != top or total > self.merge_tokens:
                break
            merged, tokens = self._merged(doc, sections, sizes, [*group, k])
            if tokens > min(self.merge_tokens, merged.budget):
                break
            group.append(k)
        return group

    def _merged(self, doc, sections, sizes, group: list[int]) -> tuple[_Piece, int]:
        """Sections under their common heading path, each introduced by its own headings.

        Returns the piece and its text's token count (exact for additive tokenizers).
        """
        prefix = _common_prefix([sections[k].path for k in group])
        parts, tokens = [], 0
        for k in group:
            rest = " > ".join(sections[k].path[len(prefix) :])
            parts.append(f"{rest}\n{sections[k].text}" if rest else sections[k].text)
            tokens += sum(sizes[k]) + (self._count(rest) if rest else 0)
        title, section, budget = self._label(doc.title, prefix)
        exact = tokens if self.counter.additive else None
        text = "\n\n".join(parts)
        return _Piece(title, section, sections[group[0]].anchor, text, budget, exact), tokens

    def _section_pieces(self, doc, section: Section, paras, sizes) -> list[_Piece]:
        title, label, budget = self._label(doc.title, section.path)
        if sum(sizes) <= budget:
            exact = sum(sizes) if self.counter.additive else None
            return [_Piece(title, label, section.anchor, section.text, budget, exact)]
        return [
            _Piece(title, label, section.anchor, text, budget, tokens)
            for text, tokens in self._split(paras, sizes, budget)
        ]

    def _label(self, title: str, path: tuple[str, ...]) -> tuple[str, str, int]:
        """(title, section label, tokens left for the text); long labels are shortened."""
        section = " > ".join(path)
        if self._count(_heading(title, section)) > self.header_limit:
            section = path[-1] if path else ""
        if self._count(_heading(title, section)) > self.header_limit:
            half = self.header_limit // 2 - 1
            title, section = (
                self.counter.truncate(title, half),
                self.counter.truncate(section, half),
            )
        header = self._count(_heading(title, section) + "\n") + self._summary_tokens
        return title, section, self.max_tokens - self.counter.special - header

    def _count(self, text: str) -> int:
        if text not in self._known:
            self._known[text] = self.counter.count(text)
        return self._known[text]

    def _remember(self, texts: list[str]) -> None:
        self._known.update(zip(texts, self.counter.counts(texts), strict=True))

    # --- splitting -------------------------------------------------------------------

    def _split(self, paras, sizes, budget: int) -> list[tuple[str, int | None]]:
        """Paragraphs -> (text, exact token count or None) of at most `budget` tokens."""
        atoms = [_Atom(p, n, "\n\n", k) for k, (p, n) in enumerate(zip(paras, sizes, strict=True))]
        for splitter, inner in ((_lines, "\n"), (_sentences, " "), (str.split, " ")):
            atoms = self._refine(atoms, budget, splitter, inner)
        return self._pack(self._refine(atoms, budget, self._token_pieces(budget), ""), budget)

    def _refine(self, atoms: list[_Atom], budget: int, splitter, inner: str) -> list[_Atom]:
        """Split every atom over `budget` with `splitter`; one batch counts all new parts."""
        splits = {i: splitter(a.text) for i, a in enumerate(atoms) if a.tokens > budget}
        splits = {i: parts for i, parts in splits.items() if len(parts) > 1}
        if not splits:
            return atoms
        counts = iter(self.counter.counts([p for parts in splits.values() for p in parts]))
        refined: list[_Atom] = []
        for i, atom in enumerate(atoms):
            if i not in splits:
                refined.append(atom)
                continue
            for k, part in enumerate(splits[i]):
                refined.append(_Atom(part, next(counts), atom.sep if k == 0 else inner, atom.para))
        return refined

    def _token_pieces(self, budget: int):
        return lambda text: self.counter.pieces(text, max(1, budget - 2))

    def _pack(self, atoms: list[_Atom], budget: int) -> list[tuple[str, int | None]]:
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
        return [(_join(c), self._exact(c)) for c in chunks]

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

    def _exact(self, atoms: list[_Atom]) -> int | None:
        """The chunk's token count if whitespace joins make it exact, else None."""
        if not self.counter.additive or any(a.sep == "" for a in atoms[1:]):
            return None
        return sum(a.tokens for a in atoms)

    # --- checking --------------------------------------------------------------------

    def _enforce(self, doc: Document, pieces: list[_Piece]) -> list[_Piece]:
        """Count unsure pieces in full (special tokens included); split any that are over."""
        checked: set[int] = set()
        for _ in range(10):
            unsure = [p for p in pieces if p.tokens is None and id(p) not in checked]
            full = self.counter.counts([self._embedding_text(p) for p in unsure], special=True)
            over = {id(p): n for p, n in zip(unsure, full, strict=True) if n > self.max_tokens}
            if not over:
                return pieces
            fixed: list[_Piece] = []
            for piece in pieces:
                if id(piece) not in over:
                    checked.add(id(piece))
                    fixed.append(piece)
                    continue
                budget = max(1, piece.budget - (over[id(piece)] - self.max_tokens) - 1)
                paras = _paragraphs(piece.text)
                splits = self._split(paras, self.counter.counts(paras), budget)
                fixed.extend(
                    _Piece(piece.title, piece.section, piece.anchor, t, budget) for t, _ in splits
                )
            pieces = fixed
        raise DocumentError(
            f"{doc.source} {doc.doc_id}: a chunk still exceeds {self.max_tokens} tokens after 10 splits"
        )

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
            summary=self._piece_summary(piece),
        )

    def _piece_summary(self, piece: _Piece) -> str:
        return "" if holds(piece.text, self._summary) else self._summary

    def _embedding_text(self, piece: _Piece) -> str:
        return embedding_text(piece.title, piece.section, self._piece_summary(piece), piece.text)


def chunk_document(doc: Document, chunker: Chunker) -> list[Chunk]:
    """Parse and chunk one document."""
    from ingest.parse import parse

    return chunker.chunk(doc, parse(doc))


def _heading(title: str, section: str) -> str:
    return title if not section else f"{title} > {section}"


def _heading_lines(title: str, sections: Sequence[Section]) -> list[str]:
    """Every "title > path" line (and its bare form) a document's chunks may carry."""
    lines = {title, title + "\n"}
    for section in sections:
        for n in range(1, len(section.path) + 1):
            line = _heading(title, " > ".join(section.path[:n]))
            lines.update((line, line + "\n"))
    return sorted(lines)


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
