"""`deskbot ask` and `deskbot chat`: the answering core on a terminal."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from bot.citations import label
from bot.serve.control_client import running_bot
from bot.wiring import build_answerer, build_index, build_retriever
from deskbot.core import messages
from deskbot.core.clikit import friendly_errors, load_settings
from deskbot.core.config import Settings
from deskbot.core.conversations import Turn
from deskbot.core.errors import IndexStateError

if TYPE_CHECKING:  # types only: bot.answer loads the model client, which `ask --help` needs not
    from bot.answer import Answer, Answerer

HISTORY_TURNS = 12  # earlier turns handed to the model in `chat`


@contextlib.contextmanager
def open_answerer(settings: Settings) -> Iterator[Answerer]:
    """The Answerer over the configured index; the index and store are closed afterwards."""
    with build_index(settings) as index:
        if index.count() == 0:
            raise IndexStateError(messages.INDEX_EMPTY)
        answerer = build_answerer(settings, retriever=build_retriever(settings, index=index))
        try:
            yield answerer
        finally:
            if answerer.store is not None:
                answerer.store.close()


def render(answer: dict) -> str:
    """The answer (`Answer.as_json()`, here or from the running bot) for a terminal:
    notice, text, numbered sources, one line of figures."""
    lines = [f"Note: {answer['notice']}", ""] if answer["notice"] else []
    lines.append(answer["answer"])
    if answer["citations"]:
        lines += ["", messages.SOURCES_HEADING]
        for c in answer["citations"]:
            name = label(c["title"], c["section"])
            lines.append(f"  [{c['n']}] {name}" + (f" — {c['url']}" if c["url"] else ""))
    lines += ["", click.style(footer(answer), dim=True)]
    return "\n".join(lines)


def footer(answer: dict) -> str:
    parts = [answer["model"] or ("extractive" if answer["covered"] else "no answer")]
    if answer["usage"].get("total_tokens"):
        parts.append(f"{answer['usage']['total_tokens']:,} tokens")
        parts.append(f"${answer['cost_usd']:.4f}")
    parts.append(f"{answer['timings'].get('total', 0.0):.2f} s")
    return " · ".join(parts)


def render_sources(answer: Answer | None) -> str:
    """The passages behind an answer, with their scores."""
    if answer is None:
        return messages.CHAT_NO_ANSWER_YET
    lines = []
    for n, hit in enumerate(answer.passages, 1):
        name = label(hit.title, hit.section)
        lines.append(f"{n}. ({hit.score:.2f}) {name}" + (f" — {hit.url}" if hit.url else ""))
        snippet = " ".join(hit.text.split())
        lines.append(f"   {snippet[:200]}{'…' if len(snippet) > 200 else ''}")
    return "\n".join(lines) or "No passages."


@click.command()
@click.argument("question")
@click.option("--source", "only", multiple=True, help="Only this source (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: answer, citations, ….")
@click.pass_context
@friendly_errors
def ask(ctx: click.Context, question: str, only: tuple[str, ...], as_json: bool) -> None:
    """Answer QUESTION from the index, with numbered sources.

    With OPENAI_API_KEY (or OPENAI_BASE_URL) set, a model writes the answer from
    the retrieved passages; otherwise the best passages are quoted.
    """
    settings = load_settings(ctx)
    bot = running_bot(settings)
    if bot is not None:  # the running bot holds the index: it answers
        answer = bot.call("ask", {"question": question, "sources": list(only)})
    else:
        with open_answerer(settings) as answerer:
            answer = answerer.answer(question, sources=only or None).as_json()
    if as_json:
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
    else:
        click.echo(render(answer))


@click.command()
@click.option("--source", "only", multiple=True, help="Only this source (repeatable).")
@click.pass_context
@friendly_errors
def chat(ctx: click.Context, only: tuple[str, ...]) -> None:
    """Interactive chat that keeps the thread's history (/sources, /new, /quit)."""
    settings = load_settings(ctx)
    with open_answerer(settings) as answerer:
        click.echo(messages.CHAT_WELCOME)
        history: list[Turn] = []
        last: Answer | None = None
        for line in _lines():
            if line.startswith("/"):
                command = line.split()[0].lower()
                if command in ("/quit", "/exit", "/q"):
                    break
                if command == "/sources":
                    click.echo(render_sources(last))
                elif command == "/new":
                    history, last = [], None
                    click.echo(messages.CHAT_NEW_THREAD)
                else:
                    click.echo(messages.CHAT_UNKNOWN_COMMAND.format(command=command))
                continue
            last = answerer.answer(line, history[-HISTORY_TURNS:], sources=only or None)
            click.echo(render(last.as_json()) + "\n")
            history += [Turn("user", line), Turn("assistant", last.text)]


def _lines() -> Iterator[str]:
    """Non-empty input lines until end of input or Ctrl-C."""
    while True:
        try:
            line = click.prompt("you", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            click.echo()
            return
        if line.strip():
            yield line.strip()
