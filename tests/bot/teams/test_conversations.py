"""Questions in personal chats, channels and group chats, answered where they were asked."""

from __future__ import annotations

import pytest

from deskbot.core import messages
from tests.bot.teams.conftest import ANSWER
from tests.bot.teams.teamsreq import CHANNEL, GROUP_CHAT, OTHER_CHANNEL, wait_until
from tests.fakes.openai_chat import ChatReply

QUESTION = "How do I connect to the VPN from home?"


def answers(connector, conversation, count=1):
    return wait_until(
        lambda: (m := connector.messages(conversation)) and len(m) >= count and m,
        what=f"{count} message(s) in {conversation}",
    )


def citations_of(posted) -> list[dict]:
    entity = posted.entity("https://schema.org/Message")
    assert entity, posted.activity.get("entities")
    assert entity["additionalType"] == ["AIGeneratedContent"]  # the AI-generated label
    return entity["citation"]


def card_of(posted) -> dict:
    (attachment,) = posted.activity["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


def test_personal_chat_answer_is_streamed_with_citations_card_and_feedback(bot, connector):
    question = bot.activities.personal(QUESTION)
    assert bot.sender.post(question).status_code == 202
    conversation = question["conversation"]["id"]
    (final,) = answers(connector, conversation)
    first, *rest = connector.activities(conversation)
    assert first.type == "typing" and first.text == messages.TEAMS_WORKING
    assert first.entity("streaminfo") == {
        "type": "streaminfo",
        "streamType": "informative",
        "streamSequence": 1,
    }
    assert rest[-1] is final and final.reply_to == question["id"]
    assert final.entity("streaminfo")["streamType"] == "final"
    assert final.entity("streaminfo")["streamId"] == first.id  # the stream the first update opened
    assert final.text == ANSWER
    (citation,) = citations_of(final)
    assert citation["position"] == 1 and citation["appearance"]["name"].startswith("VPN")
    assert final.activity["channelData"] == {"feedbackLoop": {"type": "default"}}
    card = card_of(final)
    assert card["actions"][0]["title"] == messages.TEAMS_ASK_HUMAN
    assert card["body"][1]["inlines"][0]["text"] == "[1] "
    assert all(p.authorization == "Bearer outgoing-token-1" for p in connector.activities())


def test_channel_mention_is_answered_in_its_thread_as_one_message(bot, connector):
    question = bot.activities.channel(QUESTION)
    assert bot.sender.post(question).status_code == 202
    thread = f"{CHANNEL};messageid={question['id']}"
    (answer,) = answers(connector, thread)
    assert [p.type for p in connector.activities(thread)] == ["typing", "message"]
    assert answer.reply_to == question["id"] and answer.op == "reply"
    assert answer.entity("streaminfo") is None  # Teams streams only in personal chats
    assert answer.text == ANSWER and "<at>" not in answer.text
    assert [c["position"] for c in citations_of(answer)] == [1]
    assert answer.activity["channelData"] == {"feedbackLoop": {"type": "default"}}
    sources = [b for b in card_of(answer)["body"] if b["type"] == "RichTextBlock"]
    assert len(sources) == 1


def test_group_chat_mention_is_answered_and_a_mentionless_message_is_not(bot, connector, model):
    assert bot.sender.post(bot.activities.group("just chatting", mention=False)).status_code == 202
    assert bot.sender.post(bot.activities.group(QUESTION)).status_code == 202
    (answer,) = answers(connector, GROUP_CHAT)
    assert answer.text == ANSWER
    assert len(model.chat_requests()) == 1  # only the mention reached the model


def test_thread_follow_up_uses_the_earlier_turns(bot, connector, model):
    root = bot.activities.channel(QUESTION)
    bot.sender.post(root)
    thread = f"{CHANNEL};messageid={root['id']}"
    answers(connector, thread)
    follow = bot.activities.channel("and on a Mac?", root=root["id"])
    bot.sender.post(follow)
    answers(connector, thread, count=2)
    rewrite = model.chat_requests()[-2]  # the follow-up is rewritten with the thread's history
    assert QUESTION in rewrite["messages"][-1]["content"]
    answer_prompt = model.chat_requests()[-1]["messages"]
    assert any(
        m["role"] == "assistant" and "Northwind Connect" in m["content"] for m in answer_prompt
    )
    assert [t.role for t in bot.store.recent_turns(thread)] == ["user", "assistant"] * 2


def test_a_new_thread_starts_without_history(bot, connector, model):
    for text in (QUESTION, "How do I file an expense report?"):
        post = bot.activities.channel(text)
        bot.sender.post(post)
        answers(connector, f"{CHANNEL};messageid={post['id']}")
    systems = [b["messages"][0]["content"] for b in model.chat_requests()]
    assert "standalone search query" not in " ".join(systems)  # no rewrite: nothing to follow


def test_redelivered_activity_is_answered_once(bot, connector, model):
    question = bot.activities.channel(QUESTION)
    statuses = [bot.sender.post(question).status_code for _ in range(3)]
    assert statuses == [202, 202, 202]
    thread = f"{CHANNEL};messageid={question['id']}"
    answers(connector, thread)
    bot.server.stop(grace=5)  # every background turn has finished
    assert len(connector.messages(thread)) == 1
    assert len(model.chat_requests()) == 1


def test_slow_answer_is_acknowledged_before_it_is_ready(bot, connector, model):
    model.push(ChatReply(ANSWER, delay=1.5))
    question = bot.activities.personal(QUESTION)
    assert bot.sender.post(question).status_code == 202
    assert connector.messages() == []  # acknowledged while the model is still writing
    answers(connector, question["conversation"]["id"])


def test_channel_not_in_the_allowlist_gets_a_refusal_and_no_answer(make_bot, connector, model):
    bot = make_bot(teams_allowed_channel_ids=(CHANNEL,))
    question = bot.activities.channel(QUESTION, channel=OTHER_CHANNEL)
    assert bot.sender.post(question).status_code == 202
    (reply,) = answers(connector, f"{OTHER_CHANNEL};messageid={question['id']}")
    assert reply.text == messages.TEAMS_CHANNEL_NOT_ALLOWED
    assert model.chat_requests() == []


@pytest.mark.parametrize(
    "switches", [{"allow_dms": False}, {"allow_dms": True, "teams_allow_dms": False}]
)
def test_personal_chats_turned_off_say_so_without_answering(make_bot, connector, model, switches):
    bot = make_bot(**switches)
    question = bot.activities.personal(QUESTION)
    assert bot.sender.post(question).status_code == 202
    (reply,) = answers(connector, question["conversation"]["id"])
    assert reply.text == messages.TEAMS_DMS_OFF
    assert model.chat_requests() == []
    mention = bot.activities.channel(QUESTION)  # channels are still answered
    bot.sender.post(mention)
    (answer,) = answers(connector, f"{CHANNEL};messageid={mention['id']}")
    assert answer.text.startswith("Install **Northwind Connect**")


def test_teams_allow_dms_keeps_personal_chats_open_when_slack_dms_are_off(make_bot, connector):
    bot = make_bot(allow_dms=False, teams_allow_dms=True)
    question = bot.activities.personal(QUESTION)
    bot.sender.post(question)
    (answer,) = answers(connector, question["conversation"]["id"])
    assert answer.text.startswith("Install **Northwind Connect**")


def test_channel_sources_limit_what_a_teams_channel_searches(make_bot, connector, model):
    bot = make_bot(channel_sources={CHANNEL: ("confluence:NOTINDEXED",)})
    question = bot.activities.channel(QUESTION)
    bot.sender.post(question)
    (reply,) = answers(connector, f"{CHANNEL};messageid={question['id']}")
    assert reply.text.startswith("The wiki doesn't seem to cover this")
    assert model.chat_requests() == []  # nothing relevant in that source: no model call


def test_rsc_follow_ups_without_a_mention_only_in_threads_the_bot_answered(make_bot, connector):
    bot = make_bot(teams_rsc_followups=True)
    root = bot.activities.channel(QUESTION)
    bot.sender.post(root)
    thread = f"{CHANNEL};messageid={root['id']}"
    answers(connector, thread)
    bot.sender.post(bot.activities.channel("and on a Mac?", root=root["id"], mention=False))
    answers(connector, thread, count=2)
    other = bot.activities.channel("lunch anyone?", mention=False)
    bot.sender.post(other)
    bot.server.stop(grace=5)
    assert connector.activities(f"{CHANNEL};messageid={other['id']}") == []


def test_mention_less_thread_reply_is_ignored_without_rsc(bot, connector):
    root = bot.activities.channel(QUESTION)
    bot.sender.post(root)
    thread = f"{CHANNEL};messageid={root['id']}"
    answers(connector, thread)
    bot.sender.post(bot.activities.channel("and on a Mac?", root=root["id"], mention=False))
    bot.server.stop(grace=5)
    assert len(connector.messages(thread)) == 1


def test_empty_mention_and_help_get_the_greeting(bot, connector, model):
    empty = bot.activities.channel("")
    bot.sender.post(empty)
    help_ = bot.activities.personal("help")
    bot.sender.post(help_)
    (first,) = answers(connector, f"{CHANNEL};messageid={empty['id']}")
    (second,) = answers(connector, help_["conversation"]["id"])
    assert first.text == second.text == messages.TEAMS_HELP
    assert model.chat_requests() == []


def test_wiki_or_model_markup_cannot_mention_or_embed(bot, connector, model):
    model.push(
        "Ask <at>Alice Admin</at> or see <img src='https://evil.example/p.png'> [1]. Use `a < b`."
    )
    question = bot.activities.channel(QUESTION)
    bot.sender.post(question)
    (answer,) = answers(connector, f"{CHANNEL};messageid={question['id']}")
    assert "<at>" not in answer.text and "<img" not in answer.text
    assert "&lt;at>Alice Admin&lt;/at>" in answer.text
    assert [e for e in answer.activity["entities"] if e["type"] == "mention"] == []
