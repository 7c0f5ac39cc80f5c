"""The CLI reaches a running bot: `deskbot search/ask/status/ingest` through the control socket.

One real `deskbot serve --http` (child process) holds the embedded index for the module;
the CLI runs here, through click, exactly as an admin would type it. The last test stops
the bot with SIGTERM during an answer (HTTP mode's graceful shutdown).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import threading

import httpx
import pytest
from click.testing import CliRunner

from bot.serve.control import ControlServer
from deskbot.cli import main
from deskbot.core import messages
from deskbot.core.config import Settings
from tests.bot.serve.botproc import DESKBOT, start_bot
from tests.bot.serve.conftest import free_port, wiki_model
from tests.bot.slack.slackreq import (
    ADMIN,
    SIGNING_SECRET,
    SlackSender,
    message_event,
    wait_answer,
    wait_until,
)
from tests.fakes.confluence import FakeConfluence
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.slack import BOT_USER, FakeSlack

CHANNEL = "C0HELP001"


@pytest.fixture(scope="module")
def http_bot(served_index):
    with (
        FakeSlack() as slack,
        FakeOpenAIChat(default=wiki_model) as model,
        FakeConfluence() as confluence,
    ):
        confluence.add_space("ENG")
        confluence.add_page("ENG", "101", "Deploys", "<p>Deploys go out on Tuesdays.</p>")
        port = free_port()
        bot = start_bot(
            served_index,
            slack,
            model.base_url,
            "--http",
            "--port",
            str(port),
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            CONFLUENCE_URL=confluence.base_url,
            CONFLUENCE_EMAIL=confluence.email,
            CONFLUENCE_API_TOKEN=confluence.api_token,
        )
        sender = SlackSender(f"http://127.0.0.1:{port}")
        try:
            bot.wait_log("deskbot listening on http://")
            bot.wait_log("control socket listening")
            yield bot, slack, model, confluence, sender
        finally:
            sender.close()
            bot.close()


def cli(bot, *args: str):
    return CliRunner().invoke(main, list(args), env=bot.env, catch_exceptions=False)


@pytest.mark.slow
def test_status_search_and_ask_go_through_the_running_bot(http_bot):
    bot = http_bot[0]
    status = cli(bot, "status")
    assert status.exit_code == 0, status.output
    assert f"Served: by the running bot (pid {bot.proc.pid})" in status.output
    assert "  slack: up (HTTP mode listening on port" in status.output
    assert "pages" in status.output and "Model:" in status.output

    search = cli(bot, "search", "how do I connect to the VPN", "-k", "3", "--json")
    assert search.exit_code == 0, search.output
    hits = json.loads(search.output)["hits"]
    assert len(hits) == 3 and "VPN" in hits[0]["title"]

    ask = cli(bot, "ask", "how do I connect to the VPN?")
    assert ask.exit_code == 0, ask.output
    assert "Northwind Connect" in ask.output and "Sources:" in ask.output

    health = httpx.get(f"{http_bot[4].http.base_url}/healthz", timeout=5)
    assert health.status_code == 200
    assert health.json()["checks"] == {
        "index": "index open",
        "slack": health.json()["checks"]["slack"],
    }
    assert health.json()["checks"]["slack"].startswith("HTTP mode listening on port")


@pytest.mark.slow
def test_control_socket_is_owner_only(http_bot):
    bot = http_bot[0]
    path = Settings(data_dir=bot.data).control_socket_path
    assert stat.S_ISSOCK(os.lstat(path).st_mode)
    assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


@pytest.mark.slow
def test_ingest_runs_in_the_bot_one_at_a_time(http_bot):
    bot, slack, _, confluence, sender = http_bot
    confluence.slow_next(4.0)  # the first Confluence call of the sync hangs a while
    first = subprocess.Popen(
        [*DESKBOT, "ingest", "confluence:ENG"],
        env=bot.env,
        cwd=bot.data,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_until(lambda: confluence.requests, timeout=30, what="the first ingest under way")

    second = cli(bot, "ingest", "confluence:ENG")
    assert second.exit_code == 1
    assert "Error: A reindex is already running in the bot (confluence:ENG, started by " in (
        second.output
    )
    reindex = sender.command("confluence:ENG", user=ADMIN, response_url=slack.response_url())
    assert reindex.json()["text"].startswith(
        f"A reindex is already running (started by deskbot ingest (pid {first.pid})"
    )

    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert (
        messages.CONTROL_VIA_BOT.format(path=Settings(data_dir=bot.data).control_socket_path) in err
    )
    assert "confluence:ENG 1 pages, 1 chunks" in err  # a progress line, streamed from the bot
    assert "1 seen / 1 added" in out  # the summary
    status = cli(bot, "status")
    assert "confluence:ENG: 1 pages" in status.output


@pytest.mark.slow
def test_rebuild_is_refused_while_the_bot_runs(http_bot):
    result = cli(http_bot[0], "ingest", "--rebuild", "confluence:ENG")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {messages.CONTROL_NO_REBUILD}"


def test_a_stale_socket_is_replaced_and_a_live_one_is_left_alone(tmp_path):
    path = tmp_path / "run" / "deskbot.sock"
    path.parent.mkdir()
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(str(path))  # a bot that died: the file stays, nothing accepts
    dead.close()
    first = ControlServer(None, path)
    assert first.start()
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        second = ControlServer(None, path)
        assert not second.start()  # another bot listens there: not stolen
        assert path.exists()
    finally:
        first.close()
    assert not path.exists()


def test_without_a_bot_the_cli_opens_the_index_itself(tmp_path, settings):
    path = settings.control_socket_path
    path.parent.mkdir(parents=True)
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(str(path))
    dead.close()  # stale: a bot that was killed
    env = {"DESKBOT_DATA_DIR": str(settings.data_dir), "QDRANT_PATH": "", "CONTROL_SOCKET": ""}
    result = CliRunner().invoke(main, ["status"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == messages.INDEX_EMPTY


@pytest.mark.slow
def test_sigterm_in_http_mode_finishes_the_answer_then_exits_0(http_bot):
    """Ends the module's bot: keep it last."""
    bot, slack, model, _, sender = http_bot
    release, started = threading.Event(), threading.Event()

    def slow_model(body: dict) -> str:
        started.set()
        release.wait(10)
        return "Slow but sure [1]."

    model.script.default = slow_model
    question = slack.user_message(CHANNEL, f"<@{BOT_USER}> where is the printer?")
    assert sender.event(message_event(question, "app_mention")).status_code == 200
    assert started.wait(30)
    bot.signal(signal.SIGTERM)
    wait_until(lambda: _refused(sender.http.base_url), what="HTTP server closed")
    release.set()
    assert bot.wait(30) == 0
    assert "Slow but sure" in wait_answer(slack, CHANNEL, question.ts)[0].text
    assert "deskbot stopped (SIGTERM): 1 answer(s) finished during shutdown, 0 cut off" in bot.log()
    assert not Settings(data_dir=bot.data).control_socket_path.exists()


def _refused(base_url) -> bool:
    try:
        httpx.get(f"{base_url}/healthz", timeout=1)
        return False
    except httpx.HTTPError:
        return True
