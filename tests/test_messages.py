"""deskbot/core/messages.py's promise, kept: errors people read take their words from there.

The rule (messages.py's docstring): the text of a domain error, a CLI usage error or a
control-socket refusal comes from `messages`, except a diagnostic of one input record,
shaped `<where>: <fact>`, which the code that found it writes (e.g. f"{path}:{line}: …").
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from deskbot.core import errors

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = {name for name, value in vars(errors).items() if isinstance(value, type)} | {
    "ControlError",  # (code, text): the CLI shows the text
    "NotFound",
    "UsageError",
    "BadParameter",
    "ClickException",
}
# Caught where raised and put into one log line as its reason (ingest/embed.py: "runs on
# torch, not ONNX Runtime: <reason>"), so never read on its own.
LOG_ONLY = {"OnnxExportError"}
# `<where>: <fact>`: placeholders (and spaces or colons between them), then ": "
RECORD_DIAGNOSTIC = re.compile(r"^\{\}(?:[ :]?\{\})*: ")


def inline_texts(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each domain error raised with text written in place."""
    source = path.read_text()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in DOMAIN or name in LOG_ONLY:
            continue
        coded = name == "ControlError" and len(node.args) > 1
        text = node.args[1] if coded else node.args[0]  # (code, text)
        if isinstance(text, ast.Constant) and isinstance(text.value, str):
            found.append((node.lineno, text.value))
        elif isinstance(text, ast.JoinedStr):
            parts = [v.value if isinstance(v, ast.Constant) else "{}" for v in text.values]
            found.append((node.lineno, "".join(parts)))
    return found


def offenders(paths) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in paths
        for line, text in inline_texts(path)
        if not RECORD_DIAGNOSTIC.match(text)
    ]


def test_domain_errors_take_their_words_from_messages():
    paths = [p for package in ("bot", "ingest", "deskbot") for p in (ROOT / package).rglob("*.py")]
    assert offenders(paths) == []


@pytest.mark.parametrize(
    "line, caught",
    [
        ('raise ConfigError(f"TONE_EXAMPLES {path} holds no examples")', True),
        ('raise click.UsageError("--val-split needs --val")', True),
        ('raise ControlError("bad_request", "question must be a string")', True),
        ('raise TuneError(f"{path}:{line}: not a JSON object")', False),  # a record diagnostic
        ('raise DocumentError(f"{doc.source} {doc.doc_id}: too long")', False),
        ("raise ConfigError(messages.SETTING_NOT_BOOL.format(name=n, value=v))", False),
        ('raise ValueError("a bug")', False),
    ],
)
def test_the_check_tells_inline_wording_from_diagnostics(tmp_path, line, caught):
    module = tmp_path / "m.py"
    module.write_text(line + "\n")
    assert bool(offenders_in(module)) == caught


def offenders_in(path: Path) -> list[str]:
    return [text for _, text in inline_texts(path) if not RECORD_DIAGNOSTIC.match(text)]
