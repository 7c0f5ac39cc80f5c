"""Language identification: questions (short) and wiki passages (long), offline."""

from __future__ import annotations

import json

import pytest

from ingest.language import LANGUAGES, detect, dominant_language, language_name
from tests.conftest import DATA

QUESTIONS = [json.loads(line) for line in (DATA / "multilingual_questions.jsonl").open()]


@pytest.mark.parametrize("language", ["en", "pt", "es"])
def test_questions_are_told_apart(language):
    texts = [q[language] for q in QUESTIONS]
    found = [getattr(detect(t), "code", None) for t in texts]
    wrong = [(t, f) for t, f in zip(texts, found, strict=True) if f != language]
    assert len(texts) >= 24 and not wrong


@pytest.mark.parametrize("text", ["", "??", "1234 5678", "ok"])
def test_no_confident_guess_for_tiny_or_letterless_text(text):
    assert detect(text) is None


def test_passages_vote_for_the_wiki_language():
    passages = [q["pt"] for q in QUESTIONS[:10]] + [q["en"] for q in QUESTIONS[:3]]
    assert dominant_language(passages) == "pt"
    assert dominant_language(["", "…"]) is None


def test_names_for_the_prompt():
    assert language_name("pt") == "Portuguese" and language_name("xx") == "xx"
    assert {"en", "pt", "es", "fr", "de"} <= set(LANGUAGES)
