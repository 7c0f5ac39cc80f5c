"""Teams' 👍/👎 buttons store votes with the answer; "Ask a human" reaches the help desk."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bot.teams.cards import ESCALATE_VERB
from deskbot.core import messages
from tests.bot.teams.teamsreq import CHANNEL, USER_AAD, wait_until

QUESTION = "How do I connect to the VPN from home?"
HELPDESK = "19:helpdesk0escalations@thread.tacv2"


def ask(bot, connector, question=None):
    """Post a question; returns (question activity, the answer as the connector got it)."""
    question = question or bot.activities.channel(QUESTION)
    assert bot.sender.post(question).status_code == 202
    conversation = question["conversation"]["id"]
    (answer,) = wait_until(lambda: connector.messages(conversation), what="the answer")
    return question, answer


def answer_id_of(answer) -> int:
    card = answer.activity["attachments"][0]["content"]
    data = card["actions"][0]["data"]
    assert data["verb"] == ESCALATE_VERB and set(data) == {"verb", "answer_id"}  # no question text
    return data["answer_id"]


def test_dislike_with_text_in_a_personal_chat_is_stored_with_the_answer(bot, connector):
    question, answer = ask(bot, connector, bot.activities.personal(QUESTION))
    wait_until(lambda: bot.store.answer_for_message(question["conversation"]["id"], answer.id))
    vote = bot.activities.feedback(question, answer.id, "dislike", "The page is outdated")
    response = bot.sender.post(vote)
    assert response.status_code == 200
    (negative,) = bot.store.negative_feedback()
    assert negative.answer_id == answer_id_of(answer) and negative.user == USER_AAD
    assert bot.store.feedback_comment(negative.answer_id, USER_AAD) == "The page is outdated"


def test_like_in_a_channel_then_a_change_of_mind(bot, connector):
    question, answer = ask(bot, connector)
    wait_until(lambda: bot.store.answer_for_message(question["conversation"]["id"], answer.id))
    assert bot.sender.post(bot.activities.feedback(question, answer.id, "like")).status_code == 200
    assert bot.store.feedback_counts()["up"] == 1
    bot.sender.post(bot.activities.feedback(question, answer.id, "dislike"))
    assert bot.store.feedback_counts() == {"up": 0, "down": 1, "answers": 1}


def test_feedback_on_an_unknown_message_is_acknowledged_not_stored(bot, connector):
    question, _answer = ask(bot, connector)
    vote = bot.activities.feedback(question, "1234567890123", "like")
    assert bot.sender.post(vote).status_code == 200
    assert bot.store.feedback_counts()["up"] == 0


def test_ask_a_human_posts_in_the_escalation_channel_with_a_link_back(make_bot, connector):
    bot = make_bot(teams_escalation_channel=HELPDESK)
    question, answer = ask(bot, connector)
    submit = bot.activities.card_submit(
        question, answer.id, {"verb": ESCALATE_VERB, "answer_id": answer_id_of(answer)}
    )
    assert bot.sender.post(submit).status_code == 202
    thread = question["conversation"]["id"]
    wait_until(lambda: len(connector.messages(thread)) == 2, what="the reply in the thread")
    (created,) = [p for p in connector.activities() if p.op == "create"]
    assert created.activity["channelData"] == {"channel": {"id": HELPDESK}}
    post = created.activity["activity"]
    assert "<at>Alice Example</at> needs a human" in post["text"]
    assert f"> {QUESTION}" in post["text"]
    (mention,) = [e for e in post["entities"] if e["type"] == "mention"]
    assert mention["text"] == "<at>Alice Example</at>"
    link = post["text"].split("(", 1)[1].split(")", 1)[0]
    parts = urlsplit(link)
    assert (
        parts.netloc == "teams.microsoft.com"
        and parts.path == f"/l/message/{CHANNEL}/{question['id']}"
    )
    assert parse_qs(parts.query)["parentMessageId"] == [question["id"]]
    assert connector.messages(thread)[-1].text == messages.TEAMS_ESCALATION_DONE


def test_ask_a_human_from_a_personal_chat_says_whom_to_contact(make_bot, connector):
    bot = make_bot(teams_escalation_channel=HELPDESK)
    question, answer = ask(bot, connector, bot.activities.personal(QUESTION))
    bot.sender.post(
        bot.activities.card_submit(
            question, answer.id, {"verb": ESCALATE_VERB, "answer_id": answer_id_of(answer)}
        )
    )
    chat = question["conversation"]["id"]
    wait_until(lambda: len(connector.messages(chat)) == 2, what="the reply")
    (created,) = [p for p in connector.activities() if p.op == "create"]
    assert messages.TEAMS_ESCALATION_PRIVATE in created.activity["activity"]["text"]
    assert connector.messages(chat)[-1].text == messages.TEAMS_ESCALATION_DONE_PRIVATE


def test_ask_a_human_without_an_escalation_channel_names_who_to_ask(bot, connector):
    question, answer = ask(bot, connector)
    data = {"verb": ESCALATE_VERB, "answer_id": answer_id_of(answer)}
    bot.sender.post(bot.activities.card_submit(question, answer.id, data))
    thread = question["conversation"]["id"]
    wait_until(lambda: len(connector.messages(thread)) == 2, what="the reply")
    assert connector.messages(thread)[-1].text == messages.TEAMS_ESCALATION_NOWHERE.format(
        escalation="#it-help"
    )
    assert [p for p in connector.activities() if p.op == "create"] == []


def test_ask_a_human_twice_delivered_posts_once_and_unknown_answers_are_named(make_bot, connector):
    bot = make_bot(teams_escalation_channel=HELPDESK)
    question, answer = ask(bot, connector)
    submit = bot.activities.card_submit(
        question, answer.id, {"verb": ESCALATE_VERB, "answer_id": answer_id_of(answer)}
    )
    bot.sender.post(submit)
    bot.sender.post(submit)
    stale = bot.activities.card_submit(
        question, answer.id, {"verb": ESCALATE_VERB, "answer_id": 999}
    )
    bot.sender.post(stale)
    thread = question["conversation"]["id"]
    wait_until(lambda: len(connector.messages(thread)) == 3, what="two replies")
    bot.server.stop(grace=5)
    assert len([p for p in connector.activities() if p.op == "create"]) == 1
    texts = {m.text for m in connector.messages(thread)[1:]}
    assert texts == {
        messages.TEAMS_ESCALATION_DONE,
        messages.TEAMS_ESCALATION_GONE.format(escalation="#it-help"),
    }


def test_escalation_channel_refusing_the_post_is_reported(make_bot, connector):
    bot = make_bot(teams_escalation_channel=HELPDESK)
    question, answer = ask(bot, connector)
    connector.fail_next(403, {"error": {"code": "BotNotInConversationRoster"}})
    data = {"verb": ESCALATE_VERB, "answer_id": answer_id_of(answer)}
    bot.sender.post(bot.activities.card_submit(question, answer.id, data))
    thread = question["conversation"]["id"]
    wait_until(lambda: len(connector.messages(thread)) == 2, what="the reply")
    assert connector.messages(thread)[-1].text == messages.TEAMS_ESCALATION_FAILED.format(
        escalation="#it-help"
    )
