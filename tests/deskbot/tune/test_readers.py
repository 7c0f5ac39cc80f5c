"""Readers: Zendesk (JSON and JSONL), Slack export, Q/A CSV; bad records reported by line."""

from __future__ import annotations

import json

import pytest

from deskbot.tune.readers import Problem, read_conversations
from tests.deskbot.tune.conftest import DATA

ZENDESK = DATA / "zendesk_export.json"
ZENDESK_JSONL = DATA / "zendesk_tickets.jsonl"
SLACK = DATA / "slack_export"
CSV = DATA / "qa.csv"


def read(*paths, agents=()):
    problems: list[Problem] = []
    found = list(read_conversations(list(paths), agent_ids=agents, problems=problems))
    return found, [str(p) for p in problems]


def roles(conversation) -> list[str]:
    return [t.role for t in conversation.turns]


def test_zendesk_export_roles_notes_and_automations():
    found, problems = read(ZENDESK)
    by_id = {c.id: c for c in found}
    assert list(by_id) == ["zendesk:101", "zendesk:102", "zendesk:103", "zendesk:105"]
    vpn = by_id["zendesk:101"]
    assert roles(vpn) == ["user", "assistant", "user"]
    assert "Internal" not in " ".join(t.text for t in vpn.turns)
    assert vpn.meta["internal_notes"] == 1
    assert vpn.linked_url == "https://wiki.example.com/vpn/install"
    assert vpn.origin == f"{ZENDESK}:3"
    assert vpn.question.startswith("Hi, my VPN drops")
    printer = by_id["zendesk:102"]
    assert roles(printer) == ["user", "assistant"]  # the trigger's comment is dropped
    assert printer.meta["auto_replies"] == 1
    assert printer.agent_answer.startswith("Hello!\n\nI restarted the print server")
    assert printer.linked_url == "https://wiki.example.com/printing"
    assert problems == [f"{ZENDESK}:41: ticket 104 has no comments list"]


def test_zendesk_agent_ids_restrict_who_answers():
    found, _ = read(ZENDESK, agents=["501"])
    by_id = {c.id: c for c in found}
    assert roles(by_id["zendesk:101"]) == ["user", "user"]  # Sam (500) is not listed
    assert roles(by_id["zendesk:102"]) == ["user", "assistant"]


def test_zendesk_jsonl_with_both_shapes_and_bad_lines():
    found, problems = read(ZENDESK_JSONL)
    assert [c.id for c in found] == ["zendesk:201", "zendesk:202"]
    assert [c.origin for c in found] == [f"{ZENDESK_JSONL}:1", f"{ZENDESK_JSONL}:2"]
    assert found[1].linked_url == "https://wiki.example.com/finance/expenses"
    assert problems[0] == f"{ZENDESK_JSONL}:3: ticket 203 has no comments list"
    assert problems[1].startswith(f"{ZENDESK_JSONL}:4: not valid JSON")


def test_bare_list_and_one_ticket_per_line_json(tmp_path):
    ticket = json.loads(ZENDESK.read_text())["tickets"][0]
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([ticket, ticket], indent=1))
    ndjson = tmp_path / "lines.json"  # Zendesk's JSON data export is one ticket per line
    ndjson.write_text(json.dumps(ticket) + "\n" + json.dumps(ticket) + "\n")
    for path in (listed, ndjson):
        found, problems = read(path)
        assert [c.id for c in found] == ["zendesk:101", "zendesk:101"], path
        assert problems == []


def test_broken_json_names_the_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"tickets": [\n  {"id": 1,\n  "comments": [}\n]}')
    found, problems = read(path)
    assert found == [] and problems[0].startswith(f"{path}:3: not valid JSON")


def test_slack_export_threads_across_day_files():
    found, problems = read(SLACK, agents=["U0AGENT1"])
    assert len(found) == 1
    thread = found[0]
    assert thread.id == "slack:it-help:1709281000.000100"
    assert roles(thread) == ["user", "assistant", "user", "assistant"]
    assert thread.turns[0].text == "My laptop won't charge & the light is off. Any idea?"
    assert thread.turns[1].text == (
        "Hi @Jane! Try another outlet first, then see the charging guide "
        "(https://wiki.example.com/hardware/charging)."
    )
    assert thread.linked_url == "https://wiki.example.com/hardware/charging"
    assert thread.origin == f"{SLACK}/it-help/2024-03-01.json:3"
    assert problems == [f"{SLACK}/it-help/2024-03-01.json:9: message without a ts"]


@pytest.mark.parametrize("agent", ["sam", "@sam", "Sam"])
def test_slack_agents_by_name(agent):
    found, _ = read(SLACK, agents=[agent])
    assert [c.id for c in found] == ["slack:it-help:1709281000.000100"]


def test_slack_one_channel_folder():
    found, _ = read(SLACK / "it-help", agents=["U0AGENT1"])
    assert found[0].turns[1].text.startswith("Hi @Jane!")  # users.json from the parent


def test_slack_without_agents_is_a_problem():
    found, problems = read(SLACK)
    assert found == [] and "needs --agent" in problems[0]


def test_csv_pairs_with_multiline_fields_and_a_bad_row():
    found, problems = read(CSV)
    assert [c.origin for c in found] == [f"{CSV}:2", f"{CSV}:4", f"{CSV}:6"]
    assert found[0].agent_answer.endswith("forget the network and retry.")
    assert found[0].linked_url == "https://wiki.example.com/wifi"
    assert found[2].linked_url == ""
    assert problems == [f"{CSV}:5: empty or missing answer"]


def test_csv_without_the_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("q,a\nx,y\n")
    found, problems = read(path)
    assert found == [] and problems == [
        f"{path}:1: the header must name the columns question and answer (url optional)"
    ]


def test_jsonl_pairs_and_chat_examples(tmp_path):
    path = tmp_path / "mixed.jsonl"
    records = [
        {"question": "Q1?", "answer": "A1.", "url": "https://wiki.example.com/a"},
        {"messages": [
            {"role": "system", "content": "Be kind."},
            {"role": "user", "content": "Q2?"},
            {"role": "assistant", "content": "A2."},
        ]},
        {"question": "Q3?"},
        "just a string",
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    found, problems = read(path)
    assert [(c.question, c.agent_answer, c.linked_url) for c in found] == [
        ("Q1?", "A1.", "https://wiki.example.com/a"),
        ("Q2?", "A2.", ""),
    ]
    assert found[1].meta["system"] == "Be kind."
    assert problems == [f"{path}:3: empty or missing answer", f"{path}:4: not a JSON object"]


def test_missing_and_unknown_inputs(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    found, problems = read(tmp_path / "nope.json", other)
    assert found == []
    assert problems == [
        f"{tmp_path / 'nope.json'}: no such file or folder",
        f"{other}: unknown input: expected a Slack export folder, .csv, .json or .jsonl",
    ]


def test_problems_are_logged_without_a_list(caplog):
    list(read_conversations([CSV]))
    assert f"{CSV}:5: empty or missing answer" in caplog.text


def test_pair_ids_come_from_the_record_when_it_has_one(tmp_path):
    from deskbot.tune.readers import read_conversations

    path = tmp_path / "history.jsonl"
    path.write_text(
        '{"id": "T9", "question": "q1?", "answer": "a1"}\n{"question": "q2?", "answer": "a2"}\n'
    )
    assert [c.id for c in read_conversations([path])] == ["history:T9", "history:2"]
