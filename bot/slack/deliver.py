"""Posting an answer in its thread: streamed where Slack supports it, plain messages otherwise.

Streaming goes through slack_sdk's `chat_stream` (chat.startStream / appendStream /
stopStream), which takes Markdown: the answer is re-rendered by `render.to_markdown`, so
wiki and model text is escaped there exactly as in blocks, and only web links remain. When Slack refuses to start a stream
(an older workspace, a channel type without streaming) the answer is posted as
mrkdwn section blocks with chat.postMessage, and a refusal that will not change
(unknown method, token type) turns streaming off for the rest of the process.
A stream that breaks half-way is replaced by the full answer with chat.update.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.blocks import SlackMessage, build_answer_messages
from bot.slack.render import to_markdown

log = logging.getLogger(__name__)

STREAM_PIECE = 1_000  # characters per appendStream call
STREAM_MAX = 11_000  # longer answers go as messages (appendStream takes 12,000 at most)
NEVER_STREAM = frozenset({"unknown_method", "not_allowed_token_type", "missing_scope"})
NOT_HERE = frozenset(
    {"method_not_supported_for_channel_type", "not_in_channel", "feature_not_enabled"}
)


@dataclass(frozen=True)
class Place:
    """Where an answer goes and who asked (streams into channels need the recipient)."""

    channel: str
    thread_ts: str
    user: str
    team: str | None
    kind: str  # channel type: "im", "channel", "group", "mpim"


class StreamSupport:
    """Remembers where Slack refused to stream, so the bot stops asking."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.refused_kinds: set[str] = set()
        self._lock = threading.Lock()

    def allowed(self, kind: str) -> bool:
        with self._lock:
            return self.enabled and kind not in self.refused_kinds

    def refused(self, error: str, kind: str) -> None:
        with self._lock:
            if error in NEVER_STREAM:
                self.enabled = False
            elif error in NOT_HERE:
                self.refused_kinds.add(kind)
        log.info("streaming unavailable (%s) in %s; posting messages instead", error, kind)


class _NotStarted(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def deliver_answer(
    client: WebClient,
    place: Place,
    answer,
    footer: list[dict],
    streams: StreamSupport,
) -> list[str]:
    """Post `answer` (with `footer` blocks) in the thread; returns the message timestamps."""
    if streams.allowed(place.kind):
        markdown = to_markdown(answer.text)  # rendered only where it may stream
        if len(markdown) <= STREAM_MAX:
            try:
                return [stream_answer(client, place, answer, footer, markdown)]
            except _NotStarted as exc:
                streams.refused(exc.error, place.kind)
    return post_messages(client, place, build_answer_messages(answer, footer))


def stream_answer(
    client: WebClient, place: Place, answer, footer: list[dict], markdown: str
) -> str:
    """Stream the (escaped) Markdown in pieces, then stop with the footer blocks."""
    streamer = client.chat_stream(
        channel=place.channel,
        thread_ts=place.thread_ts,
        recipient_user_id=place.user,
        recipient_team_id=place.team,
        buffer_size=STREAM_PIECE,
    )
    try:
        for piece in pieces(markdown or " ", STREAM_PIECE):
            streamer.append(markdown_text=piece)
        streamer.stop(blocks=footer)
    except SlackApiError as exc:
        error = str(exc.response.get("error", ""))
        if streamer.ts is None:
            raise _NotStarted(error) from None
        log.warning("stream %s broke (%s); replacing it with the full answer", streamer.ts, error)
        first, *rest = build_answer_messages(answer, footer)
        client.chat_update(
            channel=place.channel, ts=streamer.ts, text=first.text, blocks=first.blocks
        )
        post_messages(client, place, rest)
    return str(streamer.ts)


def pieces(text: str, size: int) -> list[str]:
    """`text` in pieces of at most `size` characters, never cutting an entity (`&lt;`) in two."""
    result = []
    while len(text) > size:
        cut = size
        amp = text.rfind("&", max(0, size - 8), size)
        if amp > 0 and ";" not in text[amp:size]:
            cut = amp
        result.append(text[:cut])
        text = text[cut:]
    return result + [text]


def post_messages(client: WebClient, place: Place, parts: list[SlackMessage]) -> list[str]:
    stamps = []
    for part in parts:
        response = client.chat_postMessage(
            channel=place.channel,
            thread_ts=place.thread_ts,
            text=part.text,
            blocks=part.blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
        stamps.append(str(response["ts"]))
    return stamps


def post_text(client: WebClient, place: Place, text: str) -> None:
    """A short plain reply in the thread (greetings, apologies, refusals)."""
    client.chat_postMessage(channel=place.channel, thread_ts=place.thread_ts, text=text)
