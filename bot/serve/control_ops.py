"""What the CLI can ask the running bot over the control socket: status, search, ask, ingest.

Each operation takes the request's `args` and a `send(message)` for progress lines,
and returns the result data; bad arguments and refusals raise ControlError.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from bot.index_info import index_info, search_json
from bot.serve.control_wire import MAX_QUESTION, ControlError
from bot.serve.reindex import Outcome
from bot.serve.runtime import Runtime
from deskbot.core import messages

Send = Callable[[dict], None]
MAX_K = 50
MAX_SPECS = 50


def op_status(runtime: Runtime, args: dict, send: Send) -> dict:
    return index_info(runtime.index) | {
        "served_by": os.getpid(),
        "transports": runtime.transport_health(),
    }


def op_search(runtime: Runtime, args: dict, send: Send) -> dict:
    question = _question(args)
    k = args.get("k")
    if k is not None and (not isinstance(k, int) or not 1 <= k <= MAX_K):
        raise ControlError("bad_request", messages.CONTROL_BAD_K.format(most=MAX_K))
    return search_json(runtime.retriever, question, k, _sources(args))


def op_ask(runtime: Runtime, args: dict, send: Send) -> dict:
    question = _question(args)
    if runtime.index.count() == 0:
        raise ControlError("index_empty", messages.INDEX_EMPTY)
    return runtime.answerer.answer(question, sources=_sources(args) or None).as_json()


def op_ingest(runtime: Runtime, args: dict, send: Send) -> dict:
    """A sync inside the bot through its one ReindexRunner; progress lines stream back."""
    if args.get("rebuild"):
        raise ControlError("rebuild_needs_stop", messages.CONTROL_NO_REBUILD)
    specs = _sources(args, "specs") or list(runtime.settings.sources)
    if not specs:
        raise ControlError("no_sources", messages.NO_SOURCES)
    who = f"deskbot ingest (pid {int(args.get('pid') or 0)})"
    running = runtime.reindexer.claim(who, specs)
    if running is not None:
        raise ControlError(
            "busy",
            messages.CONTROL_INGEST_BUSY.format(
                who=running.who, what=running.what, seconds=running.seconds
            ),
        )
    outcome = runtime.reindexer.run(_Streamer(send))
    if outcome.crashed:
        raise ControlError("crashed", messages.CONTROL_INGEST_CRASHED.format(what=outcome.run.what))
    if outcome.error is not None:
        raise ControlError("failed", outcome.error)
    report = outcome.report
    return {"summary": report.summary(), "report": report.as_json(), "errors": report.errors}


OPERATIONS: dict[str, Callable[[Runtime, dict, Send], dict]] = {
    "status": op_status,
    "search": op_search,
    "ask": op_ask,
    "ingest": op_ingest,
}


class _Streamer:
    """A reindex Listener that sends progress lines to the CLI."""

    def __init__(self, send: Send) -> None:
        self.send = send

    def progress(self, line: str) -> None:
        self.send({"type": "progress", "line": line})

    def done(self, outcome: Outcome) -> None:
        pass  # the result line is the operation's return value


def _question(args: dict) -> str:
    question = args.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ControlError("bad_request", messages.CONTROL_NO_QUESTION)
    if len(question) > MAX_QUESTION:
        raise ControlError(
            "bad_request", messages.CONTROL_QUESTION_TOO_LONG.format(most=MAX_QUESTION)
        )
    return question.strip()


def _sources(args: dict, key: str = "sources") -> list[str]:
    values = args.get(key) or []
    if not isinstance(values, list) or len(values) > MAX_SPECS:
        raise ControlError("bad_request", messages.CONTROL_BAD_LIST.format(key=key, most=MAX_SPECS))
    if not all(isinstance(v, str) and v and len(v) < 2000 for v in values):
        raise ControlError("bad_request", messages.CONTROL_BAD_STRINGS.format(key=key))
    return list(values)
