"""The real `deskbot serve` for the serving tests: a ready index, fakes, one bot per module.

`served_index` is the sample wiki ingested once into an Edge index folder that is then
closed, so each bot process can take a copy and own it. `socket_bot` is one Socket Mode
bot (child process) for a whole test module, with /healthz on HEALTH_PORT, a fake model,
a fake Confluence and the control socket; tests leave it connected for the next one.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.prompts import REWRITE_SYSTEM
from tests.bot.serve.botproc import BotProcess, start_bot
from tests.conftest import WIKI
from tests.fakes.confluence import FakeConfluence
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.slack import FakeSlack
from tests.fakes.socket_mode import FakeSocketMode

ANSWER = "Install Northwind Connect and sign in with Okta [1]."


def wiki_model(body: dict) -> str:
    system, last = body["messages"][0]["content"], body["messages"][-1]["content"]
    if system == REWRITE_SYSTEM:
        return last.rsplit("Last message:", 1)[-1].strip()
    return ANSWER


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def served_index(tmp_path_factory, embedder) -> Path:
    from ingest.index import open_index
    from ingest.sources.files import FilesSource
    from ingest.sync import Syncer

    path = tmp_path_factory.mktemp("served") / "qdrant"
    with open_index(collection="deskbot", path=path) as index:
        Syncer(index, embedder).run(FilesSource(WIKI))
    return path


@dataclass
class SocketBot:
    bot: BotProcess
    slack: FakeSlack
    socket: FakeSocketMode
    model: FakeOpenAIChat
    confluence: FakeConfluence
    health_url: str

    def health(self) -> httpx.Response:
        return httpx.get(self.health_url, timeout=5)


@pytest.fixture(scope="module")
def socket_bot(served_index):
    with (
        FakeSocketMode() as fake_socket,
        FakeSlack(socket=fake_socket) as slack,
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
            HEALTH_PORT=str(port),
            CONFLUENCE_URL=confluence.base_url,
            CONFLUENCE_EMAIL=confluence.email,
            CONFLUENCE_API_TOKEN=confluence.api_token,
        )
        try:
            bot.wait_log("deskbot connected to Slack in Socket Mode")
            yield SocketBot(
                bot, slack, fake_socket, model, confluence, f"http://127.0.0.1:{port}/healthz"
            )
        finally:
            bot.close()
