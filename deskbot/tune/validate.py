"""`deskbot tune validate`: every check a provider would fail on, with line numbers.

Errors make the file unusable (the provider would reject it); warnings are worth
reading (duplicates, truncation, too few examples for a good result). The report
also carries the distributions the cookbook checker prints, computed per model
with the model's own encoding.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from deskbot.core.modelnames import encoding_for
from deskbot.tune import checks
from deskbot.tune.estimate import DEFAULT_MAX_EXAMPLE_TOKENS
from deskbot.tune.tokens import assistant_tokens, count_messages, tools_tokens

MIN_EXAMPLES = 10  # providers refuse fewer
RECOMMENDED_EXAMPLES = 50
MAX_FILE_BYTES = 512 * 1024 * 1024  # OpenAI's upload limit for fine-tuning files


@dataclass(frozen=True)
class Issue:
    line: int | None  # 1-based line in the file; None for file-wide findings
    level: str  # "error" or "warning"
    code: str
    message: str

    def format(self, name: str) -> str:
        where = f"{name}:{self.line}" if self.line else name
        return f"{where}: {self.level}: {self.message} [{self.code}]"


@dataclass
class ValidationReport:
    path: str
    model: str
    kind: str | None = None  # "chat" or "dpo"
    issues: list[Issue] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # line of each example
    messages: list[int] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)
    assistant: list[int] = field(default_factory=list)
    completion: list[int] = field(default_factory=list)  # tokens of the last assistant reply
    limit: int = DEFAULT_MAX_EXAMPLE_TOKENS

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def examples(self) -> int:
        return len(self.tokens)

    def add(self, line: int | None, level: str, code: str, message: str) -> None:
        self.issues.append(Issue(line, level, code, message))


def distribution(values: list[int]) -> dict[str, float]:
    """min, max, mean, median, p5, p95 (true 5th/95th percentiles, inclusive method)."""
    if not values:
        return {}
    if len(values) == 1:
        v = float(values[0])
        return {"min": v, "max": v, "mean": v, "median": v, "p5": v, "p95": v}
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return {
        "min": float(min(values)),
        "max": float(max(values)),
        "mean": statistics.fmean(values),
        "median": float(statistics.median(values)),
        "p5": cuts[0],
        "p95": cuts[-1],
    }


def _decode(raw: bytes, number: int, report: ValidationReport) -> str | None:
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        report.add(1, "warning", "bom", "file starts with a UTF-8 byte-order mark")
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.add(number, "error", "encoding", f"not UTF-8 (byte {exc.start + 1})")
        return None


def _parse(text: str, number: int, report: ValidationReport) -> Mapping | None:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        report.add(number, "error", "invalid_json", f"not JSON: {exc.msg} (column {exc.colno})")
        return None
    if not isinstance(value, dict):
        report.add(number, "error", "not_object", f"a JSON {type(value).__name__}, not an object")
        return None
    return value


def _measure(example: Mapping, kind: str, found: checks.Found, model: str) -> tuple[int, ...]:
    """(messages, tokens, assistant tokens, completion tokens) of one example."""
    if kind == "dpo":
        messages, preferred, rejected = checks.check_dpo(example, found)
        prompt = count_messages(messages, model)
        outputs = [count_messages(preferred, model) - 3, count_messages(rejected, model) - 3]
        completion = assistant_tokens(preferred, model)
        return len(messages) + 2, prompt + sum(outputs), completion, completion
    messages = checks.check_chat(example, found)
    total = count_messages(messages, model) + tools_tokens(example.get("tools"), model)
    last = [m for m in messages if isinstance(m, Mapping) and m.get("role") == "assistant"][-1:]
    return len(messages), total, assistant_tokens(messages, model), assistant_tokens(last, model)


def _example(line: int, example: Mapping, report: ValidationReport, seen: dict) -> None:
    kind = checks.kind_of(example)
    if report.kind is None:
        report.kind = kind
    elif kind != report.kind:
        report.add(line, "error", "mixed_format", f"a {kind} example in a {report.kind} file")
        return
    found: checks.Found = []
    n_messages, tokens, assistant, completion = _measure(example, kind, found, report.model)
    for level, code, message in found:
        report.add(line, level, code, message)
    digest = hashlib.sha256(json.dumps(example, sort_keys=True).encode()).hexdigest()
    if digest in seen:
        report.add(line, "warning", "duplicate", f"duplicates line {seen[digest]}")
    seen.setdefault(digest, line)
    if tokens > report.limit:
        report.add(
            line,
            "warning",
            "too_long",
            f"{tokens:,} tokens, over the {report.limit:,}-token limit: it will be truncated",
        )
    report.lines.append(line)
    report.messages.append(n_messages)
    report.tokens.append(tokens)
    report.assistant.append(assistant)
    report.completion.append(completion)


def validate_lines(
    lines: Iterable[bytes],
    *,
    model: str,
    name: str = "<input>",
    limit: int | None = None,
    held_out: bool = False,
) -> ValidationReport:
    """Validate JSONL given as raw lines; `held_out`: a validation set (no size rule)."""
    report = ValidationReport(path=name, model=model, limit=limit or DEFAULT_MAX_EXAMPLE_TOKENS)
    _, known = encoding_for(model)
    if not known:
        report.add(
            None,
            "warning",
            "unknown_encoding",
            f"{model} is not an OpenAI model: token counts use o200k_base and are approximate",
        )
    raw_lines = list(lines)
    while raw_lines and not raw_lines[-1].strip():
        raw_lines.pop()  # trailing newlines are fine
    seen: dict[str, int] = {}
    for number, raw in enumerate(raw_lines, 1):
        text = _decode(raw.rstrip(b"\r\n"), number, report)
        if text is None:
            continue
        if not text.strip():
            report.add(number, "error", "blank_line", "blank line inside the file")
            continue
        example = _parse(text, number, report)
        if example is not None:
            _example(number, example, report, seen)
    if not held_out:
        _check_count(report)
    elif not report.examples:
        report.add(None, "error", "too_few_examples", "no examples")
    return report


def _check_count(report: ValidationReport) -> None:
    n = report.examples
    if n < MIN_EXAMPLES:
        report.add(
            None,
            "error",
            "too_few_examples",
            f"{n} examples; fine-tuning needs at least {MIN_EXAMPLES}",
        )
    elif n < RECOMMENDED_EXAMPLES:
        report.add(
            None,
            "warning",
            "few_examples",
            f"{n} examples; {RECOMMENDED_EXAMPLES}-100 usually give a clear improvement",
        )


def validate_file(
    path: Path, *, model: str, limit: int | None = None, held_out: bool = False
) -> ValidationReport:
    """Validate a JSONL file on disk (`held_out`: a validation set, any size)."""
    path = Path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        report = ValidationReport(path=str(path), model=model)
        report.add(None, "error", "file_too_large", "over the 512 MB upload limit")
        return report
    with path.open("rb") as fh:
        return validate_lines(fh, model=model, name=str(path), limit=limit, held_out=held_out)
