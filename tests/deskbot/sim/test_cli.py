"""`deskbot simulate` and `deskbot gaps` through the real CLI wiring."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from bot.store import Store
from deskbot.cli import main
from tests.deskbot.sim.conftest import Page
from tests.fakes.openai_chat import ChatReply, FakeOpenAIChat, error

ROWS = [
    ("question", "answer", "url"),
    (
        "What's the guest wifi password? I have a visitor coming in",
        "The NW-Guest password changes every Monday; it is on the screens at reception.",
        "it/wifi.md",
    ),
    (
        "When is payday in Toronto?",
        "The 15th and the last day of the month.",
        "hr/payroll-dates.html",
    ),
    ("", "An answer whose question got lost.", ""),
    ("<script>alert('x')</script> Where do I park in Lisbon?", "Book a space in <b>Robin</b>.", ""),
    ("Can I bring my dog to the office?", "In Lisbon on Fridays, 5th floor.", ""),
]


def write_csv(path) -> None:
    import csv

    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(ROWS)


def invoke(env, args):
    return CliRunner(env=env).invoke(main, args)


def test_simulate_writes_report_and_json_and_reports_bad_rows(cli_env, tmp_path):
    history = tmp_path / "tickets.csv"
    write_csv(history)
    report = tmp_path / "out" / "report.html"
    args = ["simulate", str(history), "--report", str(report), "--extractive", "--json"]
    result = invoke(cli_env, args + ["--volume", "5000"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["questions"] == 4 and data["summary"]["volume_per_month"] == 5000
    assert data["run"]["done"] == 4
    assert "tickets.csv:4: empty or missing question" in result.stderr
    assert "Answered " in result.stderr and "Report: " in result.stderr
    html = report.read_text()
    assert Page(html).count("tr", "q") == 4 and Page(html).count("script") == 0
    assert "&lt;script&gt;" in html

    again = invoke(cli_env, args)
    assert again.exit_code == 0, again.output
    assert "4 of 4 question(s) already in" in again.stderr
    run = json.loads(again.stdout)["run"]
    assert (run["done"], run["skipped"]) == (0, 4)
    assert len(report.with_name("report.results.jsonl").read_text().splitlines()) == 4


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["simulate", "missing.csv"], "no such file"),
        (["simulate", "missing.csv", "--with-model"], "no such file"),
        (["simulate"], "Missing argument"),
    ],
)
def test_simulate_errors_are_clear(cli_env, tmp_path, args, expected):
    result = invoke(cli_env, args)
    assert result.exit_code != 0
    assert expected in result.output
    assert "Traceback" not in result.output


def test_with_model_without_a_model_is_an_error(cli_env, tmp_path):
    history = tmp_path / "tickets.csv"
    write_csv(history)
    result = invoke(
        cli_env, ["simulate", str(history), "--with-model", "--report", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: --with-model needs an answer model")


def age(db, table: str, column: str, days: int) -> None:
    with sqlite3.connect(db) as conn:
        when = f"strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-{days} days')"
        conn.execute(f"UPDATE {table} SET {column} = {when}")


@pytest.fixture
def gaps_env(tmp_path, embedder):
    db = tmp_path / "deskbot.sqlite3"
    store = Store(db)
    for question in (
        "Can I bring my dog to the office?",
        "Are dogs allowed in the Toronto office?",
        "Do I need to register my dog before bringing him in?",
        "Is there a company car scheme?",
        "Can I lease an electric company car?",
    ):
        store.record_unanswered(question, channel="C1")
    disliked = store.record_answer("Is the company car a taxable benefit?", "…", grounded=True)
    liked = store.record_answer("How do I connect to the VPN?", "…", grounded=True)
    store.record_feedback(disliked, "U1", -1)
    store.record_feedback(disliked, "U2", -1)
    store.record_feedback(liked, "U3", 1)
    store.close()
    return {"DESKBOT_DB": str(db), "DESKBOT_DATA_DIR": str(tmp_path)}, db


def test_gaps_clusters_unanswered_and_negative_feedback(gaps_env):
    env, _ = gaps_env
    result = invoke(env, ["gaps", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["questions"], data["unanswered"], data["negative"]) == (6, 5, 1)
    assert "How do I connect to the VPN?" not in result.stdout  # a 👍 is no gap
    top = data["topics"][:2]
    assert sorted(t["count"] for t in top) == [3, 3]
    dogs = next(t for t in top if "dog" in t["terms"])
    cars = next(t for t in top if "car" in t["terms"])
    assert dogs["unanswered"] == 3 and dogs["negative"] == 0
    assert (cars["unanswered"], cars["negative"]) == (2, 1)
    assert "Is the company car a taxable benefit?" in cars["questions"]

    text = invoke(env, ["gaps"])
    assert text.exit_code == 0
    assert "2 topic(s) from 6 question(s): 5 unanswered, 1 with 👎 feedback." in text.stdout
    assert "e.g. “" in text.stdout


def test_gaps_since_leaves_out_older_questions(gaps_env):
    env, db = gaps_env
    age(db, "unanswered", "asked_at", 40)
    data = json.loads(invoke(env, ["gaps", "--since", "30", "--json"]).stdout)
    assert (data["questions"], data["unanswered"], data["negative"]) == (1, 0, 1)
    age(db, "feedback", "given_at", 40)
    result = invoke(env, ["gaps", "--since", "30"])
    assert result.exit_code == 0 and "No knowledge gaps in the last 30 day(s)" in result.stdout
    assert json.loads(invoke(env, ["gaps", "--json"]).stdout)["questions"] == 6


def test_gaps_without_a_store_creates_nothing(tmp_path):
    db = tmp_path / "none" / "deskbot.sqlite3"
    result = invoke({"DESKBOT_DB": str(db)}, ["gaps"])
    assert result.exit_code == 0
    assert result.stdout.startswith("No knowledge gaps: ")
    assert not db.exists() and not db.parent.exists()


# --- a model that fails: its fallback answers are counted as such ---------------------------


def model_env(cli_env, fake) -> dict:
    return {**cli_env, "OPENAI_API_KEY": "sk-revoked-key-123", "OPENAI_BASE_URL": fake.base_url}


def test_a_model_that_never_answers_is_said_at_the_top_and_fails_the_run(cli_env, tmp_path):
    history = tmp_path / "tickets.csv"
    write_csv(history)
    report = tmp_path / "report.html"
    args = ["simulate", str(history), "--with-model", "--report", str(report), "--json"]
    with FakeOpenAIChat(
        default=lambda body: FakeOpenAIChat.unauthorized("sk-revoked-key-123")
    ) as fake:
        result = invoke(model_env(cli_env, fake), args)
    assert result.exit_code == 1
    first = result.stderr.lstrip().splitlines()[0]
    assert first.startswith("The model gpt-4.1-mini never answered"), result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert summary["answered"] >= 1 and summary["fallback"] == summary["answered"]
    assert summary["model_answers"] == 0
    headline = next(line for line in result.stderr.splitlines() if line.startswith("Answered "))
    assert f"all {summary['answered']} by the extractive fallback" in headline
    assert "measured on" not in headline and "the model never answered" in headline
    assert "sk-revoked-key-123" not in result.output
    page = Page(report.read_text())
    assert "model-failed" in page.ids()
    text = " ".join(page.text)
    assert "never answered" in text.split("Charts")[0]  # at the top, before anything else
    assert page.text.count("answered by the fallback") == summary["fallback"]


def test_some_fallback_answers_are_counted_and_retried_on_the_next_run(cli_env, tmp_path):
    history = tmp_path / "tickets.csv"
    write_csv(history)
    report = tmp_path / "report.html"
    args = ["simulate", str(history), "--with-model", "--report", str(report), "--json"]

    def payday_fails(body):
        if "payday" in body["messages"][-1]["content"]:
            return error(400, "content filtered", "invalid_request_error")
        return ChatReply(
            "From the wiki [1].", usage={"prompt_tokens": 900, "completion_tokens": 30}
        )

    with FakeOpenAIChat(default=payday_fails) as fake:
        result = invoke(model_env(cli_env, fake), args)
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)["summary"]
        assert summary["fallback"] == 1 and summary["model_answers"] >= 1
        headline = next(line for line in result.stderr.splitlines() if line.startswith("Answered "))
        assert "1 by the extractive fallback" in headline and "never answered" not in result.stderr
        per_answer = summary["cost_per_question_usd"]
        one_call = (900 * 0.40 + 30 * 1.60) / 1e6
        basis = (
            summary["questions"] - summary["fallback"]
        )  # fallback left out; "not covered" costs 0
        assert per_answer == pytest.approx(one_call * summary["model_answers"] / basis)
        assert Page(report.read_text()).text.count("answered by the fallback") == 1

        fake.script.default = lambda body: ChatReply("From the wiki [1].")
        again = invoke(model_env(cli_env, fake), args)
    assert again.exit_code == 0, again.output
    run = json.loads(again.stdout)
    assert run["run"]["done"] == 1 and run["summary"]["fallback"] == 0  # only the fallback redone


def test_simulate_reports_bad_bytes_and_oversized_records_by_file_and_line(cli_env, tmp_path):
    history = tmp_path / "tickets.csv"
    write_csv(history)
    with history.open("ab") as handle:  # line 7: not UTF-8
        handle.write(b'"Is there a caf\xe9 in the office?","On the 2nd floor.",\r\n')
    pairs = tmp_path / "more.jsonl"
    huge = json.dumps({"question": "vpn " * 2_000_000, "answer": "ok"})  # one 8 MB record
    good = json.dumps({"question": "Where do I park in Lisbon?", "answer": "Level -2."})
    pairs.write_text(f"{huge}\n{good}\n")
    report = tmp_path / "report.html"
    args = ["simulate", str(history), str(pairs), "--extractive", "--report", str(report), "--json"]
    result = invoke(cli_env, args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "UnicodeDecodeError" not in result.output
    assert f"{history}:7: not UTF-8 text (byte 0xe9 at column 16); skipped" in result.stderr
    assert f"{pairs}:1: record of 8 MB is over the 1 MB limit for one record" in result.stderr
    assert json.loads(result.stdout)["summary"]["questions"] == 5  # 4 from the CSV, 1 JSONL
