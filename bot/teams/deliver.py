"""Posting in a conversation: streamed in personal chats, one message elsewhere.

Teams streams only in one-on-one chats (one stream per chat), so a personal
chat gets the SDK's `StreamingResponse`: an informative update ("Searching the
wiki…") at once, then the answer, then the final message with the citations,
the AI-generated label, Teams' feedback buttons and the sources card. Channels
and group chats get a typing indicator first and then one message with the
same parts. `Reply` also notes the ids Teams gives the bot's messages, which
feedback clicks later refer to.
"""

from __future__ import annotations

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    Attachment,
    ClientCitation,
    ClientCitationAppearance,
)
from microsoft_agents.hosting.core import Citation, TypingIndicator
from microsoft_agents.hosting.core.app import TypingOptions

from bot.teams.activities import PERSONAL
from bot.teams.text import Source
from deskbot.core import messages

TYPING_EVERY_MS = 3_000  # Teams shows a typing indicator for about 3 s
FEEDBACK_LOOP = {"feedbackLoop": {"type": "default"}}  # never with feedbackLoopEnabled


def client_citations(sources: list[Source]) -> list[ClientCitation]:
    return [
        ClientCitation(
            position=s.n,
            appearance=ClientCitationAppearance(name=s.name, url=s.url, abstract=s.abstract),
        )
        for s in sources
    ]


class Reply:
    """One background turn's way of answering: a first sign, then text or an answer."""

    def __init__(self, context, kind: str) -> None:
        self.context = context
        self.stream = context.streaming_response if kind == PERSONAL else None
        self.typing: TypingIndicator | None = None
        self.message_ids: list[str] = []
        self.stream_ended = False
        context.on_send_activities(self._note_ids)

    async def _note_ids(self, context, activities, next_send):
        responses = await next_send()
        self.message_ids += [r.id for r in responses or [] if getattr(r, "id", None)]
        return responses

    def start(self) -> None:
        """The first visible sign: the informative update, or a typing indicator."""
        if self.stream is not None:
            self.stream.queue_informative_update(messages.TEAMS_WORKING)
        else:
            options = TypingOptions(initial_delay_ms=0, interval_ms=TYPING_EVERY_MS)
            self.typing = TypingIndicator(self.context, typing_options=options)
            self.typing.start()

    async def answer(self, text: str, sources: list[Source], card: dict) -> None:
        """The answer with its citations, AI label, feedback buttons and card."""
        attachment = Attachment.model_validate(card)
        if self.stream is not None:
            stream = self.stream
            stream.set_citations([Citation(s.abstract, s.name, s.url) for s in sources])
            stream.set_generated_by_ai_label(True)
            stream.set_feedback_loop(True)
            stream.set_attachments([attachment])
            stream.queue_text_chunk(text)
            self.stream_ended = True
            await stream.end_stream()
            return
        activity = Activity(
            type=ActivityTypes.message,
            text=text,
            attachments=[attachment],
            channel_data=dict(FEEDBACK_LOOP),
        )
        activity.add_ai_metadata(client_citations(sources) or None)
        await self._send(activity)

    async def text(self, text: str) -> None:
        """A plain reply (refusal, apology); ends a stream that has started."""
        if self.stream is not None and not self.stream_ended:
            self.stream_ended = True
            self.stream.queue_text_chunk(text)
            await self.stream.end_stream()
            return
        await self._send(Activity(type=ActivityTypes.message, text=text))

    async def _send(self, activity: Activity) -> None:
        self.close()
        await self.context.send_activity(activity)

    def close(self) -> None:
        """Stop the typing indicator (it stops by itself when a message goes out)."""
        if self.typing is not None:
            self.typing.stop()
