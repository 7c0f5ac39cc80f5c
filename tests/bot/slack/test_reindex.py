"""/reindex: admins only, acked at once, run in the background, one at a time, reported back."""

from __future__ import annotations

import threading

import pytest

from bot.serve.reindex import build_reindex
from deskbot.core import messages
from deskbot.core.errors import SourceError
from ingest.index import open_index
from tests.bot.slack.slackreq import ADMIN, USER, wait_until


class Report:
    def __init__(self, summary: str, errors=()):
        self._summary, self.errors = summary, list(errors)

    def summary(self) -> str:
        return self._summary


def posts(slack, count=1):
    return wait_until(
        lambda: (
            [body["text"] for _, body, _ in slack.responses][:count]
            if len(slack.responses) >= count
            else None
        ),
        what=f"{count} response_url post(s)",
    )


def test_admin_reindex_runs_the_real_sync_and_posts_progress_and_summary(
    make_bot, slack, settings, embedder, tmp_path
):
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    (wiki / "vpn.md").write_text("# VPN\n\nInstall Northwind Connect and sign in with Okta.\n")
    (wiki / "wifi.md").write_text("# Wi-Fi\n\nJoin NW-Staff with your laptop certificate.\n")
    index = open_index(collection="deskbot", path=tmp_path / "index")
    bot = make_bot(reindex=build_reindex(settings, index, embedder))

    response = bot.sender.command(str(wiki), response_url=slack.response_url())
    assert response.status_code == 200 and response.elapsed.total_seconds() < 3
    assert response.json()["text"] == messages.SLACK_REINDEX_STARTED.format(what=wiki)
    assert response.json()["response_type"] == "ephemeral"

    wait_until(lambda: any("finished" in b["text"] for _, b, _ in slack.responses), 60)
    texts = [body["text"] for _, body, _ in slack.responses]
    assert texts[0].startswith("Reindex progress: ")
    assert "pages 2 seen / 2 added / 0 updated" in texts[-1]
    assert all(body["response_type"] == "ephemeral" for _, body, _ in slack.responses)
    index.close()


def test_non_admin_is_refused_politely(bot, slack):
    response = bot.sender.command("", user=USER, response_url=slack.response_url())
    assert response.status_code == 200
    assert response.json()["text"] == messages.SLACK_REINDEX_DENIED.format(command="/reindex")
    assert slack.responses == []


def test_second_reindex_while_one_runs_is_refused(make_bot, slack):
    release, calls = threading.Event(), []

    def slow_reindex(specs, progress):
        calls.append(list(specs))
        release.wait(10)
        return Report("confluence:ENG: pages 3 seen / 1 added")

    bot = make_bot(reindex=slow_reindex, sources=("confluence:ENG",))
    assert "Reindexing" in bot.sender.command("", response_url=slack.response_url()).json()["text"]
    busy = bot.sender.command("", response_url=slack.response_url("r2")).json()["text"]
    assert busy.startswith("A reindex is already running (started by <@U0ADMIN1>")
    release.set()
    assert posts(slack) == ["Reindex finished: confluence:ENG: pages 3 seen / 1 added"]
    assert calls == [["confluence:ENG"]]
    again = bot.sender.command("", response_url=slack.response_url("r3")).json()["text"]
    assert again.startswith("Reindexing")  # the lock was released


@pytest.mark.parametrize(
    "text, specs",
    [
        ("confluence:ENG", ["confluence:ENG"]),
        (
            "<https://wiki.example.com/wiki/spaces/ENG/pages/123/Setup|Setup>",
            ["https://wiki.example.com/wiki/spaces/ENG/pages/123/Setup"],
        ),
        ("", ["./wiki", "confluence:HR"]),
    ],
    ids=["space", "page-url", "configured-sources"],
)
def test_argument_picks_what_to_reindex(make_bot, slack, text, specs):
    seen = []
    bot = make_bot(
        reindex=lambda s, p: seen.append(s) or Report("done"),
        sources=("./wiki", "confluence:HR"),
        reindex_command="/wiki-reindex",
    )
    response = bot.sender.command(text, command="/wiki-reindex", response_url=slack.response_url())
    assert response.status_code == 200
    posts(slack)
    assert seen == [specs]


@pytest.mark.parametrize(
    "error, expected",
    [
        (
            SourceError("Confluence space 'NOPE' was not found"),
            messages.REINDEX_FAILED.format(
                what="confluence:NOPE", error="Confluence space 'NOPE' was not found"
            ),
        ),
        (RuntimeError("boom"), messages.REINDEX_CRASHED.format(what="confluence:NOPE")),
    ],
    ids=["domain-error", "crash"],
)
def test_failed_reindex_is_reported_and_frees_the_runner(make_bot, slack, error, expected):
    def failing(specs, progress):
        raise error

    bot = make_bot(reindex=failing)
    bot.sender.command("confluence:NOPE", response_url=slack.response_url())
    assert posts(slack) == [expected]
    assert "Reindexing" in bot.sender.command("x", response_url=slack.response_url()).json()["text"]


def test_summary_goes_by_dm_when_response_url_fails(make_bot, slack):
    bot = make_bot(reindex=lambda s, p: Report("done", errors=["page 7: bad HTML", "page 9"]))
    bot.sender.command("confluence:ENG", response_url=slack.url + "/expired")
    dm = wait_until(lambda: slack.calls_to("chat.postMessage"))[0].args
    assert dm["channel"] == ADMIN
    assert dm["text"] == "Reindex finished: done\n2 problem(s), first: page 7: bad HTML"


def test_no_sources_configured_says_how_to_name_one(bot, slack):
    text = bot.sender.command("", response_url=slack.response_url()).json()["text"]
    assert text == messages.SLACK_REINDEX_NO_SOURCES.format(command="/reindex")
