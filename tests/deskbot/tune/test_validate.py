"""`tune validate`: each provider-fatal problem has a fixture file that triggers it."""

from __future__ import annotations

import json

import pytest

from deskbot.tune import validate as validation
from deskbot.tune.validate import distribution, validate_file, validate_lines
from tests.deskbot.tune.conftest import DATA

MODEL = "gpt-4o-mini-2024-07-18"
INVALID = sorted(p.stem for p in (DATA / "invalid").glob("*.jsonl"))
LINE_OF_BAD_EXAMPLE = 4  # every invalid fixture hides its bad line at line 4


def test_every_error_code_has_a_fixture():
    codes = {
        "invalid_json", "not_object", "blank_line", "encoding", "missing_messages",
        "unknown_key", "message_not_object", "message_unknown_key", "unknown_role",
        "missing_content", "bad_content", "bad_name", "bad_weight", "weight_not_assistant",
        "missing_tool_call_id", "bad_tool_calls", "no_assistant", "too_few_examples",
        "mixed_format", "dpo_input", "dpo_output",
    }  # fmt: skip
    assert codes == set(INVALID)


@pytest.mark.parametrize("code", INVALID)
def test_fixture_triggers_exactly_its_error(code):
    report = validate_file(DATA / "invalid" / f"{code}.jsonl", model=MODEL)
    assert [(i.code, i.line) for i in report.errors] == [
        (code, None if code == "too_few_examples" else LINE_OF_BAD_EXAMPLE)
    ]
    assert not report.ok


@pytest.mark.parametrize("code", INVALID)
def test_cli_exits_non_zero_with_the_line(cli, code):
    path = DATA / "invalid" / f"{code}.jsonl"
    result = cli("tune", "validate", path, code=1)
    where = (
        f"{path}:{LINE_OF_BAD_EXAMPLE}: error:" if code != "too_few_examples" else f"{path}: error:"
    )
    assert where in result.output
    assert f"[{code}]" in result.output


@pytest.mark.parametrize("name", ["chat", "dpo", "tools_and_weights"])
def test_valid_files_pass(cli, name):
    """Tool calls, tool messages and weights are fine (the cookbook checker flags them)."""
    result = cli("tune", "validate", DATA / "valid" / f"{name}.jsonl", code=0)
    assert "OK: 10" in result.output
    assert "tokens per example" in result.output


def _lines(*examples) -> list[bytes]:
    return [json.dumps(e).encode() + b"\n" for e in examples]


def _chat(n: int, reply: str = "Sure, here you go.") -> dict:
    return {
        "messages": [
            {"role": "user", "content": f"question {n}"},
            {"role": "assistant", "content": reply},
        ]
    }


def test_duplicates_warn_with_both_lines():
    report = validate_lines(_lines(*[_chat(i) for i in range(10)], _chat(3)), model=MODEL)
    assert report.ok
    dup = [i for i in report.warnings if i.code == "duplicate"]
    assert [(i.line, i.message) for i in dup] == [(11, "duplicates line 4")]


def test_examples_over_the_limit_warn_that_they_will_be_truncated():
    long = _chat(0, "word " * 400)
    report = validate_lines(_lines(long, *[_chat(i) for i in range(1, 10)]), model=MODEL, limit=300)
    assert [(i.code, i.line) for i in report.warnings if i.code == "too_long"] == [("too_long", 1)]
    assert report.ok


@pytest.mark.parametrize(
    ("count", "codes"),
    [(9, {"too_few_examples"}), (10, {"few_examples"}), (49, {"few_examples"}), (50, set())],
)
def test_example_count_edges(count, codes):
    report = validate_lines(_lines(*[_chat(i) for i in range(count)]), model=MODEL)
    assert {i.code for i in report.issues} == codes


def test_trailing_blank_lines_and_bom_are_not_errors():
    lines = [b"\xef\xbb\xbf" + _lines(_chat(0))[0], *_lines(*[_chat(i) for i in range(1, 10)])]
    report = validate_lines([*lines, b"\n", b"\n"], model=MODEL)
    assert report.ok and {i.code for i in report.warnings} == {"bom", "few_examples"}


def test_odd_values_never_crash():
    odd = [
        {"messages": [{"role": "user", "content": {"nested": 1}}, {"role": 7, "content": "x"}]},
        {"messages": "not a list"},
        {"messages": [None, [], 3.5]},
        {"input": 1, "preferred_output": "x", "non_preferred_output": None},
    ]
    report = validate_lines(_lines(*odd), model=MODEL)
    assert {"bad_content", "unknown_role", "missing_messages", "message_not_object"} <= {
        i.code for i in report.errors
    }


def test_dpo_identical_outputs_warn():
    same = [{"role": "assistant", "content": "Yes."}]
    example = {
        "input": {"messages": [{"role": "user", "content": "Is it up?"}]},
        "preferred_output": same,
        "non_preferred_output": same,
    }
    report = validate_lines(_lines(*[example] * 10), model=MODEL)
    assert "dpo_same_outputs" in {i.code for i in report.warnings}


def test_unknown_model_counts_approximately_with_a_warning():
    report = validate_lines(_lines(*[_chat(i) for i in range(10)]), model="llama-3-8b")
    assert "unknown_encoding" in {i.code for i in report.warnings}


def test_huge_file_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"x" * 2048)
    monkeypatch.setattr(validation, "MAX_FILE_BYTES", 1024)
    assert [i.code for i in validate_file(path, model=MODEL).errors] == ["file_too_large"]


def test_distribution_uses_real_percentiles():
    d = distribution(list(range(1, 101)))
    assert (d["min"], d["max"], d["median"]) == (1, 100, 50.5)
    assert d["p5"] == pytest.approx(5.95) and d["p95"] == pytest.approx(95.05)


def test_json_output(cli):
    result = cli("tune", "validate", DATA / "invalid" / "bad_weight.jsonl", "--json", code=1)
    payload = json.loads(result.output)
    assert payload["examples"] == 11
    assert [i["code"] for i in payload["issues"] if i["level"] == "error"] == ["bad_weight"]


def test_held_out_sets_have_no_size_rule(cli):
    report = validate_lines(_lines(_chat(1), _chat(2)), model=MODEL, held_out=True)
    assert report.ok and report.issues == []
    path = DATA / "invalid" / "too_few_examples.jsonl"
    assert "OK: 9 chat examples" in cli("tune", "validate", path, "--held-out").output
