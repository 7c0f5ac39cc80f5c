"""Tone pass: facts must survive the restyle; style examples picked by similarity."""

from __future__ import annotations

import json
import logging
import re

import numpy as np
import pytest

from bot.answer import Answerer
from bot.llm import ChatModel
from bot.tone import Restyler, StyleExamples, check_facts, read_examples
from deskbot.core.errors import ConfigError
from tests.fakes.openai_chat import FakeOpenAIChat

ORIGINAL = (
    'Open "Northwind Connect" and run `nwconnect up` [1]. The session lasts 12 hours [2]. '
    "Mail it-help@northwind.example or see https://wiki.example/vpn#mac."
)


@pytest.mark.parametrize(
    "restyled, problems",
    [
        (
            'Hey! Just open "Northwind Connect", run `nwconnect up` [1]; sessions last 12 hours [2]. '
            "Stuck? it-help@northwind.example or https://wiki.example/vpn#mac :)",
            [],
        ),
        (ORIGINAL.replace("12 hours", "twelve hours"), ["number 12 missing"]),
        (ORIGINAL.replace("12 hours", "24 hours"), ["number 12 missing"]),
        (
            ORIGINAL.replace(" or see https://wiki.example/vpn#mac", ""),
            ["link https://wiki.example/vpn#mac missing"],
        ),
        (ORIGINAL.replace(" [2]", ""), ["citation [2] missing"]),
        (ORIGINAL.replace("[2]", "[2][3]"), ["citation [3] added"]),
        (ORIGINAL.replace("it-help@", "helpdesk@"), ["e-mail it-help@northwind.example missing"]),
        (ORIGINAL.replace("`nwconnect up`", "nwconnect up"), ["code `nwconnect up` missing"]),
        (
            ORIGINAL.replace('"Northwind Connect"', "the VPN app"),
            ["quoted name Northwind Connect missing"],
        ),
    ],
)
def test_check_facts(restyled, problems):
    assert check_facts(ORIGINAL, restyled) == problems


def test_numbers_inside_links_and_markers_are_not_double_counted():
    original = "See https://x.example/page/42 [1]."
    assert check_facts(original, "Look at https://x.example/page/42 [1]!") == []


@pytest.fixture
def tone_fake():
    with FakeOpenAIChat() as fake:
        yield fake


def _answerer(retriever, fake_chat, tone_fake, store):
    answer_model = ChatModel(fake_chat.client(), "gpt-4.1-mini", sleep=lambda s: None)
    tone_model = ChatModel(tone_fake.client(), "ft:gpt-4.1-mini:acme::tone1", sleep=lambda s: None)
    return Answerer(retriever, model=answer_model, restyler=Restyler(tone_model), store=store)


DRAFT = "Click Connect in Northwind Connect and sign in with Okta [1]. It lasts 12 hours [1]."


def test_tone_pass_that_keeps_facts_is_sent(retriever, fake_chat, tone_fake, store):
    fake_chat.push(DRAFT)
    tone_fake.push(
        "Hi! Click Connect in Northwind Connect, sign in with Okta [1]. Good for 12 hours [1] :)"
    )
    answer = _answerer(retriever, fake_chat, tone_fake, store).answer(
        "How do I connect to the VPN?"
    )
    assert answer.text.startswith("Hi!") and answer.tone == "applied"
    assert answer.grounded and [c.label for c in answer.citations] == ["VPN › Windows"]
    tone_request = tone_fake.chat_requests()[0]
    assert tone_request["model"] == "ft:gpt-4.1-mini:acme::tone1"
    assert DRAFT in tone_request["messages"][-1]["content"]
    assert answer.timings["tone"] > 0
    assert answer.usage["total_tokens"] > 0


@pytest.mark.parametrize(
    "restyled, reason",
    [
        ("Hi! Click Connect, sign in with Okta [1]. It lasts 24 hours [1].", "number 12 missing"),
        ("Hi! Just click Connect and sign in.", "citation [1] missing"),
    ],
)
def test_tone_pass_that_changes_facts_is_rejected(
    retriever, fake_chat, tone_fake, store, caplog, restyled, reason
):
    fake_chat.push(DRAFT)
    tone_fake.push(restyled)
    with caplog.at_level(logging.INFO, logger="bot.tone"):
        answer = _answerer(retriever, fake_chat, tone_fake, store).answer(
            "How do I connect to the VPN?"
        )
    assert answer.text == DRAFT and answer.tone == "rejected"
    assert reason in caplog.text


def test_tone_model_failure_sends_the_original(retriever, fake_chat, tone_fake, store):
    fake_chat.push(DRAFT)
    tone_fake.push(*[FakeOpenAIChat.server_error()] * 3)
    answer = _answerer(retriever, fake_chat, tone_fake, store).answer(
        "How do I connect to the VPN?"
    )
    assert answer.text == DRAFT and answer.grounded and answer.notice is None


class WordEncoder:
    """encode_queries over a tiny vocabulary: enough to rank examples deterministically."""

    VOCAB = ["vpn", "connect", "printer", "badge", "expenses", "receipt", "password"]

    def encode_queries(self, texts):
        rows = [[float(w in t.lower()) for w in self.VOCAB] for t in texts]
        matrix = np.array(rows, dtype=np.float32) + 1e-6
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def _write(path, records):
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return path


EXAMPLES = [
    {"question": "printer badge not working", "reply": "Hiya! Tap the badge firmly. Cheers, IT"},
    {
        "messages": [
            {"role": "user", "content": "vpn won't connect"},
            {"role": "assistant", "content": "Hey there! Restart the VPN. Cheers, IT"},
        ]
    },
    {"answer": "Hello! Expenses need a receipt. Cheers, IT"},
    {"text": "Yo, password resets are in Okta."},
]


def test_style_examples_most_similar(tmp_path):
    style = StyleExamples.load(_write(tmp_path / "ex.jsonl", EXAMPLES), WordEncoder())
    assert style.most_similar("my vpn does not connect", k=1) == [
        "Hey there! Restart the VPN. Cheers, IT"
    ]
    assert style.most_similar("receipt for expenses", k=2)[0].startswith("Hello! Expenses")


def test_style_examples_reach_the_answer_model(retriever, fake_chat, store, tmp_path):
    style = StyleExamples.load(_write(tmp_path / "ex.jsonl", EXAMPLES), WordEncoder())
    model = ChatModel(fake_chat.client(), "gpt-4.1-mini")
    answerer = Answerer(retriever, model=model, style=style, store=store, style_examples=2)
    fake_chat.push(DRAFT)
    answerer.answer("How do I connect to the VPN?")
    system = fake_chat.chat_requests()[0]["messages"][0]["content"]
    assert "Restart the VPN" in system and "never take facts" in system
    assert len(re.findall(r"</example-[0-9a-f]{16}>", system)) == 2


@pytest.mark.parametrize(
    "line, detail",
    [("not json", "invalid JSON"), ('{"question": "q"}', "no reply"), ("[1, 2]", "no reply")],
)
def test_bad_examples_file_names_file_and_line(tmp_path, line, detail):
    path = tmp_path / "ex.jsonl"
    path.write_text(json.dumps({"reply": "fine"}) + "\n\n" + line + "\n")
    with pytest.raises(ConfigError, match=rf"ex.jsonl, line 3: .*{detail}"):
        read_examples(path)
