"""py3langid's byte automaton in ~1 MB instead of ~40 MB, with the same transitions.

py3langid counts a text's byte n-grams by walking it through a DFA whose transition
table (`nextmove`: one 256-entry row of uint32 per distinct row, 38k rows) takes 39 MB.
That DFA is an Aho-Corasick automaton: every state's row is its failure state's row
with the state's own trie edges on top. `Transitions` keeps only those edges and the
failure links, and answers py3langid's lookup `nextmove[rowbase[state] + byte]` (with
`rowbase[state] == state << 8`) by following failure links, as the table was built.
`Transitions.from_table` derives them from py3langid's table and checks, row by row,
that the table is exactly that automaton (ValueError otherwise). Every lookup ends and
gives the table's entry, for every state and byte: depths come from a breadth-first walk, so
a row of depth d leads to depth d + 1 at most and each failure link leads closer to
state 0; by induction on depth, following it reads the row the check compared.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np

CHUNK = 4096  # states compared at once (4 MB of rows)


class Transitions:
    """`self[state << 8 | byte]` -> the next state, as py3langid's `nextmove` gives it."""

    __slots__ = ("_starts", "_labels", "_targets", "_fail")

    def __init__(self, starts: array, labels: bytes, targets: array, fail: array) -> None:
        self._starts, self._labels, self._targets, self._fail = starts, labels, targets, fail

    def __getitem__(self, key: int) -> int:
        state, byte = key >> 8, key & 255
        while True:
            found = self._labels.find(byte, self._starts[state], self._starts[state + 1])
            if found >= 0:
                return self._targets[found]
            if state == 0:
                return 0
            state = self._fail[state]

    @classmethod
    def from_table(cls, nextmove: array, rows: Sequence[int]) -> Transitions:
        """From py3langid's `nextmove` (distinct rows) and `rows` (state -> row)."""
        table = np.frombuffer(memoryview(nextmove).cast("B"), dtype=f"u{nextmove.itemsize}")
        table = table.reshape(-1, 256)
        row_of = np.asarray(rows, dtype=np.int64)
        parent, label, fail = _trie(table, row_of)
        _check_rows(table, row_of, parent, label, fail)
        edges = np.nonzero(parent >= 0)[0]
        children = edges[np.lexsort((label[edges], parent[edges]))]  # by parent, then byte
        per_state = np.bincount(parent[children], minlength=len(parent))
        starts = np.concatenate([[0], np.cumsum(per_state)])
        return cls(
            array("I", starts.astype(np.uint32).tobytes()),
            label[children].astype(np.uint8).tobytes(),
            array("I", children.astype(np.uint32).tobytes()),
            array("I", fail.astype(np.uint32).tobytes()),
        )


def _trie(table: np.ndarray, row_of: np.ndarray):
    """Each state's trie parent and byte (breadth first from state 0) and failure link."""
    count = len(row_of)
    depth = np.full(count, -1, np.int64)
    parent = np.full(count, -1, np.int64)
    label = np.zeros(count, np.int64)
    fail = np.zeros(count, np.int64)
    depth[0], level, frontier = 0, 0, np.zeros(1, np.int64)
    while len(frontier):
        found = []
        for states in np.array_split(frontier, -(-len(frontier) // CHUNK)):
            targets = table[row_of[states]].astype(np.int64)
            at, byte = np.nonzero(depth[targets] == -1)
            child = targets[at, byte]  # two parents of one child would fail _check_rows
            depth[child], parent[child], label[child] = level + 1, states[at], byte
            found.append(child)
        frontier, level = np.concatenate(found), level + 1
        above = parent[frontier]
        fail[frontier] = np.where(above == 0, 0, table[row_of[fail[above]], label[frontier]])
    if (depth < 0).any():
        raise ValueError("some states cannot be reached from state 0")
    return parent, label, fail


def _check_rows(table, row_of, parent, label, fail) -> None:
    """Every row must equal its failure state's row plus its own edges (the root's: 0)."""
    edges = np.nonzero(parent >= 0)[0]
    for start in range(0, len(row_of), CHUNK):
        states = np.arange(start, min(start + CHUNK, len(row_of)))
        expected = table[row_of[fail[states]]].astype(np.int64)
        expected[states == 0] = 0
        mine = edges[(parent[edges] >= start) & (parent[edges] < start + len(states))]
        expected[parent[mine] - start, label[mine]] = mine
        if not np.array_equal(expected, table[row_of[states]]):
            raise ValueError("the table is not an Aho-Corasick automaton of its trie")
