"""Broken and oversized input files through `deskbot tune prepare`: one line per problem,
naming the file and the line, and every good record still used."""

from __future__ import annotations

import json
import os

import pytest

GOOD = [
    ("How do I reset my password?", "Open https://id.example.com/reset and follow the steps."),
    ("Where is the guest Wi-Fi password?", "On the screens at reception."),
    ("Who approves expenses?", "Your manager, in Pleo."),
]


def csv_bytes(bad_row: bytes) -> bytes:
    rows = [b"question,answer,url"] + [f'"{q}","{a}",'.encode() for q, a in GOOD[:2]]
    rows.insert(2, bad_row)  # line 3
    return b"\r\n".join(rows + [f'"{GOOD[2][0]}","{GOOD[2][1]}",'.encode()]) + b"\r\n"


def jsonl_line(question: str, answer: str) -> bytes:
    return json.dumps({"question": question, "answer": answer}).encode() + b"\n"


def examples(path) -> list[str]:
    return [json.loads(line)["messages"][0]["content"] for line in path.read_text().splitlines()]


def prepare(cli, tmp_path, *inputs, code=0):
    out = tmp_path / "train.jsonl"
    result = cli("tune", "prepare", *inputs, "-o", out, code=code)
    assert "Traceback" not in result.output and "UnicodeDecodeError" not in result.output
    return result, out


def test_csv_with_bytes_that_are_not_utf8_names_file_line_and_column(cli, tmp_path):
    history = tmp_path / "tickets.csv"
    history.write_bytes(csv_bytes(b'"Can I work from Lisbon?","Yes, caf\xe9 rules apply.",'))
    result, out = prepare(cli, tmp_path, history)
    assert f"{history}:3: not UTF-8 text (byte 0xe9 at column 36); skipped" in result.output
    assert examples(out) == [q for q, _ in GOOD]  # every good row, before and after it


def test_csv_header_that_is_not_utf8(cli, tmp_path):
    history = tmp_path / "tickets.csv"
    history.write_bytes(b"qu\xffestion,answer\r\nq,a\r\n")
    result, _ = prepare(cli, tmp_path, history, code=1)
    assert f"{history}:1: not UTF-8 text (byte 0xff at column 3) in the header" in result.output


def test_jsonl_and_json_with_bytes_that_are_not_utf8(cli, tmp_path):
    lines = tmp_path / "pairs.jsonl"
    lines.write_bytes(
        jsonl_line(*GOOD[0]) + b'{"question": "caf\xe9?", "answer": "ok"}\n' + jsonl_line(*GOOD[1])
    )
    export = tmp_path / "export.json"
    export.write_bytes(b'{"tickets": [\n  {"id": 1,\n   "subject": "\xff"}\n]}\n')
    result, out = prepare(cli, tmp_path, lines, export)
    assert f"{lines}:2: not UTF-8 text (byte 0xe9 at column 18); skipped" in result.output
    assert f"{export}:3: not UTF-8 text (byte 0xff at column 16); the file is skipped" in (
        result.output
    )
    assert examples(out) == [GOOD[0][0], GOOD[1][0]]


def test_one_oversized_record_is_skipped_and_the_rest_used(cli, tmp_path):
    lines = tmp_path / "pairs.jsonl"
    huge = "word " * 600_000  # 3 MB on one line
    lines.write_bytes(jsonl_line(*GOOD[0]) + jsonl_line(huge, "ok") + jsonl_line(*GOOD[1]))
    ticket = {
        "id": 7,
        "requester_id": 1,
        "comments": [
            {"author_id": 1, "body": "Please help: " + "x" * 1_100_000},
            {"author_id": 2, "body": "Done."},
        ],
    }
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"tickets": [ticket]}, indent=1))
    result, out = prepare(cli, tmp_path, lines, export)
    assert f"{lines}:2: record of 3 MB is over the 1 MB limit for one record; skipped" in (
        result.output
    )
    assert f"{export}:3: record of 1.1 MB is over the 1 MB limit for one record; skipped" in (
        result.output
    )
    assert examples(out) == [GOOD[0][0], GOOD[1][0]]


def test_an_oversized_csv_line_stops_that_file_only(cli, tmp_path):
    history = tmp_path / "tickets.csv"
    history.write_bytes(csv_bytes(b'"big","' + b"y" * 1_200_000 + b'",'))
    other = tmp_path / "more.jsonl"
    other.write_bytes(jsonl_line(*GOOD[2]))
    result, out = prepare(cli, tmp_path, history, other)
    assert (
        f"{history}:3: record of 1.2 MB is over the 1 MB limit for one record; "
        "the rest of the file is skipped" in result.output
    )
    assert examples(out) == [GOOD[0][0], GOOD[2][0]]


@pytest.mark.parametrize("first_line", [b"[\n", b'{"question": "q?", "answer": "a."}\n'])
def test_a_json_file_over_the_document_limit(cli, tmp_path, first_line):
    """A 201 MB .json: a document is refused unread; one record per line is streamed."""
    big = tmp_path / "export.json"
    big.write_bytes(first_line)
    os.truncate(big, 201_000_000)  # sparse: the test writes almost nothing
    result, out = prepare(cli, tmp_path, big, code=None)
    if first_line.startswith(b"["):
        assert result.exit_code == 1
        assert f"{big}: 201 MB is over the 200 MB limit for one JSON document" in result.output
    else:
        assert result.exit_code == 0, result.output
        assert f"{big}:2: record of 201 MB is over the 1 MB limit" in result.output
        assert examples(out) == ["q?"]
