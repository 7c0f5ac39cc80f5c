"""Sources without a web address (a folder ingested without a base URL) are named, never linked.

Their `file://` URLs would not open in Slack and would show where the wiki lives on
the server. Everywhere sources appear (the streamed or posted answer text, the
sources block, the "closest pages" of a not-covered answer) the title (and section)
is shown alone.
"""

from __future__ import annotations

import pytest

from bot.retrieve import Retriever
from deskbot.core.config import Settings
from ingest.index import open_index
from ingest.sources.files import FilesSource
from ingest.sync import Syncer
from tests.bot.slack.markup import sent, shown
from tests.bot.slack.slackreq import message_event, wait_answer
from tests.fakes.slack import BOT_USER

HELP = "C0HELP001"
PAGE = """# Printing

## Add a printer

Open Settings, choose Printers and add FloorPrinter-3 with your badge PIN.
"""


@pytest.fixture(scope="module")
def folder_wiki(tmp_path_factory, embedder):
    """A one-page wiki folder with no .deskbot-base-url: its pages have file:// URLs."""
    wiki = tmp_path_factory.mktemp("server-only-wiki")
    (wiki / "printing.md").write_text(PAGE)
    index = open_index(collection="deskbot", path=tmp_path_factory.mktemp("folder-index"))
    Syncer(index, embedder).run(FilesSource(wiki))
    yield wiki, index, embedder
    index.close()


def retriever(folder_wiki, threshold: float | None = None) -> Retriever:
    _, index, embedder = folder_wiki
    settings = Settings()
    return Retriever(
        index, embedder, top_k=settings.top_k, threshold=threshold or settings.score_threshold
    )


def assert_named_not_linked(slack, folder_wiki):
    wiki, *_ = folder_wiki
    assert shown(slack, "Printing › Add a printer")
    assert not [t for t in sent(slack) if "file:" in t or str(wiki) in t], sent(slack)


@pytest.mark.parametrize("streaming", [True, False], ids=["streamed", "posted"])
@pytest.mark.parametrize("extractive", [True, False], ids=["quoted", "model"])
def test_answer_names_the_page_without_its_path(
    make_bot, slack, model, folder_wiki, streaming, extractive
):
    slack.stream_supported = streaming
    model.push("Open Settings, choose Printers and add FloorPrinter-3 [1].")
    bot = make_bot(retriever=retriever(folder_wiki), extractive=extractive)
    question = slack.user_message(HELP, f"<@{BOT_USER}> How do I add a printer?")
    bot.sender.event(message_event(question, "app_mention"))
    (reply,) = wait_answer(slack, HELP, question.ts)
    sources = next(b for b in reply.blocks if b["type"] == "context")["elements"][0]["text"]
    assert sources.endswith("[1] Printing › Add a printer")
    assert_named_not_linked(slack, folder_wiki)


def test_not_covered_answer_names_the_closest_pages_without_their_paths(
    make_bot, slack, folder_wiki
):
    bot = make_bot(retriever=retriever(folder_wiki, threshold=1.01), extractive=True)
    question = slack.user_message(HELP, f"<@{BOT_USER}> How do I add a printer?")
    bot.sender.event(message_event(question, "app_mention"))
    wait_answer(slack, HELP, question.ts)
    assert_named_not_linked(slack, folder_wiki)
