"""`deskbot ask` and `deskbot chat` end to end: a tiny wiki ingested by the CLI (`wiki_env`),
the real embedding model and Edge index, and the fake model behind the real openai SDK."""

from __future__ import annotations

import json

from click.testing import CliRunner

from bot.store import Store
from deskbot.cli import main
from deskbot.core import messages
from tests.fakes.openai_chat import FakeOpenAIChat


def run(env, args, input=None, **extra):
    result = CliRunner(env={**env, **extra}).invoke(main, args, input=input)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_ask_json_without_a_model_is_extractive_and_cited(wiki_env):
    data = json.loads(run(wiki_env, ["ask", "How do I connect to the VPN on Windows?", "--json"]))
    assert data["grounded"] is True and data["model"] is None
    assert data["answer"].startswith(messages.EXTRACTIVE_INTRO)
    assert "Company Portal" in data["answer"]
    assert data["citations"][0]["title"] == "VPN"
    assert data["citations"][0]["url"].startswith("https://wiki.example/vpn")
    assert {"retrieve", "generate", "tone", "total"} <= set(data["timings"])
    assert data["usage"] == {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    assert data["cost_usd"] == 0


def test_ask_with_a_model_prints_answer_sources_and_cost(wiki_env):
    with FakeOpenAIChat("Click **Connect** and sign in with Okta [1].") as fake:
        out = run(
            wiki_env,
            ["ask", "How do I connect to the VPN?"],
            OPENAI_API_KEY="sk-test-key",
            OPENAI_BASE_URL=fake.base_url,
            ANSWER_MODEL="gpt-4.1-mini",
        )
        (request,) = fake.chat_requests()
    assert "Click **Connect** and sign in with Okta [1]." in out
    assert (
        messages.SOURCES_HEADING in out and "[1] VPN" in out and "https://wiki.example/vpn" in out
    )
    assert "gpt-4.1-mini ·" in out and "$0.0" in out
    assert "Northwind Connect" in request["messages"][-1]["content"]


def test_ask_not_covered_records_the_gap(wiki_env):
    with FakeOpenAIChat() as fake:
        out = run(
            wiki_env,
            ["ask", "Which bands play at the summer party?"],
            OPENAI_API_KEY="sk-test-key",
            OPENAI_BASE_URL=fake.base_url,
        )
        assert fake.chat_requests() == []
    assert messages.NOT_COVERED.format(escalation="#it-help") in out
    gaps = Store(wiki_env["DESKBOT_DB"]).unanswered()
    assert "Which bands play at the summer party?" in [g.question for g in gaps]


def test_chat_keeps_history_and_handles_commands(wiki_env):
    script = (
        "How do I connect to the VPN?\nand on Mac?\n/sources\n/bogus\n/new\n/quit\nnever asked\n"
    )
    with FakeOpenAIChat(
        "Click Connect [1].",  # first answer
        "connect to the VPN on a Mac",  # rewrite of the follow-up
        "Use the menu bar icon [1].",  # second answer
    ) as fake:
        out = run(
            wiki_env,
            ["chat"],
            input=script,
            OPENAI_API_KEY="sk-test-key",
            OPENAI_BASE_URL=fake.base_url,
        )
        first, rewrite, second = fake.chat_requests()
    assert messages.CHAT_WELCOME in out
    assert "Click Connect [1]." in out and "Use the menu bar icon [1]." in out
    assert [m["role"] for m in second["messages"]] == ["system", "user", "assistant", "user"]
    assert second["messages"][2]["content"] == "Click Connect [1]."
    assert "Last message: and on Mac?" in rewrite["messages"][-1]["content"]
    assert "(0." in out and "menu bar" in out  # /sources lists passages with scores
    assert messages.CHAT_UNKNOWN_COMMAND.format(command="/bogus") in out
    assert messages.CHAT_NEW_THREAD in out
    assert "never asked" not in json.dumps([first, rewrite, second])


def test_chat_ends_on_end_of_input(wiki_env):
    out = run(wiki_env, ["chat"], input="/sources\n")
    assert messages.CHAT_NO_ANSWER_YET in out


def test_ask_on_an_empty_index_says_what_to_do(tmp_path):
    env = {
        "QDRANT_PATH": str(tmp_path / "q"),
        "DESKBOT_DB": str(tmp_path / "db.sqlite3"),
        "QDRANT_URL": None,
    }
    result = CliRunner(env=env).invoke(main, ["ask", "anything"])
    assert result.exit_code == 1
    assert "Error: " + messages.INDEX_EMPTY in result.output
