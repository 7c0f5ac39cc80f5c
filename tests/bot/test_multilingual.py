"""Questions in Portuguese and Spanish against an English wiki (the benchmark slice).

- Through the (fake) model: the one rewrite call translates the question into the wiki's
  language, retrieval finds the page the English question finds, and the model is told
  to answer in the asker's language. No extra call.
- Without a model, with the English-only bundled embedder: an honest "not covered" in
  the asker's language, never a confidently quoted wrong page.
"""

from __future__ import annotations

import json

import pytest

from bot.answer import Answerer
from bot.languages import Languages
from bot.llm import ChatModel
from bot.retrieve import Retriever, source_key
from bot.store import Store
from deskbot.core import messages
from tests.bot.conftest import PAGES, ListRetriever
from tests.conftest import BENCH_SLICE, DATA
from tests.fakes.openai_chat import FakeOpenAIChat

ROWS = [json.loads(line) for line in (DATA / "multilingual_questions.jsonl").open()]
COVERED = [r for r in ROWS if r["corpus"]]
OFF_TOPIC = [r for r in ROWS if not r["corpus"]]
LANGUAGES = {"pt": "Portuguese", "es": "Spanish"}
ESCALATION = "#it-help"


def sources(row: dict) -> list[str]:
    return [source_key(str(BENCH_SLICE / row["corpus"]))] if row["corpus"] else []


@pytest.fixture(scope="module")
def slice_retriever(slice_index, embedder) -> Retriever:
    return Retriever(slice_index, embedder)


def translate(body: dict) -> str:
    """The fake model: rewrite calls get the English question back, answers cite [1]."""
    system = body["messages"][0]["content"]
    if "standalone search query" in system:
        asked = body["messages"][-1]["content"].split("Last message:")[-1].strip()
        return next(r["en"] for r in ROWS for lang in LANGUAGES if r[lang] == asked)
    return "Resposta: use o comando da página citada [1]."


def answerer(retriever, model=None, **languages) -> Answerer:
    return Answerer(
        retriever,
        model=model,
        store=Store(":memory:"),
        escalation=ESCALATION,
        languages=Languages(wiki="en", **languages),
    )


def test_the_data_has_twenty_questions_per_language():
    assert len(COVERED) >= 20 and all(r["pt"] and r["es"] for r in ROWS)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_model_translates_in_the_rewrite_call_and_answers_in_the_askers_language(
    slice_retriever, language
):
    with FakeOpenAIChat(default=translate) as fake:
        bot = answerer(slice_retriever, ChatModel(fake.client(), "gpt-4.1-mini"))
        found = []
        for row in COVERED:
            before = len(fake.chat_requests())
            answer = bot.answer(row[language], sources=sources(row))
            calls = fake.chat_requests()[before:]
            assert len(calls) == (2 if answer.covered else 1), row["id"]  # no extra call
            assert "The wiki is written in English" in calls[0]["messages"][0]["content"]
            if answer.covered:
                answer_system = calls[1]["messages"][0]["content"]
                assert f"Write the answer in {LANGUAGES[language]}" in answer_system
            assert answer.query == row["en"] and answer.language == language
            found.append(
                answer.covered and bool({h.doc_id for h in answer.passages} & set(row["pages"]))
            )
    assert sum(found) >= len(COVERED) - 3, [
        r["id"] for r, f in zip(COVERED, found, strict=True) if not f
    ]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_off_topic_questions_are_refused_in_the_askers_language(slice_retriever, language):
    with FakeOpenAIChat(default=translate) as fake:
        bot = answerer(slice_retriever, ChatModel(fake.client(), "gpt-4.1-mini"))
        for row in OFF_TOPIC:
            answer = bot.answer(row[language])
            assert not answer.covered, row["id"]
            wording = messages.answer_wording("not_covered", language, escalation=ESCALATION)
            assert answer.text.startswith(wording)
        assert len(fake.chat_requests()) == len(OFF_TOPIC)  # rewrites only: no answer call


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_without_a_model_an_english_only_embedder_says_not_covered(slice_retriever, language):
    bot = answerer(slice_retriever)
    expected = messages.answer_wording(
        "not_covered_other_language",
        language,
        wiki_language=messages.wiki_language_name("en", language, "English"),
        escalation=ESCALATION,
    )
    for row in ROWS:
        answer = bot.answer(row[language], sources=sources(row) or None)
        assert not answer.covered and answer.text == expected and not answer.citations
        assert answer.language == language


def test_english_questions_are_still_answered_from_the_slice(slice_retriever):
    bot = answerer(slice_retriever)
    answers = [bot.answer(r["en"], sources=sources(r)) for r in COVERED]
    assert sum(a.covered for a in answers) >= len(COVERED) - 3  # measured: 21 of 24
    assert all(a.language == "en" and a.notice is None for a in answers if a.covered)


def test_a_multilingual_search_quotes_the_wiki_and_says_its_language():
    retriever = ListRetriever(PAGES)
    bot = answerer(retriever, multilingual_search=True)
    answer = bot.answer("Como faço para conectar à VPN Northwind Connect no meu Mac?")
    assert answer.covered and answer.citations
    assert answer.text.startswith(messages.answer_wording("extractive_intro", "pt"))
    assert answer.notice == "Os trechos citados estão em inglês, o idioma da wiki."
    assert retriever.queries == ["Como faço para conectar à VPN Northwind Connect no meu Mac?"]
