"""Slack and Teams served by one real `deskbot serve` (a child process) around one index.

The bot runs Slack in Socket Mode against the Slack fakes and Teams on its own port
against the fakes of Microsoft's services (Bot Framework keys, Entra, an https Bot
Connector); one fake model answers both. One bot serves the module: each test leaves
it running for the next, and the last one stops it with SIGTERM while a Slack answer
and a Teams answer are still being written. A Teams-only bot (no Slack token at all)
closes the module.
"""

from __future__ import annotations

import re
import signal
import threading
from dataclasses import dataclass

import httpx
import pytest
from click.testing import CliRunner

from deskbot.cli import main
from deskbot.core import messages
from tests.bot.serve.botproc import BotProcess, start_bot, teams_env
from tests.bot.serve.conftest import ANSWER, free_port, wiki_model
from tests.bot.slack.slackreq import envelope, message_event, wait_answer, wait_until
from tests.bot.teams.teamsreq import ADMIN_AAD, APP_ID, SECRET, Activities, TeamsSender
from tests.fakes.confluence import FakeConfluence
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.slack import BOT_USER, FakeSlack
from tests.fakes.socket_mode import FakeSocketMode
from tests.fakes.teams_connector import FakeConnector
from tests.fakes.teams_login import FakeBotFrameworkLogin, FakeEntra

pytestmark = pytest.mark.slow
CHANNEL = "C0HELP001"
SLACK_ADMIN = "U0ADMIN1"  # botproc's ADMIN_USER_IDS
VPN = "how do I connect to the VPN?"
USER_2 = "aaaaaaaa-0000-4000-8000-000000000002"  # a chat of its own: no earlier turns


@dataclass
class Both:
    bot: BotProcess
    slack: FakeSlack
    socket: FakeSocketMode
    model: FakeOpenAIChat
    confluence: FakeConfluence
    connector: FakeConnector
    teams: TeamsSender
    activities: Activities

    def mention(self, text: str) -> str:
        """A Slack @mention over Socket Mode; its ts."""
        message = self.slack.user_message(CHANNEL, f"<@{BOT_USER}> {text}")
        self.socket.wait_ack(
            self.socket.envelope("events_api", envelope(message_event(message, "app_mention")))
        )
        return message.ts

    def slash(self, text: str, user: str = SLACK_ADMIN) -> dict:
        """/reindex over Socket Mode; the payload of its acknowledgement."""
        command = {
            "command": "/reindex",
            "text": text,
            "user_id": user,
            "team_id": "T0000001",
            "channel_id": CHANNEL,
            "response_url": self.slack.response_url("reindex"),
        }
        return self.socket.wait_ack(self.socket.envelope("slash_commands", command)).payload

    def teams_dm(self, text: str, **who) -> str:
        """A Teams personal-chat message, signed and acknowledged; its conversation id."""
        activity = self.activities.personal(text, **who)
        assert self.teams.post(activity).status_code == 202
        return activity["conversation"]["id"]

    def teams_replies(self, conversation: str, count: int = 1, timeout: float = 30):
        return wait_until(
            lambda: (m := self.connector.messages(conversation)) and len(m) >= count and m,
            timeout=timeout,
            what=f"{count} Teams message(s) in {conversation}",
        )


@pytest.fixture(scope="module")
def both(served_index):
    with (
        FakeSocketMode() as fake_socket,
        FakeSlack(socket=fake_socket) as slack,
        FakeOpenAIChat(default=wiki_model) as model,
        FakeConfluence() as confluence,
        FakeBotFrameworkLogin() as login,
        FakeEntra(APP_ID, SECRET) as entra,
        FakeConnector(tls=True) as connector,
    ):
        confluence.add_space("ENG")
        confluence.add_page("ENG", "101", "Deploys", "<p>Deploys go out on Tuesdays.</p>")
        port = free_port()
        bot = start_bot(
            served_index,
            slack,
            model.base_url,
            CONFLUENCE_URL=confluence.base_url,
            CONFLUENCE_EMAIL=confluence.email,
            CONFLUENCE_API_TOKEN=confluence.api_token,
            **teams_env(login, entra, connector, port),
        )
        sender = TeamsSender(f"http://127.0.0.1:{port}", login)
        try:
            bot.wait_log("deskbot connected to Slack in Socket Mode")
            bot.wait_log("deskbot Teams endpoint on")
            yield Both(
                bot,
                slack,
                fake_socket,
                model,
                confluence,
                connector,
                sender,
                Activities(connector.service_url),
            )
        finally:
            sender.close()
            bot.close()


def test_a_slack_mention_and_a_teams_dm_are_answered_from_one_index(both):
    ts = both.mention(VPN)
    conversation = both.teams_dm(VPN)
    slack_answer = wait_answer(both.slack, CHANNEL, ts)[0]
    (teams_answer,) = both.teams_replies(conversation)
    assert "Northwind Connect" in slack_answer.text
    assert teams_answer.text == ANSWER
    citation = teams_answer.entity("https://schema.org/Message")["citation"][0]
    page = citation["appearance"]["name"]  # the page the one index found
    assert page.startswith("VPN") and page.split(" › ")[0] in str(slack_answer.blocks)
    assert teams_answer.authorization.startswith("Bearer outgoing-token-")

    status = CliRunner().invoke(main, ["status"], env=both.bot.env, catch_exceptions=False)
    assert f"Served: by the running bot (pid {both.bot.proc.pid})" in status.output
    assert "  slack: up (Socket Mode connected" in status.output
    assert "  teams: up (listening on port" in status.output
    health = httpx.get(f"{both.teams.url}/healthz", timeout=5)  # every transport, not Teams alone
    assert health.status_code == 200
    assert sorted(health.json()["checks"]) == ["index", "slack", "teams"]


def test_one_reindex_at_a_time_across_slack_and_teams(both):
    both.confluence.slow_next(3.0)  # the sync's first Confluence call hangs a while
    started = both.slash("confluence:ENG")
    assert started["text"] == messages.SLACK_REINDEX_STARTED.format(what="confluence:ENG")
    wait_until(lambda: both.confluence.requests, timeout=30, what="the Slack reindex under way")
    chat = both.teams_dm("reindex ./wiki", user=ADMIN_AAD)
    (busy,) = both.teams_replies(chat)
    assert busy.text.startswith("A reindex of confluence:ENG is already running")
    wait_until(
        lambda: [r for r in both.slack.responses if "Reindex finished" in str(r[1])],
        timeout=60,
        what="the Slack reindex summary",
    )

    both.confluence.slow_next(3.0)
    both.teams_dm("reindex confluence:ENG", user=ADMIN_AAD)
    texts = [m.text for m in both.teams_replies(chat, count=2)]
    assert texts[1] == messages.TEAMS_REINDEX_STARTED.format(what="confluence:ENG")
    refused = both.slash("confluence:ENG")
    assert refused["text"].startswith(f"A reindex is already running (started by {ADMIN_AAD}")
    wait_until(
        lambda: any(m.text.startswith("Reindex finished") for m in both.connector.messages(chat)),
        timeout=60,
        what="the Teams reindex summary",
    )


def test_sigterm_delivers_the_slack_and_teams_answers_in_flight_then_exits_0(both):
    """Ends the module's bot: keep it last."""
    release, writing = threading.Event(), threading.Semaphore(0)

    def slow_model(body: dict) -> str:
        if "SLOWLY" not in body["messages"][-1]["content"]:
            return wiki_model(body)
        writing.release()
        release.wait(20)
        return "Slow but sure [1]."

    both.model.script.default = slow_model
    ts = both.mention("where is the printer? SLOWLY")
    conversation = both.teams_dm("where is the printer? SLOWLY", user=USER_2)
    assert writing.acquire(timeout=30) and writing.acquire(timeout=30)  # both being written
    both.bot.signal(signal.SIGTERM)
    wait_until(lambda: _refused(both.teams.url), what="the Teams port closed")
    wait_until(lambda: all(not link.open for link in both.socket.links), what="Slack links closed")
    assert both.bot.proc.poll() is None
    release.set()
    assert both.bot.wait(30) == 0
    assert "Slow but sure" in wait_answer(both.slack, CHANNEL, ts)[0].text
    (teams_answer,) = both.teams_replies(conversation)
    assert teams_answer.text == "Slow but sure [1]."
    stopped = re.search(
        r"deskbot stopped \(SIGTERM\): (\d+) answer\(s\) finished during shutdown, 0 cut off "
        r"after the \d+ s grace period\.",
        both.bot.log(),
    )
    assert stopped and int(stopped[1]) >= 2
    assert "Traceback" not in both.bot.log()


def test_teams_alone_runs_without_any_slack_setting(served_index):
    with (
        FakeOpenAIChat(default=wiki_model) as model,
        FakeBotFrameworkLogin() as login,
        FakeEntra(APP_ID, SECRET) as entra,
        FakeConnector(tls=True) as connector,
    ):
        port = free_port()
        bot = start_bot(
            served_index, None, model.base_url, **teams_env(login, entra, connector, port)
        )
        sender = TeamsSender(f"http://127.0.0.1:{port}", login)
        try:
            bot.wait_log("deskbot Teams endpoint on")
            activity = Activities(connector.service_url).personal(VPN)
            assert sender.post(activity).status_code == 202
            conversation = activity["conversation"]["id"]
            wait_until(lambda: connector.messages(conversation), timeout=30, what="the answer")
            status = CliRunner().invoke(main, ["status"], env=bot.env, catch_exceptions=False)
            bot.signal(signal.SIGTERM)
            assert bot.wait(30) == 0
            log = bot.log()
        finally:
            sender.close()
            bot.close()
    assert connector.messages(conversation)[0].text == ANSWER
    assert "  teams: up (listening on port" in status.output and "slack:" not in status.output
    assert "Slack" not in log.split(messages.SERVE_LOADING)[0]  # no Slack check ran
    assert "deskbot stopped (SIGTERM)" in log and "Traceback" not in log


def _refused(base_url: str) -> bool:
    try:
        httpx.get(f"{base_url}/healthz", timeout=1)
        return False
    except httpx.HTTPError:
        return True
