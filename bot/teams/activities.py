"""Reading an inbound Teams activity: where it came from, who asked, what they asked.

Conversation kinds: "personal" (a 1:1 chat with the bot), "groupChat", "channel".
A channel message's conversation id is its thread (`19:…@thread.tacv2;messageid=…`);
the channel itself is `channelData.channel.id`. Chats are their own conversation.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.teams.text import plain_question

PERSONAL, GROUP_CHAT, CHANNEL = "personal", "groupChat", "channel"
THREAD_MARK = ";messageid="


@dataclass(frozen=True)
class Ask:
    conversation: str  # where replies go; the key for history and dedupe
    activity_id: str  # the question's own message
    kind: str  # PERSONAL, GROUP_CHAT or CHANNEL
    place: str  # channel id for channels, conversation id for chats (allowlist, sources)
    user: str  # the asker's Entra object id (or Teams id when Teams gave none)
    question: str  # plain text, the bot's mention removed


def kind_of(activity) -> str:
    kind = (activity.conversation.conversation_type or "") if activity.conversation else ""
    return kind if kind in (GROUP_CHAT, CHANNEL) else PERSONAL


def channel_data(activity) -> dict:
    data = activity.channel_data
    if isinstance(data, dict):
        return data
    dump = getattr(data, "model_dump", None)
    return dump(by_alias=True, exclude_none=True) if callable(dump) else {}


def tenant_of(body: dict) -> str:
    """The tenant of a raw activity (channelData.tenant.id, else conversation.tenantId)."""
    tenant = as_dict(as_dict(body.get("channelData")).get("tenant")).get("id")
    return str(tenant or as_dict(body.get("conversation")).get("tenantId") or "").lower()


def as_dict(value: object) -> dict:
    """`value` when it is a JSON object, else an empty one (activities are hostile input)."""
    return value if isinstance(value, dict) else {}


def place_of(activity) -> str:
    """The allowlist and CHANNEL_SOURCES key: the channel's id, or the chat's."""
    if kind_of(activity) == CHANNEL:
        data = channel_data(activity)
        channel = (data.get("channel") or {}).get("id") or data.get("teamsChannelId")
        if channel:
            return str(channel)
        return activity.conversation.id.split(";", 1)[0]
    return activity.conversation.id


def user_of(activity) -> str:
    """The sender's Entra object id; the Teams id when there is no object id."""
    sender = activity.from_property
    if sender is None:
        return ""
    return str(sender.aad_object_id or sender.id or "").lower()


def mentions_bot(activity) -> bool:
    bot = activity.recipient.id if activity.recipient else None
    return any(m.mentioned and m.mentioned.id == bot for m in activity.get_mentions())


def from_bot_itself(activity) -> bool:
    sender, bot = activity.from_property, activity.recipient
    return bool(sender and bot and sender.id == bot.id)


def is_thread(conversation_id: str) -> bool:
    return THREAD_MARK in conversation_id


def ask_from(activity) -> Ask:
    """The question in a message activity (the SDK has already removed the bot's mention)."""
    return Ask(
        conversation=activity.conversation.id,
        activity_id=str(activity.id or ""),
        kind=kind_of(activity),
        place=place_of(activity),
        user=user_of(activity),
        question=plain_question(activity.text),
    )
