"""`tune eval`: base vs tone model on held-out conversations, through the real SDK and model."""

from __future__ import annotations

import re

import pytest

from deskbot.core.errors import TuneError
from deskbot.tune import cli_eval
from deskbot.tune.evaluate import read_cases
from deskbot.tune.style import markers, rates, style_distance
from tests.deskbot.tune.conftest import DATA

HELD_OUT = (
    DATA / "valid" / "chat.jsonl"
)  # agent replies: "Hi! Open https://…/reset/N … Cheers, Sam"
TONE = "ft:gpt-4o-mini-2024-07-18:acme:tone:AbC123"
BASE = "gpt-4o-mini-2024-07-18"


def fake_models(body: dict) -> str:
    """Base answers plainly; the tone model answers like the agent; restyles lose a link
    for even-numbered systems."""
    text = "\n".join(str(m.get("content")) for m in body["messages"])
    if quoted := re.search(r"<answer-(\w+)>(.*)</answer-\1>", text, re.S):  # bot/tone.py's pass
        answer = quoted[2].strip()
        n = int(re.search(r"reset/(\d+)", answer).group(1))
        kept = (
            answer if n % 2 else answer.replace(f"https://id.example.com/reset/{n}", "the portal")
        )
        return f"Hi! {kept} Cheers, Sam"
    n = int(re.search(r"system (\d+)", text).group(1))
    if body["model"] == TONE:
        return f"Hi! Open https://id.example.com/reset/{n} and follow the steps. Cheers, Sam"
    return f"To reset it, open https://id.example.com/reset/{n} and complete the form."


@pytest.mark.slow
def test_eval_side_by_side_with_report(cli, provider, embedder, monkeypatch, tmp_path):
    monkeypatch.setattr(cli_eval, "load_embedder", lambda settings: embedder.encode_documents)
    provider.chat.default = fake_models
    report = tmp_path / "eval.html"
    result = cli("tune", "eval", HELD_OUT, "--model", TONE, "--base", BASE, "--report", report)
    rows = {line.split("  ")[0]: line.split() for line in result.output.splitlines()}
    base_sim, tone_sim = (
        float(rows["similarity to agent reply"][4]),
        float(rows["similarity to agent reply"][5]),
    )
    assert tone_sim > 0.99 and base_sim < tone_sim
    assert rows["greeting rate"][2:] == ["0%", "100%", "100%"]
    assert rows["sign-off rate"][2:] == ["0%", "100%", "100%"]
    assert rows["facts kept by restyle"][-2] == "50%"  # 5 of 10 restyles dropped a link
    assert rows["failed replies"][2:4] == ["0", "0"]
    models = [b["model"] for b in provider.chat.bodies]
    assert models.count(BASE) == 10 and models.count(TONE) == 20
    html = report.read_text()
    assert "<svg" in html and "Tone model evaluation" in html
    assert html.count("<rect") == 6 * 3 + 3  # 5 markers + similarity, 3 series; the legend
    assert "5 link" in html  # what the rejected restyles lost
    assert html.count("<tr>") == 5 + 1  # five samples and the header


@pytest.mark.slow
def test_eval_counts_failures(cli, provider, embedder, monkeypatch, tmp_path):
    from tests.fakes.openai_chat import ChatScript

    monkeypatch.setattr(cli_eval, "load_embedder", lambda settings: embedder.encode_documents)

    def flaky(body):
        if body["model"] == TONE and "<answer-" not in str(body["messages"]):
            return ChatScript.server_error(500)
        return fake_models(body)

    provider.chat.default = flaky
    result = cli("tune", "eval", HELD_OUT, "--model", TONE, "--base", BASE, "--limit", "3",
                 "--report", tmp_path / "r.html")  # fmt: skip
    failed = next(line for line in result.output.splitlines() if line.startswith("failed"))
    assert failed.split()[2:4] == ["0", "3"]


def test_read_cases(tmp_path):
    cases = read_cases(HELD_OUT, limit=2)
    assert [c.line for c in cases] == [1, 2]
    assert cases[0].question == "How do I reset my password for system 1?"
    assert [m["role"] for m in cases[0].prompt] == ["system", "user"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n')
    with pytest.raises(TuneError, match=r"bad.jsonl:1: needs a user message"):
        read_cases(bad)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "Hi Sam,\n\nYou can reset it here.\n\nCheers,\nAlex",
            {"greeting", "sign-off", "second person"},
        ),
        ("To reset the password open the portal.", set()),
        ("Hello! Done 🎉\nHave a great day!", {"greeting", "sign-off", "exclamation", "emoji"}),
        ("Thanks for reaching out. Fixed :tada:\n- Alex", {"greeting", "sign-off", "emoji"}),
        ("Your laptop is ready", {"second person"}),
    ],
)
def test_style_markers(text, found):
    assert {name for name, yes in markers(text).items() if yes} == found


def test_style_rates_and_distance():
    profile = rates(["Hi! You rock", "plain text"])
    assert profile["greeting"] == 0.5 and profile["exclamation"] == 0.5
    assert style_distance(profile, profile) == 0
    assert rates([])["emoji"] == 0.0
