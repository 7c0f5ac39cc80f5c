"""A crash at any write step of a sync converges on the next run.

The storage is the real Edge index, wrapped so that the process "dies" (raises) after N
write operations, for every N. The wrapper writes each point as its own operation, so a
crash can also land in the middle of one page's upsert (stricter than
Edge, where one upsert is one operation). After the crash the index is reopened plain and
the real sync runs again over the same folder; the index must then hold exactly what a
clean sync of that folder holds. (The real model's vectors are memoised across the runs:
the same few texts are embedded dozens of times otherwise.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from ingest.index import open_index
from ingest.index_edge import EdgeIndex
from ingest.sources.files import FilesSource
from ingest.sync import Syncer

PAGE = "\n\n".join(  # four chunks
    f"## Part {n}\n\n"
    + " ".join(f"Step {n}.{i}: open the portal, check item {i}." for i in range(12))
    for n in range(4)
)
V1 = {
    "guide.md": "# Guide\n\n" + PAGE,
    "payroll.md": "# Payroll\n\nSalaries are paid on the 25th of each month.\n",
    "parking.md": "# Parking\n\nVisitor parking is on level -2.\n",
}
V2 = {
    "guide.md": "# Guide\n\nNow it is one short paragraph.\n",  # shorter: stale chunks to delete
    "payroll.md": V1["payroll.md"],  # unchanged
    "onboarding.md": "# Onboarding\n\n" + PAGE.replace("portal", "HR system"),  # new, long
}  # parking.md removed: pruned


class Crash(Exception):
    """The process died here."""


class CrashingEdgeIndex(EdgeIndex):
    """The real Edge index that dies after `budget` write operations."""

    def __init__(self, *, budget: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.budget, self.writes = budget, 0

    def _write(self) -> None:
        if self.writes >= self.budget:
            raise Crash(f"crash after {self.writes} writes")
        self.writes += 1

    def create(self, dimension: int) -> None:
        self._write()
        super().create(dimension)

    def write_meta(self, meta) -> None:
        self._write()
        super().write_meta(meta)

    def upsert(self, points) -> None:
        for point in points:
            self._write()
            super().upsert([point])

    def delete(self, ids) -> None:
        ids = list(ids)
        if ids:
            self._write()
            super().delete(ids)


class MemoEmbedder:
    """The real embedder, remembering the vectors of texts it has embedded."""

    def __init__(self, inner) -> None:
        self.inner, self.vectors = inner, {}

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.inner.encode_documents(missing), strict=True))
        return np.stack([self.vectors[t] for t in texts])


def write_wiki(folder: Path, pages: dict[str, str]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, text in pages.items():
        (folder / name).write_text(text)


def contents(path: Path, source: str) -> dict[str, tuple]:
    """point id -> (doc_id, chunk_no, doc_hash, text) of every point of `source`."""
    fields = ("doc_id", "chunk_no", "doc_hash", "text")
    with open_index(collection="t", path=path) as index:
        return {pid: tuple(p.get(f) for f in fields) for pid, p in index.scroll([source], fields)}


def clean_sync(tmp_path: Path, wiki: Path, embedder, name: str) -> Path:
    path = tmp_path / name
    with open_index(collection="t", path=path) as index:
        Syncer(index, embedder).run(FilesSource(wiki))
    return path


@pytest.mark.parametrize("before", [None, V1], ids=["first-ingest", "update"])
def test_a_crash_after_any_write_converges_on_the_next_run(tmp_path, embedder, before):
    embedder = MemoEmbedder(embedder)
    wiki = tmp_path / "wiki"
    source = FilesSource(wiki).spec
    start = tmp_path / "start"
    if before is not None:
        write_wiki(wiki, before)
        start = clean_sync(tmp_path, wiki, embedder, "start")
    write_wiki(wiki, V2)
    expected = contents(clean_sync(tmp_path, wiki, embedder, "expected"), source)
    assert len([v for v in expected.values() if v[0] == "onboarding.md"]) == 4

    budget = 0
    while True:
        path = tmp_path / f"run-{budget}"
        if start.exists():
            shutil.copytree(start, path)
        index = CrashingEdgeIndex(collection="t", path=path, budget=budget)
        try:
            Syncer(index, embedder).run(FilesSource(wiki))
            crashed = False
        except Crash:
            crashed = True
        finally:
            index.close()
        with open_index(collection="t", path=path) as reopened:
            report = Syncer(reopened, embedder).run(FilesSource(wiki))
        assert contents(path, source) == expected, f"crash after {budget} writes: {report}"
        shutil.rmtree(path)
        if not crashed:
            break
        budget += 1
    assert budget >= 8  # every point written, stale chunks and page deleted, metadata written
