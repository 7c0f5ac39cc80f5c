"""Zendesk tickets -> conversations.

A ticket becomes one conversation: public comments by the requester are user
turns, public comments by agents are assistant turns, internal notes
(`"public": false`) and comments added by triggers or automations
(`via.channel == "rule"`) are dropped and counted in `meta`.

Who is an agent: the role of the author in sideloaded `users` when the export has
them; otherwise anyone other than the requester. With `agent_ids`, only those
authors count as agents and comments by other staff are dropped (Zendesk user
ids are numbers; non-numeric `--agent` values are Slack ids or names and are
ignored here, so one command can read both kinds of export).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from deskbot.core.conversations import Conversation, Turn
from deskbot.tune.jsonpos import items_with_lines
from deskbot.tune.readers import Problems, conversation, html_to_text

AGENT_ROLES = ("agent", "admin")


def read_document(
    path: Path, text: str, document: object, agent_ids: Sequence[str], sink: Problems
) -> Iterator[Conversation]:
    """A whole-file export: `{"tickets": [...], "users": [...]}` or a list of tickets."""
    if isinstance(document, Mapping) and isinstance(document.get("tickets"), list):
        roles = _roles(document.get("users"))
        items = items_with_lines(text, "tickets")
    elif isinstance(document, list):
        roles, items = {}, items_with_lines(text)
    elif isinstance(document, Mapping) and ("comments" in document or "ticket" in document):
        roles, items = {}, iter([(1, document)])
    else:
        sink.add(path, 1, 'not a Zendesk export: expected {"tickets": [...]} or a list of tickets')
        return
    for line, item in items:
        if found := read_ticket(item, path, line, agent_ids, roles, sink):
            yield found


def _roles(users: object) -> dict[str, str]:
    if not isinstance(users, list):
        return {}
    return {
        str(u.get("id")): str(u.get("role", ""))
        for u in users
        if isinstance(u, Mapping) and u.get("id") is not None
    }


def _body(comment: Mapping) -> str:
    for key in ("plain_body", "body"):
        if isinstance(comment.get(key), str) and comment[key].strip():
            return comment[key].strip()
    html = comment.get("html_body")
    return html_to_text(html) if isinstance(html, str) else ""


def _mapping(value: object) -> Mapping:
    return value if isinstance(value, Mapping) else {}


def _is_automatic(comment: Mapping) -> bool:
    via = _mapping(comment.get("via"))
    source = _mapping(via.get("source"))
    return via.get("channel") == "rule" or source.get("rel") in ("trigger", "automation")


def _role(author: str, requester: str, agents: set[str], roles: dict[str, str]) -> str | None:
    if agents:
        return "assistant" if author in agents else ("user" if author == requester else None)
    if roles.get(author):
        return "assistant" if roles[author] in AGENT_ROLES else "user"
    return "user" if author == requester else "assistant"


def read_ticket(
    item: object,
    file: Path,
    line: int,
    agent_ids: Sequence[str],
    roles: dict[str, str],
    sink: Problems,
) -> Conversation | None:
    """One ticket (or `{"ticket": ..., "comments": ...}`); None, with a problem, when unusable."""
    if not isinstance(item, Mapping):
        sink.add(file, line, "ticket is not a JSON object")
        return None
    ticket: Mapping = _mapping(item.get("ticket")) or item
    comments = item.get("comments", ticket.get("comments"))
    if not isinstance(comments, list):
        sink.add(file, line, f"ticket {ticket.get('id', '?')} has no comments list")
        return None
    requester = str(ticket.get("requester_id", ""))
    agents = {str(a) for a in agent_ids if str(a).isdigit()}  # Zendesk user ids are numbers
    turns: list[Turn] = []
    counts = {"internal_notes": 0, "auto_replies": 0, "other_authors": 0}
    for comment in comments:
        if not isinstance(comment, Mapping):
            continue
        if comment.get("public") is False:
            counts["internal_notes"] += 1
            continue
        if _is_automatic(comment):
            counts["auto_replies"] += 1
            continue
        role = _role(str(comment.get("author_id", "")), requester, agents, roles)
        if role is None:
            counts["other_authors"] += 1
            continue
        turns.append(Turn(role, _body(comment)))
    meta: dict[str, object] = {"source": "zendesk", **counts}
    for key in ("subject", "status", "created_at", "tags"):
        if ticket.get(key) is not None:
            meta[key] = ticket[key]
    origin = f"{file}:{line}"
    return conversation(f"zendesk:{ticket.get('id', origin)}", origin, turns, meta)
