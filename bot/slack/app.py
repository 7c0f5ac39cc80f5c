"""build_app: the Bolt app, wired. No behaviour lives here."""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.conversation.records import AnswerStore
from bot.serve.jobs import Jobs
from bot.serve.reindex import Reindex, ReindexRunner
from bot.serve.runtime import ANSWER_WORKERS
from bot.slack import actions, commands, events
from bot.slack.access import ignorable
from bot.slack.assistant import build_assistant
from bot.slack.client import build_web_client
from bot.slack.deliver import StreamSupport
from bot.slack.deps import AnswererLike, Deps
from bot.slack.mrkdwn import fill
from bot.slack.seen import Seen, dedupe_middleware
from deskbot.core import messages
from deskbot.core.config import Settings

log = logging.getLogger("bot.slack")


class _ClientGiven(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN in the environment is unused when a client is given:
    it is the same token, already inside our client."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


log.addFilter(_ClientGiven())

LISTENER_WORKERS = 16  # Bolt's threads for quick listener work (reactions, acks)


def build_app(
    settings: Settings,
    *,
    answerer: AnswererLike,
    store: AnswerStore,
    reindex: Reindex | ReindexRunner,
    client: WebClient | None = None,
    jobs: Executor | None = None,
    reindex_progress_every: float = 10.0,
) -> App:
    """The Slack app: HTTP requests are verified with SLACK_SIGNING_SECRET when it is set.

    `deskbot serve` hands in the process's shared answer pool (`jobs`) and reindex runner,
    so every transport and the control socket use the same ones.
    """
    client = client or build_web_client(settings)
    deps = Deps(
        settings=settings,
        answerer=answerer,
        store=store,
        jobs=jobs or Jobs(ANSWER_WORKERS),
        reindexer=ReindexRunner.of(reindex, settings),
        seen=Seen(),
        threads=Seen(ttl=7 * 24 * 3600),
        streams=StreamSupport(),
        reindex_progress_every=reindex_progress_every,
    )
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=bool(settings.slack_signing_secret),
        token_verification_enabled=False,  # `deskbot serve` checks the token first, with a clear error
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(LISTENER_WORKERS, thread_name_prefix="deskbot-listen"),
        logger=log,
    )
    app.middleware(dedupe_middleware(deps.seen))
    app.assistant(build_assistant(deps))
    events.register(app, deps)
    commands.register(app, deps)
    actions.register(app, deps)
    app.error(lambda error, body, client, context: handle_error(error, body, client, context, deps))
    return app


def handle_error(
    error: Exception, body: dict, client: WebClient, context: BoltContext, deps: Deps
) -> None:
    """Log the detail; tell the person a short apology where they asked, never the exception."""
    log.error("listener failed on a %s request", body.get("type"), exc_info=error)
    apology = fill(messages.SLACK_APOLOGY, escalation=deps.settings.escalation_text)
    event = body.get("event") or {}
    try:
        if event.get("channel") and event.get("ts") and not ignorable(event, context.bot_user_id):
            thread_ts = event.get("thread_ts") or event["ts"]
            client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts, text=apology)
        elif body.get("type") == "block_actions" and (body.get("channel") or {}).get("id"):
            channel = str(body["channel"]["id"])
            client.chat_postEphemeral(channel=channel, user=body["user"]["id"], text=apology)
        elif body.get("command") and body.get("user_id"):
            client.chat_postMessage(channel=body["user_id"], text=apology)
    except Exception:
        log.exception("could not post the apology")
