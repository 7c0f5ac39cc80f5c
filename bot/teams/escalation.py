"""The post an "Ask a human" click leaves in TEAMS_ESCALATION_CHANNEL. Pure builders.

It @mentions the asker (a real mention: text plus entity), quotes the question
(escaped), and links back to the thread. A personal chat with the bot has no
link others could open, so the post says to contact the asker instead.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from microsoft_agents.activity import Activity, ActivityTypes, ChannelAccount, Entity, Mention

from bot.teams.activities import CHANNEL, GROUP_CHAT, THREAD_MARK, channel_data, kind_of, tenant_of
from bot.teams.text import safe_markdown, safe_name
from deskbot.core import messages

DEEP_LINK = "https://teams.microsoft.com/l/message/{where}/{message}?{query}"
QUOTED_LINES = 20


def deep_link(activity) -> str | None:
    """A link to the thread (channels) or the chat (group chats) the click came from."""
    kind, conversation = kind_of(activity), activity.conversation.id
    if kind == CHANNEL and THREAD_MARK in conversation:
        channel, _, root = conversation.partition(THREAD_MARK)
        query = {"tenantId": tenant_of(activity.model_dump(by_alias=True)), "parentMessageId": root}
        group = (channel_data(activity).get("team") or {}).get("aadGroupId")
        if group:
            query["groupId"] = group
        return DEEP_LINK.format(
            where=quote(channel, safe=":@"), message=root, query=urlencode(query)
        )
    if kind == GROUP_CHAT and activity.reply_to_id:
        query = {"context": json.dumps({"contextType": "chat"}, separators=(",", ":"))}
        return DEEP_LINK.format(
            where=quote(conversation, safe=":@"),
            message=activity.reply_to_id,
            query=urlencode(query),
        )
    return None


def escalation_post(activity, question: str) -> Activity:
    """The message for the help desk channel: who, what, and where to reply."""
    sender = activity.from_property
    name = safe_name(sender.name if sender else "")
    mention = f"<at>{name}</at>"
    quoted = "\n".join("> " + safe_markdown(line) for line in question.splitlines()[:QUOTED_LINES])
    link = deep_link(activity)
    text = messages.TEAMS_ESCALATION_POST.format(
        user=mention,
        question=quoted or "> ?",
        link=messages.TEAMS_ESCALATION_LINK.format(url=link)
        if link
        else messages.TEAMS_ESCALATION_PRIVATE,
    )
    entities: list[Entity] = []
    if sender is not None:
        entities.append(Mention(mentioned=ChannelAccount(id=sender.id, name=name), text=mention))
    return Activity(type=ActivityTypes.message, text=text, entities=entities)
