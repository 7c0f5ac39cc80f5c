"""Never silent, never the exception text: retries, fallbacks, refused streams, apologies."""

from __future__ import annotations

import logging

from bot.store import Store
from deskbot.core import messages
from tests.bot.teams.conftest import ANSWER
from tests.bot.teams.teamsreq import CHANNEL, SECRET, wait_until
from tests.fakes.openai_chat import FakeOpenAIChat

QUESTION = "How do I connect to the VPN from home?"
APOLOGY = messages.APOLOGY.format(escalation="#it-help")


def first_message(connector, activity):
    conversation = activity["conversation"]["id"]
    return wait_until(lambda: connector.messages(conversation), what="a message")[0]


class BrokenAnswerer:
    def answer(self, question, history=(), **kwargs):
        raise RuntimeError("index file is corrupt: /secret/path")


class BrokenStore(Store):
    def answer_for_message(self, conversation, message_id):
        raise RuntimeError("disk I/O error at /secret/db")


def test_model_failure_still_answers_from_the_wiki_with_a_notice(make_bot, connector, model):
    bot = make_bot(llm_max_retries=0)
    model.push(FakeOpenAIChat.server_error(503))
    question = bot.activities.channel(QUESTION)
    bot.sender.post(question)
    answer = first_message(connector, question)
    assert answer.text.startswith(messages.EXTRACTIVE_INTRO)
    card = answer.activity["attachments"][0]["content"]
    assert card["body"][0]["text"] == f"⚠️ {messages.MODEL_UNAVAILABLE}"
    assert answer.entity("https://schema.org/Message")["citation"]


def test_error_while_answering_in_a_personal_chat_ends_the_stream_with_an_apology(
    make_bot, connector, caplog
):
    bot = make_bot(answerer=BrokenAnswerer())
    question = bot.activities.personal(QUESTION)
    with caplog.at_level(logging.ERROR, logger="bot.teams"):
        bot.sender.post(question)
        reply = first_message(connector, question)
    assert reply.text == APOLOGY and reply.entity("streaminfo")["streamType"] == "final"
    assert "index file is corrupt" in caplog.text  # the detail stays in the log


def test_error_while_answering_in_a_channel_is_apologised_for(make_bot, connector):
    bot = make_bot(answerer=BrokenAnswerer())
    question = bot.activities.channel(QUESTION)
    bot.sender.post(question)
    reply = first_message(connector, question)
    assert reply.text == APOLOGY and reply.reply_to == question["id"]


def test_handler_error_reaches_the_replaced_turn_error_handler(
    make_bot, connector, settings, caplog
):
    bot = make_bot(store=BrokenStore(settings.db_path))
    question = bot.activities.channel(QUESTION)
    bot.sender.post(question)
    answer = first_message(connector, question)
    with caplog.at_level(logging.ERROR, logger="bot.teams.app"):
        bot.sender.post(bot.activities.feedback(question, answer.id or "1", "like"))
        thread = question["conversation"]["id"]
        wait_until(lambda: len(connector.messages(thread)) == 2, what="the apology")
    assert connector.messages(thread)[-1].text == APOLOGY  # not "Exception caught : …"
    assert "/secret/db" not in connector.messages(thread)[-1].text
    assert "disk I/O error" in caplog.text


def test_throttled_reply_is_retried_after_retry_after(bot, connector):
    connector.throttle(retry_after=0, times=2)
    question = bot.activities.channel(QUESTION)
    bot.sender.post(question)
    thread = question["conversation"]["id"]
    answer = first_message(connector, question)
    assert answer.text == ANSWER
    statuses = [p.status for p in connector.activities(thread, ok=False)]
    assert statuses[:2] == [429, 429] and 429 not in statuses[2:]


def test_stream_refused_as_unsupported_falls_back_to_one_message(bot, connector):
    connector.streaming_unsupported()
    question = bot.activities.personal(QUESTION)
    bot.sender.post(question)
    answer = first_message(connector, question)
    assert answer.text == ANSWER and answer.entity("streaminfo") is None
    assert answer.activity["attachments"] and answer.entity("https://schema.org/Message")


def test_stream_stopped_by_the_user_sends_nothing_more(bot, connector):
    connector.refuse_stream()
    question = bot.activities.personal(QUESTION)
    bot.sender.post(question)
    wait_until(lambda: bot.store.feedback_counts()["answers"] == 1, what="the stored answer")
    bot.server.stop(grace=5)
    conversation = question["conversation"]["id"]
    assert [p.status for p in connector.activities(conversation, ok=False)] == [403]


def test_outgoing_token_is_fetched_once_and_reused(bot, connector, entra):
    for text in ("help", "hi", QUESTION):
        bot.sender.post(bot.activities.personal(text))
    wait_until(lambda: len(connector.messages()) == 3, what="three replies")
    assert len(entra.token_requests()) == 1
    form = entra.token_requests()[0].form()
    assert form["scope"] == "https://api.botframework.com/.default"
    assert form["grant_type"] == "client_credentials"


def test_rejected_client_secret_is_logged_clearly_without_the_secret(
    make_bot, connector, entra, caplog
):
    entra.secret = "the-real-secret"  # the bot still has the old one: Entra refuses it
    with caplog.at_level(logging.ERROR):
        bot = make_bot()  # the token is fetched at start: the refusal is logged at once
        assert "refused a token" in caplog.text
        caplog.clear()
        assert bot.sender.post(bot.activities.personal(QUESTION)).status_code == 202
        wait_until(lambda: "not processed" in caplog.text, what="the error in the log")
    assert "invalid_client" in caplog.text and "TEAMS_APP_PASSWORD" in caplog.text
    assert SECRET not in caplog.text
    assert connector.posted == []


def test_channel_replies_go_to_the_thread_of_the_question(bot, connector):
    root = bot.activities.channel(QUESTION)
    bot.sender.post(root)
    first_message(connector, root)
    reply = bot.activities.channel("and on a Mac?", root=root["id"])
    bot.sender.post(reply)
    thread = f"{CHANNEL};messageid={root['id']}"
    wait_until(lambda: len(connector.messages(thread)) == 2, what="two answers")
    assert connector.messages(thread)[1].reply_to == reply["id"]
