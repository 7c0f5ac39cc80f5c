"""The Slack bot under test: HTTP mode on port 0, a fake Slack, the real answering core.

`make_bot(**settings)` starts the bot (waitress in a thread) with the real
Answerer over the session's sample-wiki index (or `retriever=`) and the fake OpenAI
chat model (none with `extractive=True`), pointed at a fresh FakeSlack; requests go
in signed through `bot.sender`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from bot.prompts import REWRITE_SYSTEM
from bot.slack.app import build_app
from bot.slack.server import HttpServer
from bot.store import Store
from bot.wiring import build_answerer
from deskbot.core.config import Settings
from tests.bot.slack.slackreq import ADMIN, SIGNING_SECRET, SlackSender
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.slack import BOT_TOKEN, FakeSlack

ANSWER = (
    "Install **Northwind Connect** and sign in with Okta [1].\n\n"
    "- Open the app from the menu bar [1]\n"
    "- Click *Connect*; sessions last 12 hours [1]"
)


def wiki_model(body: dict) -> str:
    """The fake answer model: rewrites = first question + last message; answers cite [1]."""
    system, last = body["messages"][0]["content"], body["messages"][-1]["content"]
    if system == REWRITE_SYSTEM:
        first = last.split("User: ", 1)[-1].split("\n", 1)[0]
        return f"{first} {last.rsplit('Last message:', 1)[-1].strip()}"
    return ANSWER


@dataclass
class Bot:
    sender: SlackSender
    store: Store
    settings: Settings
    url: str


def no_reindex(specs, progress):
    raise AssertionError("this test does not reindex")


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def model():
    with FakeOpenAIChat(default=wiki_model) as fake:
        yield fake


@pytest.fixture
def make_bot(slack, model, settings, wiki_retriever):
    started = []

    def make(*, answerer=None, reindex=None, retriever=None, extractive=False, **kw) -> Bot:
        config = dataclasses.replace(
            settings,
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=slack.api_url,
            admin_user_ids=(ADMIN,),
            **kw,
        )
        store = Store(config.db_path)
        if answerer is None:
            answerer = build_answerer(
                config,
                retriever=retriever or wiki_retriever,
                store=store,
                llm_client=None if extractive else model.client(),
            )
        app = build_app(
            config,
            answerer=answerer,
            store=store,
            reindex=reindex or no_reindex,
            reindex_progress_every=0,
        )
        server = HttpServer(
            app, signing_secret=config.slack_signing_secret, host="127.0.0.1", port=0
        ).start()
        url = f"http://127.0.0.1:{server.port}"
        bot = Bot(SlackSender(url), store, config, url)
        started.append((server, bot))
        return bot

    yield make
    for server, bot in started:
        bot.sender.close()
        server.close()
        bot.store.close()


@pytest.fixture
def bot(make_bot) -> Bot:
    return make_bot()
