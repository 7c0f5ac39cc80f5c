"""`reindex [source …]`: admins only, one run at a time, progress and a summary as replies."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from bot.serve.reindex import ReindexRunner
from deskbot.core import messages
from deskbot.core.errors import SourceError
from tests.bot.teams.teamsreq import ADMIN_AAD, SECRET, wait_until


@dataclass
class Report:
    added: int = 3
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.added} pages added"


class Reindexer:
    """Records the calls; reports progress; can be held until released."""

    def __init__(self, *, hold: bool = False, fail: Exception | None = None) -> None:
        self.calls: list[list[str]] = []
        self.release = threading.Event()
        self.hold, self.fail = hold, fail
        if not hold:
            self.release.set()

    def __call__(self, specs, progress):
        self.calls.append(list(specs))
        progress("1 of 2 pages")
        self.release.wait(10)
        if self.fail:
            raise self.fail
        return Report(errors=["page 7 'Old <at>x</at>' could not be read"])


def replies(connector, conversation, count):
    return wait_until(
        lambda: (m := connector.messages(conversation)) and len(m) >= count and m,
        what=f"{count} replies",
    )


def test_admin_reindex_reports_start_progress_and_summary(make_bot, connector):
    reindex = Reindexer()
    bot = make_bot(reindex=reindex)
    command = bot.activities.personal("reindex confluence:ENG ./wiki", user=ADMIN_AAD)
    assert bot.sender.post(command).status_code == 202
    chat = command["conversation"]["id"]
    texts = [m.text for m in replies(connector, chat, 3)]
    assert reindex.calls == [["confluence:ENG", "./wiki"]]
    assert texts[0] == messages.TEAMS_REINDEX_STARTED.format(what="confluence:ENG, ./wiki")
    assert texts[1] == messages.REINDEX_PROGRESS.format(line="1 of 2 pages")
    assert texts[2].startswith(messages.REINDEX_DONE.format(summary="3 pages added"))
    assert "1 problem(s)" in texts[2] and "<at>" not in texts[2]


def test_reindex_in_a_channel_thread_with_the_configured_sources(make_bot, connector):
    reindex = Reindexer()
    bot = make_bot(reindex=reindex, sources=("./wiki",))
    command = bot.activities.channel("reindex", user=ADMIN_AAD)
    bot.sender.post(command)
    replies(connector, command["conversation"]["id"], 3)
    assert reindex.calls == [["./wiki"]]


def test_admin_reindex_works_in_a_personal_chat_even_with_personal_chats_off(make_bot, connector):
    reindex = Reindexer()
    bot = make_bot(reindex=reindex, allow_dms=False)
    command = bot.activities.personal("reindex ./wiki", user=ADMIN_AAD)
    bot.sender.post(command)
    replies(connector, command["conversation"]["id"], 3)
    assert reindex.calls == [["./wiki"]]


def test_non_admin_is_refused_politely(make_bot, connector):
    reindex = Reindexer()
    bot = make_bot(reindex=reindex)
    command = bot.activities.personal("reindex confluence:ENG")
    bot.sender.post(command)
    (reply,) = replies(connector, command["conversation"]["id"], 1)
    assert reply.text == messages.TEAMS_REINDEX_DENIED
    bot.server.stop(grace=2)
    assert reindex.calls == []


def test_nothing_to_reindex_says_how(make_bot, connector):
    bot = make_bot(reindex=Reindexer(), sources=())
    command = bot.activities.personal("reindex", user=ADMIN_AAD)
    bot.sender.post(command)
    (reply,) = replies(connector, command["conversation"]["id"], 1)
    assert reply.text == messages.TEAMS_REINDEX_NO_SOURCES


def test_second_reindex_while_one_runs_is_refused(make_bot, connector):
    reindex = Reindexer(hold=True)
    bot = make_bot(reindex=reindex)
    first = bot.activities.personal("reindex ./wiki", user=ADMIN_AAD)
    bot.sender.post(first)
    chat = first["conversation"]["id"]
    replies(connector, chat, 2)  # started + progress: it is running
    bot.sender.post(bot.activities.personal("reindex ./other", user=ADMIN_AAD))
    texts = [m.text for m in replies(connector, chat, 3)]
    assert texts[2].startswith("A reindex of ./wiki is already running")
    reindex.release.set()
    replies(connector, chat, 4)
    assert reindex.calls == [["./wiki"]]


def test_a_sync_started_elsewhere_in_the_process_blocks_teams_reindex(make_bot, connector):
    runner = ReindexRunner(Reindexer())  # the serving process's one runner
    assert runner.claim("deskbot ingest (pid 7)", ["confluence:HR"]) is None  # the CLI's sync
    bot = make_bot(reindex=runner)
    command = bot.activities.personal("reindex ./wiki", user=ADMIN_AAD)
    bot.sender.post(command)
    (reply,) = replies(connector, command["conversation"]["id"], 1)
    assert reply.text.startswith("A reindex of confluence:HR is already running")


def test_failed_reindex_reports_the_error_without_secrets(make_bot, connector):
    failure = SourceError(f"Confluence rejected the token {SECRET} on /rest/api/space")
    bot = make_bot(reindex=Reindexer(fail=failure))
    command = bot.activities.personal("reindex confluence:ENG", user=ADMIN_AAD)
    bot.sender.post(command)
    last = replies(connector, command["conversation"]["id"], 3)[-1].text
    assert last.startswith("Reindex of confluence:ENG failed: Confluence rejected the token ***")
    assert SECRET not in last
