"""The Teams bot under test: its real HTTP endpoint on port 0, fakes for Microsoft's services.

`make_bot(**settings)` builds the Teams transport as `deskbot serve` will (the real SDK, the real
Answerer over the session's sample-wiki index and the fake OpenAI model, a
SQLite store) and starts its server; activities go in signed by the fake Bot
Framework login, replies land on the fake Bot Connector, outgoing tokens come
from the fake Entra. Only the loopback connector is allowed as serviceUrl, and
only because the test hands the bot that policy.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from bot.prompts import REWRITE_SYSTEM
from bot.store import Store
from bot.teams.app import TeamsBot
from bot.teams.connector import ServiceUrlPolicy
from bot.teams.server import TeamsServer
from bot.teams.transport import TeamsTransport
from bot.wiring import build_answerer
from deskbot.core.config import Settings
from tests.bot.teams.teamsreq import (
    ADMIN_AAD,
    APP_ID,
    SECRET,
    TENANT,
    Activities,
    TeamsSender,
)
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.teams_connector import FakeConnector
from tests.fakes.teams_login import FakeBotFrameworkLogin, FakeEntra

ANSWER = (
    "Install **Northwind Connect** and sign in with Okta [1].\n\n"
    "- Open the app from the menu bar [1]\n"
    "- Click *Connect*; sessions last 12 hours [1]"
)
LOOPBACK = ServiceUrlPolicy(["127.0.0.1"], schemes=("http",))


def wiki_model(body: dict) -> str:
    """The fake answer model: rewrites = first question + last message; answers cite [1]."""
    system, last = body["messages"][0]["content"], body["messages"][-1]["content"]
    if system == REWRITE_SYSTEM:
        first = last.split("User: ", 1)[-1].split("\n", 1)[0]
        return f"{first} {last.rsplit('Last message:', 1)[-1].strip()}"
    return ANSWER


@dataclass
class Bot:
    sender: TeamsSender
    activities: Activities
    store: Store
    settings: Settings
    teams: TeamsBot
    server: TeamsServer
    transport: TeamsTransport


def no_reindex(specs, progress):
    raise AssertionError("this test does not reindex")


@pytest.fixture
def bf_login():
    with FakeBotFrameworkLogin() as fake:
        yield fake


@pytest.fixture
def entra():
    with FakeEntra(APP_ID, SECRET) as fake:
        yield fake


@pytest.fixture
def connector():
    with FakeConnector() as fake:
        yield fake


@pytest.fixture
def model():
    with FakeOpenAIChat(default=wiki_model) as fake:
        yield fake


@pytest.fixture
def teams_settings(settings, bf_login, entra) -> Settings:
    return dataclasses.replace(
        settings,
        teams_app_id=APP_ID,
        teams_app_password=SECRET,
        teams_tenant_id=TENANT,
        teams_allowed_tenant_ids=(TENANT,),
        teams_login_url=entra.url,
        teams_openid_metadata_url=bf_login.metadata_url,
        teams_admin_aad_ids=(ADMIN_AAD,),
        escalation_text="#it-help",
    )


@pytest.fixture
def make_bot(teams_settings, bf_login, connector, model, wiki_retriever):
    started: list[Bot] = []

    def make(
        *, answerer=None, store=None, reindex=None, policy=LOOPBACK, report=None, **overrides
    ) -> Bot:
        config = dataclasses.replace(teams_settings, **overrides)
        store = store or Store(config.db_path)
        if answerer is None:
            answerer = build_answerer(
                config, retriever=wiki_retriever, store=store, llm_client=model.client()
            )
        transport = TeamsTransport(
            config,
            answerer=answerer,
            store=store,
            reindex=reindex or no_reindex,
            host="127.0.0.1",
            port=0,
            service_urls=policy,
            report=report,
            reindex_progress_every=0,
        )
        transport.start()
        bot = Bot(
            TeamsSender(transport.url, bf_login),
            Activities(connector.service_url),
            store,
            config,
            transport.bot,
            transport.server,
            transport,
        )
        started.append(bot)
        return bot

    yield make
    for bot in started:
        bot.sender.close()
        bot.server.stop(grace=2)  # TeamsTransport.close
        bot.store.close()


@pytest.fixture
def bot(make_bot) -> Bot:
    return make_bot()
