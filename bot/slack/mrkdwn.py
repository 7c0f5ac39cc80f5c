"""Slack's text syntax: escaping, links, filled-in messages, and Slack text read back as plain text.

Slack reads `<…>` as control syntax: `<!channel>` notifies a whole channel,
`<@U…>` mentions a person, `<https://a|b>` shows "b" and opens "a". So every
text that comes from a wiki, a model, a person or a setting goes through
`escape` (`&`, `<`, `>`) before deskbot adds markup of its own, on every path:
blocks, streams, updates, ephemeral notes, /reindex replies, titles. Links are
made only by `link` / `markdown_link`, which show a web address or nothing.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from bot.citations import MARKER, is_web_address

_LINK_TAIL = re.compile(r"\][(:\[]")
_CITATION = re.compile(MARKER.pattern.removeprefix(r"\s?") + r"(?![:\[])")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# "intranet.example.com/login", "www.x.org": a label that reads as an address without a scheme
_DOMAIN = re.compile(r"(?:www\.)?([\w-]+(?:\.[\w-]+)*\.[a-z][\w-]*)(?:[:/?#]\S*)?", re.IGNORECASE)


def escape(text: str) -> str:
    """Escape the three characters Slack treats as markup. The one escaping function."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fill(template: str, **values: object) -> str:
    """A message from deskbot/core/messages.py with outside text put in escaped."""
    return template.format(**{name: escape(str(value)) for name, value in values.items()})


def linkable(url: str) -> bool:
    """Links deskbot shows: web addresses and e-mail addresses, never file paths or scripts."""
    return is_web_address(url) or url.lower().startswith("mailto:")


def _host(address: str) -> str:
    try:
        return (urlsplit(address).hostname or "").lower().removeprefix("www.")
    except ValueError:
        return ""


def pretends(label: str, url: str) -> bool:
    """Whether `label` reads as an address other than `url`'s (a disguised link)."""
    label = label.strip()
    if not label or any(c.isspace() for c in label):
        return False
    if _SCHEME.match(label):
        shown = _host(label) or label.lower()
    elif match := _DOMAIN.fullmatch(label):
        shown = match.group(1).lower().removeprefix("www.")
    else:
        return False
    return shown != _host(url)


def _label(url: str, label: str) -> str:
    label = " ".join(label.split())
    return url if not label or pretends(label, url) else label


def link(url: str, label: str = "") -> str:
    """mrkdwn `<url|label>`; the label alone (escaped) when the URL is no web address."""
    if not linkable(url):
        return escape(" ".join(label.split()))
    safe = escape(url).replace("|", "%7C").replace(" ", "%20")
    label = _label(url, label).replace("|", "¦")
    return f"<{safe}>" if label == url else f"<{safe}|{escape(label)}>"


def markdown_text(text: str) -> str:
    """Text for Markdown (streams): escaped, and no `[` that could open a link or a definition.

    Text holding `](`, `]:` or `][` (a wiki's `\\[label](url)`) gets its brackets as `&#91;`;
    other brackets (`[1]`, `[Save]`) stay as written.
    """
    text = escape(text)
    if not _LINK_TAIL.search(text):
        return text
    kept = {m.start() for m in _CITATION.finditer(text)}  # [1], [2, 3] stay as they are
    return "".join("&#91;" if c == "[" and i not in kept else c for i, c in enumerate(text))


def markdown_link(url: str, label: str = "") -> str:
    """Markdown `[label](url)`; the label alone (escaped) when the URL is no web address."""
    if not linkable(url):
        return markdown_text(" ".join(label.split()))
    safe = escape(url).replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{markdown_text(_label(url, label)).replace(']', '&#93;')}]({safe})"


# --- Slack text -> plain text ---------------------------------------------------------
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#(C[A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[^>|]*)?(?:\|([^>]*))?>")
_LINK = re.compile(r"<([a-z][a-z0-9+.-]*:[^>|]+)(?:\|([^>]*))?>")


def from_slack(text: str, bot_user_id: str | None = None) -> str:
    """Slack message text -> the plain question: drops the bot's mention, unwraps markup."""

    def user(m: re.Match) -> str:
        return "" if m.group(1) == bot_user_id else "@" + (m.group(2) or m.group(1))

    text = _USER.sub(user, text or "")
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = _SPECIAL.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    return " ".join(html.unescape(text).split())


def mentions(text: str, user_id: str | None) -> bool:
    """Whether Slack text @-mentions `user_id`."""
    return bool(user_id) and any(m.group(1) == user_id for m in _USER.finditer(text or ""))
