"""The index records the wiki's language at ingest, and refuses an index of an older schema."""

from __future__ import annotations

import json

import pytest

from deskbot.core.errors import IndexStateError
from ingest.index import SCHEMA_VERSION, IndexMeta, open_index
from ingest.sources.files import FilesSource
from ingest.sync import Syncer
from tests.conftest import DATA

QUESTIONS = [json.loads(line) for line in (DATA / "multilingual_questions.jsonl").open()]


def write_wiki(folder, language: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n, q in enumerate(QUESTIONS[:8]):
        (folder / f"page{n}.md").write_text(f"# Page {n}\n\n{q[language]}\n\n{q[language]}\n")


def test_ingest_detects_and_keeps_the_wiki_language(tmp_path, embedder):
    write_wiki(tmp_path / "wiki", "pt")
    with open_index(collection="t", path=tmp_path / "q") as index:
        syncer = Syncer(index, embedder)
        syncer.run(FilesSource(tmp_path / "wiki"))
        assert index.read_meta().language == "pt"
        syncer.run(FilesSource(tmp_path / "wiki"))  # nothing changed: nothing to sample
        meta = index.read_meta()
    assert meta.language == "pt"
    assert all(s["language"] == "pt" for s in meta.syncs.values())


def test_the_language_of_most_pages_wins():
    meta = IndexMeta("m", 8, {})
    meta.syncs = {
        "files:/a": {"pages": 40, "language": "en"},
        "confluence:PT": {"pages": 3, "language": "pt"},
        "confluence:X": {"pages": 9},
    }
    assert meta.language == "en"
    assert IndexMeta("m", 8, {}).language is None


def test_an_index_of_an_older_schema_asks_for_a_rebuild(tmp_path):
    with open_index(collection="t", path=tmp_path) as index:
        index.ensure("m", 8, {})
        meta = index.read_meta()
        meta.schema = SCHEMA_VERSION - 1
        index.write_meta(meta)
        for call in (lambda: index.check("m", 8), lambda: index.ensure("m", 8, {})):
            with pytest.raises(IndexStateError, match="deskbot ingest --rebuild"):
                call()
