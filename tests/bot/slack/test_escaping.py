"""Wiki and model text full of Slack control syntax reaches Slack escaped, on every path.

A hostile wiki page (its title and text) and a hostile model reply carry `<!channel>`,
`<!here>`, `<!everyone>`, `<@U…>`, `<#C…>`, `<!subteam^…>` and a disguised link. For
each way deskbot talks to Slack, the test asserts on what the fake Slack received:
none of it survives as control syntax, the text itself is still shown (escaped), and
deskbot's own links (the wiki page, the thread) still work.
"""

from __future__ import annotations

from html import escape

import pytest

from bot.prompts import REWRITE_SYSTEM, TONE_SYSTEM
from bot.retrieve import Retriever
from bot.serve.reindex import build_reindex
from deskbot.core.config import Settings
from ingest.index import open_index
from ingest.sources.files import FilesSource
from ingest.sync import Syncer
from tests.bot.slack.markup import HOSTILE, WIKI_BASE, foreign_markup, sent, shown
from tests.bot.slack.slackreq import (
    USER,
    message_event,
    thread_started_event,
    wait_answer,
    wait_until,
)
from tests.fakes.slack import BOT_USER

HELP = "C0HELP001"
DM = "D0DM00001"
QUESTION = "How do I submit expense receipts?"
ESCAPED = ("&lt;!channel&gt;", "&lt;@U0ATTACK1&gt;", "&lt;!subteam^S0ADMINS&gt;")
# The page shows the tokens as text (entities in its Markdown, as a wiki editor would write
# them to show them), so they are in the indexed text; its title carries one raw.
PAGE = f"""# Expense receipts <!here>

Submit expense receipts in Concur within 30 days. {escape(HOSTILE)}

Receipts over 25 EUR need a photo of the paper receipt.
"""


@pytest.fixture(scope="module")
def hostile_retriever(tmp_path_factory, embedder):
    """A one-page wiki at https://wiki.example.com/ whose page is full of control syntax."""
    wiki = tmp_path_factory.mktemp("hostile-wiki")
    (wiki / ".deskbot-base-url").write_text(WIKI_BASE + "\n")
    (wiki / "expenses.md").write_text(PAGE)
    index = open_index(collection="deskbot", path=tmp_path_factory.mktemp("hostile-index"))
    Syncer(index, embedder).run(FilesSource(wiki))
    settings = Settings()
    yield Retriever(index, embedder, top_k=settings.top_k, threshold=settings.score_threshold)
    index.close()


@pytest.fixture(params=["wiki", "model"])
def source(request):
    """Where the hostile text comes from: the quoted page (no model) or the model's reply."""
    return request.param


def hostile_bot(make_bot, model, source, hostile_retriever, **settings):
    if source == "model":
        model.push(f"Submit receipts in Concur within 30 days [1]. {HOSTILE}")
    return make_bot(retriever=hostile_retriever, extractive=source == "wiki", **settings)


def ask(bot, slack, text=QUESTION, channel=HELP):
    question = slack.user_message(channel, f"<@{BOT_USER}> {text}")
    bot.sender.event(message_event(question, "app_mention"))
    return question


def assert_escaped(slack, *, own=()):
    assert foreign_markup(slack, own) == []
    assert all(shown(slack, token) for token in ESCAPED), sent(slack)


def assert_page_linked(reply):
    sources = next(b for b in reply.blocks if b["type"] == "context")["elements"][0]["text"]
    link = f"[1] <{WIKI_BASE}expenses.html#expense-receipts|Expense receipts &lt;!here&gt; › "
    assert link in sources


def test_streamed_answer(make_bot, slack, model, source, hostile_retriever):
    bot = hostile_bot(make_bot, model, source, hostile_retriever)
    question = ask(bot, slack)
    (reply,) = wait_answer(slack, HELP, question.ts)
    assert slack.calls_to("chat.startStream") and slack.calls_to("chat.stopStream")
    assert_escaped(slack)
    assert_page_linked(reply)


def test_posted_answer_where_streaming_is_refused(
    make_bot, slack, model, source, hostile_retriever
):
    slack.stream_supported = False
    bot = hostile_bot(make_bot, model, source, hostile_retriever)
    question = ask(bot, slack)
    (reply,) = wait_answer(slack, HELP, question.ts)
    assert slack.calls_to("chat.postMessage")
    assert_escaped(slack)
    assert_page_linked(reply)


def test_answer_replacing_a_broken_stream(make_bot, slack, model, source, hostile_retriever):
    slack.fail("chat.stopStream", "message_not_in_streaming_state")
    bot = hostile_bot(make_bot, model, source, hostile_retriever)
    question = ask(bot, slack)
    (reply,) = wait_answer(slack, HELP, question.ts)
    assert slack.calls_to("chat.update")
    assert_escaped(slack)
    assert_page_linked(reply)


def test_not_covered_answer_naming_the_closest_pages(make_bot, slack, hostile_retriever):
    nothing_relevant = Retriever(
        hostile_retriever.index, hostile_retriever.embedder, threshold=1.01
    )
    bot = make_bot(retriever=nothing_relevant, extractive=True)
    question = ask(bot, slack)
    wait_answer(slack, HELP, question.ts)
    assert shown(slack, "Expense receipts &lt;!here&gt;")
    assert foreign_markup(slack) == []


def test_tone_pass_output(make_bot, slack, model, hostile_retriever):
    def replies(body: dict) -> str:
        system = body["messages"][0]["content"]
        if system == TONE_SYSTEM:
            return f"Hi! Submit receipts in Concur within 30 days [1]. {HOSTILE}"
        assert system != REWRITE_SYSTEM
        return "Submit receipts in Concur within 30 days [1]."

    model.script.default = replies  # the fixture's fake model, answering by prompt
    bot = make_bot(retriever=hostile_retriever, tone_model="ft:gpt-4.1-mini:acme:tone:1")
    question = ask(bot, slack)
    (reply,) = wait_answer(slack, HELP, question.ts)
    assert len(model.chat_requests()) == 2  # the answer, then the tone pass
    assert_escaped(slack)
    assert_page_linked(reply)


def test_escalation_post_and_ephemeral_notes(make_bot, slack, model, hostile_retriever):
    bot = make_bot(
        retriever=hostile_retriever,
        escalation_channel="C0ESCAL01",
        escalation_usergroup="S0HELPERS",
    )
    # what a person typed: Slack escapes their angle brackets; from_slack reads them back
    typed = QUESTION + " " + HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    question = ask(bot, slack, typed)
    (reply,) = wait_answer(slack, HELP, question.ts)
    bot.sender.click(reply, "deskbot_escalate")
    wait_until(lambda: slack.calls_to("chat.postEphemeral"), what="the clicker's note")
    post = next(
        c.args for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "C0ESCAL01"
    )
    assert "&lt;!channel&gt;" in post["text"] and "|Open the thread>" in post["text"]
    assert_escaped(slack, own=(f"@{USER}", "!subteam^S0HELPERS", "#C0ESCAL01"))


@pytest.mark.parametrize(
    "config",
    [{"escalation_text": f"the help desk {HOSTILE}"}, {"escalation_channel": f"#help{HOSTILE}"}],
    ids=["nowhere-to-escalate", "channel-by-name"],
)
def test_ephemeral_escalation_replies_escape_the_settings(make_bot, slack, config):
    bot = make_bot(**config)
    question = ask(bot, slack, "How do I connect to the VPN from home?")
    (reply,) = wait_answer(slack, HELP, question.ts)
    bot.sender.click(reply, "deskbot_escalate")
    note = wait_until(lambda: slack.calls_to("chat.postEphemeral"), what="the clicker's note")
    assert "&lt;!channel&gt;" in note[0].args["text"]
    assert foreign_markup(slack, own=(f"@{USER}",)) == []  # the post names who asked


def test_apology_escapes_the_escalation_text(make_bot, slack, model):
    slack.stream_supported = False
    slack.fail("chat.postMessage", "msg_too_long")  # the answer fails; the apology goes out
    bot = make_bot(escalation_text=f"the help desk {HOSTILE}")
    question = ask(bot, slack, "How do I connect to the VPN from home?")
    (apology,) = wait_answer(slack, HELP, question.ts)
    assert apology.text.startswith("Sorry")
    assert_escaped(slack)


def test_assistant_thread_title(make_bot, slack, model, hostile_retriever):
    bot = make_bot(retriever=hostile_retriever)
    root = slack.user_message(DM, "")
    typed = "receipts " + HOSTILE.replace("<", "&lt;").replace(">", "&gt;")
    question = slack.user_message(DM, typed, thread_ts=root.ts)
    bot.sender.event(message_event(question))
    wait_answer(slack, DM, root.ts)
    title = slack.calls_to("assistant.threads.setTitle")[0].args["title"]
    assert title.startswith("receipts &lt;!channel&gt; &lt;!here&gt;")
    assert foreign_markup(slack) == []


def test_reindex_replies(make_bot, slack, settings, embedder, tmp_path):
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    (wiki / "vpn.md").write_text("# VPN\n\nInstall Northwind Connect.\n")
    with open(wiki / f"{HOSTILE.replace('/', '∕')}.md", "wb") as huge:  # sparse: no disk used
        huge.truncate(200 * 2**20)
    index = open_index(collection="deskbot", path=tmp_path / "index")
    bot = make_bot(reindex=build_reindex(settings, index, embedder))
    bot.sender.command(str(wiki), response_url=slack.response_url())
    wait_until(lambda: any("finished" in b["text"] for _, b, _ in slack.responses), 60)
    bot.sender.command(f"{wiki}/missing<!channel>x", response_url=slack.response_url("r2"))
    wait_until(lambda: any("failed" in b["text"] for _, b, _ in slack.responses), 60)
    index.close()
    assert_escaped(slack)


def test_greeting_and_prompts_carry_no_markup(bot, slack):
    root = slack.user_message(DM, "")
    bot.sender.event(thread_started_event(DM, root.ts))
    wait_until(lambda: slack.calls_to("assistant.threads.setSuggestedPrompts"))
    assert sent(slack) and foreign_markup(slack) == []
