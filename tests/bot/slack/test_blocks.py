"""The pure build_* functions: sources, buttons, long answers, escalation posts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from bot.citations import Citation
from bot.slack.blocks import (
    MAX_BLOCKS,
    SECTION_LIMIT,
    TEXT_LIMIT,
    build_actions_block,
    build_answer_footer,
    build_answer_messages,
    build_escalation_message,
    build_sources_block,
    build_suggested_prompts,
    parse_escalation,
)
from deskbot.core import messages
from tests.fakes.slack_wire import block_problems


@dataclass
class FakeAnswer:
    text: str
    citations: list = field(default_factory=list)
    question: str = "How do I connect to the VPN?"
    grounded: bool = True
    covered: bool = True
    notice: str | None = None


def cite(n, title="VPN", section="Mac", url="https://w.example/vpn#mac"):
    return Citation(n=n, title=title, section=section, url=url, source="files:/w", doc_id="vpn")


def test_sources_block_lists_linked_titles_with_sections():
    block = build_sources_block(
        [cite(1), cite(2, "Wi-Fi & <guest>", "", "https://w.example/wifi")],
        covered=True,
        escalation="#it-help",
    )
    assert block["type"] == "context"
    assert block["elements"][0]["text"] == (
        "*Sources*\n[1] <https://w.example/vpn#mac|VPN › Mac>\n"
        "[2] <https://w.example/wifi|Wi-Fi &amp; &lt;guest&gt;>"
    )


def test_sources_block_for_uncovered_question_says_so_with_the_escalation_hint():
    block = build_sources_block([], covered=False, escalation="#it-help")
    text = block["elements"][0]["text"]
    assert text == messages.SLACK_NOT_COVERED_HINT.format(escalation="#it-help")
    assert build_sources_block([], covered=True, escalation="x") is None


def test_sources_block_caps_the_list():
    block = build_sources_block([cite(n) for n in range(1, 30)], covered=True, escalation="x")
    assert block["elements"][0]["text"].count("\n[") == 10
    assert len(block["elements"][0]["text"]) <= SECTION_LIMIT


def test_buttons_carry_the_answer_id_and_the_question_ts_only():
    block = build_actions_block(42, "1700000001.000001")
    up, down, human = block["elements"]
    assert (up["value"], down["value"]) == ("42", "42")
    assert parse_escalation(human["value"]) == {"a": 42, "ts": "1700000001.000001"}
    assert len(human["value"]) < 60
    for garbage in ("not json", "[1]", '{"a": "1; drop"}', '{"a": true}'):
        assert parse_escalation(garbage)["a"] is None


def test_footer_has_notice_sources_and_buttons_in_order():
    answer = FakeAnswer("text", [cite(1)], notice="The model is down.")
    footer = build_answer_footer(answer, answer_id=1, question_ts="1.2", escalation="x")
    assert [b["type"] for b in footer] == ["context", "context", "actions"]
    assert footer[0]["elements"][0]["text"] == ":warning: The model is down."


@pytest.mark.parametrize("size", [10, 2_950, 12_500, 90_000])
def test_answer_messages_stay_within_slack_limits(size):
    paragraph = "Open **Northwind Connect** and click Connect [1]. "
    text = "\n\n".join([paragraph] * (size // len(paragraph) + 1))
    footer = build_answer_footer(
        FakeAnswer(text, [cite(1)]), answer_id=1, question_ts="1", escalation="x"
    )
    parts = build_answer_messages(FakeAnswer(text), footer)
    for part in parts:
        assert len(part.text) <= TEXT_LIMIT and len(part.blocks) <= MAX_BLOCKS
        assert all(
            len(b["text"]["text"]) <= SECTION_LIMIT for b in part.blocks if b["type"] == "section"
        )
    assert parts[-1].blocks[-len(footer) :] == footer
    assert sum(b["type"] == "actions" for p in parts for b in p.blocks) == 1
    assert sum(p.text.count("[1]") for p in parts) == text.count("[1]")


def test_escalation_message_quotes_the_question_and_links_the_thread():
    post = build_escalation_message(
        "VPN <broken>\nsince today", user="U1", permalink="https://x.slack.com/p1", usergroup="S9"
    )
    assert post.text == (
        "<!subteam^S9> <@U1> needs a human for this question:\n"
        "> VPN &lt;broken&gt;\n> since today\n<https://x.slack.com/p1|Open the thread>"
    )
    bare = build_escalation_message("q", user="U1", permalink=None, usergroup=None)
    assert bare.text.startswith("<@U1>") and "Open the thread" not in bare.text


def test_suggested_prompts_are_title_and_message_pairs():
    prompts = build_suggested_prompts()
    assert 1 <= len(prompts) <= 4  # Slack shows at most four
    assert all(set(p) == {"title", "message"} for p in prompts)
    json.dumps(prompts)


JAPANESE = "自宅からVPNに接続するにはどうすればいいですか？パスワードを忘れました。"
QUESTIONS = {
    "japanese-4000": (JAPANESE * 200)[:4000],
    "emoji-4000": ("🔐🛜👩🏽‍💻 VPN? " * 400)[:4000],
    "ascii-4000": ("How do I connect to the VPN from home? " * 120)[:4000],
    "japanese-330": (JAPANESE * 20)[:330],
}


@pytest.mark.parametrize("question", QUESTIONS.values(), ids=QUESTIONS.keys())
def test_every_block_kit_payload_is_valid_for_long_non_ascii_questions(question):
    """slack_sdk's Block Kit models (what Slack enforces) accept all that deskbot builds."""
    long_title = ("経費精算 › 領収書 " * 40)[:400]
    answer = FakeAnswer(
        text=question + "\n\n" + question,
        citations=[cite(1, long_title, long_title), cite(2, "VPN", "", "file:///srv/w/vpn.md")],
        question=question,
        notice="The model is down.",
    )
    footer = build_answer_footer(
        answer, answer_id=7, question_ts="1700000001.000001", escalation="x"
    )
    assert block_problems(footer) == []
    for part in build_answer_messages(answer, footer):
        assert block_problems(part.blocks) == []
    post = build_escalation_message(
        question, user="U1", permalink="https://x.slack.com/archives/C1/p1", usergroup="S9"
    )
    assert block_problems(post.blocks) == []
    shown = post.blocks[0]["text"]["text"]
    assert shown.endswith("|Open the thread>") and question[:100] in shown
    assert parse_escalation(footer[-1]["elements"][2]["value"])["a"] == 7
