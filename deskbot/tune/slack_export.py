"""Slack export folder -> conversations.

A standard workspace export holds `users.json`, `channels.json` and one folder per
channel with a JSON list of messages per day (`2024-03-01.json`). A thread becomes
a conversation when its first message is from someone who is not an agent and at
least one reply is from an agent: agent replies are assistant turns, everyone
else's are user turns. Thread replies may sit in later day files; they are joined
by `thread_ts`. Joins, bots and other non-message subtypes are skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from html import unescape
from pathlib import Path

from deskbot.core.conversations import Conversation, Turn
from deskbot.tune.inputfiles import read_document
from deskbot.tune.jsonpos import items_with_lines
from deskbot.tune.readers import Problems, conversation

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
_KEEP_SUBTYPES = (None, "thread_broadcast", "file_share", "me_message")
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]+))?>")


def _load(path: Path, sink: Problems) -> tuple[str, object]:
    """(text, parsed document); ("", None) with a problem when unreadable."""
    text = read_document(path, sink)
    if text is None:
        return "", None
    try:
        return text, json.loads(text)
    except json.JSONDecodeError as exc:
        sink.add(path, exc.lineno, f"not valid JSON: {exc.msg}")
    return "", None


def _users(root: Path, sink: Problems) -> dict[str, str]:
    """user id -> display name, from users.json when present."""
    path = root / "users.json"
    data = _load(path, sink)[1] if path.exists() else None
    names: dict[str, str] = {}
    for user in data if isinstance(data, list) else ():
        if isinstance(user, Mapping) and isinstance(user.get("id"), str):
            raw_profile = user.get("profile")
            profile: Mapping = raw_profile if isinstance(raw_profile, Mapping) else {}
            names[user["id"]] = (
                profile.get("display_name") or user.get("real_name") or user.get("name") or ""
            )
            names.setdefault(f"name:{user.get('name')}", user["id"])
    return names


def _agents(agent_ids: Sequence[str], users: dict[str, str]) -> set[str]:
    """Agent ids as given, with user names from users.json resolved to ids."""
    resolved = set()
    for agent in agent_ids:
        name = agent.lstrip("@")
        resolved.add(
            users.get(f"name:{name}")
            or next(
                (
                    uid
                    for uid, shown in users.items()
                    if shown == name and not uid.startswith("name:")
                ),
                agent,
            )
        )
    return resolved


def mrkdwn_to_text(text: str, users: dict[str, str]) -> str:
    """Slack markup to plain text: mentions by name, links as `label (url)`."""

    def link(m: re.Match) -> str:
        target, label = m.group(1), m.group(2)
        if target.startswith("@"):
            return "@" + (label or users.get(target[1:]) or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        if target.startswith("mailto:"):
            return label or target[7:]
        return f"{label} ({target})" if label and label != target else target

    return unescape(_LINK.sub(link, text)).strip()


def _channel_dirs(root: Path) -> list[Path]:
    if any(_DAY.match(p.name) for p in root.glob("*.json")):
        return [root]  # one channel folder
    return sorted(p for p in root.iterdir() if p.is_dir() and any(p.glob("*.json")))


def _messages(folder: Path, sink: Problems) -> Iterator[tuple[str, Mapping]]:
    for day in sorted(p for p in folder.glob("*.json") if _DAY.match(p.name)):
        text, document = _load(day, sink)
        if not isinstance(document, list):
            if text:
                sink.add(day, 1, "a day file must hold a JSON list of messages")
            continue
        for line, message in items_with_lines(text):
            if not isinstance(message, Mapping) or not isinstance(message.get("ts"), str):
                sink.add(day, line, "message without a ts")
            elif message.get("subtype") in _KEEP_SUBTYPES and not message.get("bot_id"):
                yield f"{day}:{line}", message


def read_channel(
    folder: Path, agents: set[str], users: dict[str, str], sink: Problems
) -> Iterator[Conversation]:
    threads: dict[str, list[tuple[str, Mapping]]] = {}
    for origin, message in _messages(folder, sink):
        threads.setdefault(message.get("thread_ts") or message["ts"], []).append((origin, message))
    for thread_ts, messages in threads.items():
        messages.sort(key=lambda item: float(item[1]["ts"]))
        origin, parent = messages[0]
        if parent["ts"] != thread_ts or parent.get("user") in agents:
            continue  # replies whose parent is missing, or a thread an agent started
        if not any(m.get("user") in agents for _, m in messages[1:]):
            continue
        turns = [
            Turn(
                "assistant" if m.get("user") in agents else "user",
                mrkdwn_to_text(str(m.get("text") or ""), users),
            )
            for _, m in messages
        ]
        meta = {"source": "slack", "channel": folder.name, "thread_ts": thread_ts}
        yield conversation(f"slack:{folder.name}:{thread_ts}", origin, turns, meta)


def read_export(root: Path, agent_ids: Sequence[str], sink: Problems) -> Iterator[Conversation]:
    """Every channel of an export folder (or one channel folder)."""
    if not agent_ids:
        sink.add(root, None, "a Slack export needs --agent USER_ID (whose replies to learn from)")
        return
    folders = _channel_dirs(root)
    users = _users(root if folders != [root] else root.parent, sink)
    agents = _agents(agent_ids, users)
    if not folders:
        sink.add(root, None, "no channel folders with day files (YYYY-MM-DD.json) found")
    for folder in folders:
        yield from read_channel(folder, agents, users, sink)
