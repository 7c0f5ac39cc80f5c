"""Token counts are exact offline: published ids, API-verified chat counts, tiktoken itself."""

from __future__ import annotations

import base64
import gzip
import hashlib
import random
from importlib import resources

import pytest

from deskbot.core.modelnames import base_model, encoding_for, family, snapshot_date
from deskbot.tune import tokens

# Token ids published in OpenAI's cookbook "How to count tokens with tiktoken".
PUBLISHED = [
    ("tiktoken is great!", "cl100k_base", [83, 1609, 5963, 374, 2294, 0]),
    ("antidisestablishmentarianism", "cl100k_base", [519, 85342, 34500, 479, 8997, 2191]),
    ("2 + 2 = 4", "cl100k_base", [17, 489, 220, 17, 284, 220, 19]),
    (
        "お誕生日おめでとう",
        "cl100k_base",
        [33334, 45918, 243, 21990, 9080, 33334, 62004, 16556, 78699],
    ),
    ("お誕生日おめでとう", "o200k_base", [8930, 9697, 243, 128225, 8930, 17693, 4344, 48669]),
    ("hello world", "cl100k_base", [15339, 1917]),
    ("hello world", "o200k_base", [24912, 2375]),
]

# The cookbook's example request, whose prompt_tokens the API itself reported:
# 129 for gpt-4-0613 / gpt-3.5-turbo-0125 (cl100k_base), 124 for gpt-4o(-mini) (o200k_base).
COOKBOOK_MESSAGES = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate "
        "jargon into plain English.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "New synergies will help drive top-line growth.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Things working well together will increase revenue.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on opportunities "
        "for increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client "
        "deliverable.",
    },
]

# sha256 of the rank files tiktoken downloads (pinned in tiktoken_ext/openai_public.py).
TIKTOKEN_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}


@pytest.mark.parametrize(("text", "encoding", "ids"), PUBLISHED)
def test_published_token_ids(text, encoding, ids):
    assert tokens.encode(text, encoding) == ids
    assert tokens.count(text, encoding) == len(ids)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4-0613", 129),
        ("gpt-3.5-turbo-0125", 129),
        ("gpt-4o-2024-08-06", 124),
        ("gpt-4o-mini-2024-07-18", 124),
        ("ft:gpt-4o-mini-2024-07-18:acme::AbC123", 124),
        ("ft:gpt-3.5-turbo-0125:acme:tone:XyZ", 129),
    ],
)
def test_chat_count_matches_the_api(model, expected):
    assert tokens.count_messages(COOKBOOK_MESSAGES, model) == expected


def _rank_bytes(encoding: str) -> bytes:
    packed = resources.files("bpe_openai.data").joinpath(f"{encoding}.tiktoken.gz").read_bytes()
    return gzip.decompress(packed)


@pytest.mark.parametrize("encoding", sorted(TIKTOKEN_SHA256))
def test_embedded_rank_files_are_tiktokens(encoding):
    assert hashlib.sha256(_rank_bytes(encoding)).hexdigest() == TIKTOKEN_SHA256[encoding]


@pytest.mark.parametrize("encoding", sorted(TIKTOKEN_SHA256))
def test_counts_equal_tiktoken_on_random_text(encoding):
    tiktoken = pytest.importorskip("tiktoken")
    from tiktoken_ext import openai_public

    ranks = {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in _rank_bytes(encoding).splitlines() if line)
    }
    pattern = _pattern(openai_public, encoding, ranks)
    reference = tiktoken.Encoding(
        encoding, pat_str=pattern, mergeable_ranks=ranks, special_tokens={}
    )
    alphabet = list("abcXYZ019  \n\n\t\r.,;:!?'\"-_/()[]{}<>@#$%&*+=~|\\") + [
        "é", "中", "😀", "👍🏽", "ß", "’", "—", "\u00a0", "'s", "'LL", " don't", "\n \n", "<|endoftext|>"
    ]  # fmt: skip
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        assert tokens.encode(text, encoding) == reference.encode_ordinary(text), repr(text)


def _pattern(openai_public, encoding: str, ranks: dict) -> str:
    """tiktoken's own regex for the encoding, without letting it download anything."""
    original = openai_public.load_tiktoken_bpe
    openai_public.load_tiktoken_bpe = lambda *a, **k: ranks
    try:
        return getattr(openai_public, encoding)()["pat_str"]
    finally:
        openai_public.load_tiktoken_bpe = original


def test_non_string_values_cost_nothing_and_do_not_crash():
    plain = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    weighted = [plain[0], {**plain[1], "weight": 1}]
    assert tokens.count_messages(weighted, "gpt-4o") == tokens.count_messages(plain, "gpt-4o")
    odd = [{"role": "user", "content": 42}, {"role": "assistant", "content": None}]
    assert tokens.count_messages(odd, "gpt-4o") == 3 + 1 + 3 + 1 + 3  # roles + overheads


def test_assistant_tokens_count_only_assistant_content():
    messages = [
        {"role": "user", "content": "hello world"},
        {"role": "assistant", "content": "hello world"},
    ]
    assert tokens.assistant_tokens(messages, "gpt-4o-mini") == 2


@pytest.mark.parametrize(
    ("model", "encoding", "known"),
    [
        ("gpt-4o-mini-2024-07-18", "o200k_base", True),
        ("gpt-4.1-mini-2025-04-14", "o200k_base", True),
        ("o3-mini", "o200k_base", True),
        ("ft:gpt-4.1-2025-04-14:acme:tone:abc", "o200k_base", True),
        ("gpt-4-0613", "cl100k_base", True),
        ("gpt-3.5-turbo", "cl100k_base", True),
        ("ft:gpt-3.5-turbo-0125:acme::x", "cl100k_base", True),
        ("llama-3.1-8b-instruct", "o200k_base", False),
    ],
)
def test_encoding_per_model(model, encoding, known):
    assert encoding_for(model) == (encoding, known)


def test_model_names():
    tuned = "ft:gpt-4o-mini-2024-07-18:acme:tone:AbC123"
    assert base_model(tuned) == "gpt-4o-mini-2024-07-18"
    assert family(tuned) == "gpt-4o-mini"
    assert family("gpt-3.5-turbo-0125") == "gpt-3.5-turbo"
    assert str(snapshot_date(tuned)) == "2024-07-18"
    assert snapshot_date("gpt-4o-mini") is None
