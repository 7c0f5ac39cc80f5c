"""Every text the fake Slack received, and the Slack control syntax left in it.

Slack acts on `<…>` in message text: `<!channel>` notifies everyone, `<@U…>`
mentions, `<https://a|b>` shows "b" and opens "a". A stream's Markdown links
(`[b](a)`) open what they say too. `foreign_markup` lists every such piece that is
not deskbot's own (a wiki page link, a permalink, the mentions it was told to make).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

CONTROL = re.compile(r"<([^<>\n]*)>")
MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]*)\)")
TEXT_KEYS = ("text", "markdown_text", "title", "status")

# what hostile wiki pages, model replies and questions write
TOKENS = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U0ATTACK1>",
    "<#C0SECRET1>",
    "<!subteam^S0ADMINS>",
    "<https://evil.example|https://intranet.example.com/login>",
)
HOSTILE = " ".join(TOKENS)
WIKI_BASE = "https://wiki.example.com/"
PERMALINKS = "https://example.slack.com/archives/"


def texts(value) -> Iterator[str]:
    """The strings Slack would show from an API argument (blocks, chunks and prompts included)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in TEXT_KEYS and isinstance(inner, str):
                yield inner
            elif isinstance(inner, (dict, list)):
                yield from texts(inner)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)


def sent(slack) -> list[str]:
    """All text deskbot sent: Web API calls that went through, and response_url posts."""
    found = [t for call in slack.api if call.status == 200 for t in texts(call.args)]
    return found + [t for _, body, _ in slack.responses for t in texts(body)]


def foreign_markup(slack, own: tuple[str, ...] = ()) -> list[str]:
    """Control syntax and Markdown links in what was sent that deskbot did not mean to make.

    `own`: the insides deskbot is expected to write (`@U0USER01`, `!subteam^S0HELPERS`).
    """
    foreign = []
    for text in sent(slack):
        for match in CONTROL.finditer(text):
            inner = match.group(1)
            if not (inner in own or _own_link(inner.split("|", 1)[0])):
                foreign.append(match.group(0))
        for match in MARKDOWN_LINK.finditer(text):
            if not _own_link(match.group(2)):
                foreign.append(match.group(0))
    return foreign


def _own_link(url: str) -> bool:
    return url.startswith((WIKI_BASE, PERMALINKS))


def shown(slack, fragment: str) -> bool:
    """Whether some sent text holds `fragment` (e.g. the escaped `&lt;!channel&gt;`)."""
    return any(fragment in text for text in sent(slack))
