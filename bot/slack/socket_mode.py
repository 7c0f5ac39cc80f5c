"""Socket Mode that tells the truth: connected only after `hello`, reconnects with backoff.

`SocketModeRunner` keeps one live Socket Mode link to Slack for a sync Bolt `App`:
- it asks `apps.connections.open` (app token) for a one-time URL, opens a `Link` and
  counts as connected only once Slack's `hello` arrived;
- when Slack asks to `disconnect` (warning, refresh_requested, …) it opens the
  replacement first and closes the old link only after the new one said hello; both
  are read meanwhile, so envelopes are acked within milliseconds across a refresh;
- lost connections and failed attempts are retried with capped exponential backoff and
  jitter, each logged with its reason and, once back, the time spent offline;
- `max_auth_failures` answers of invalid_auth / not_allowed_token_type in a row end the
  runner with a ConfigError naming SLACK_APP_TOKEN (`fatal`), so the process can exit
  non-zero instead of retrying for ever.
Envelopes are dispatched to Bolt on a small pool and acked on the link they came on.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.serve.transport import Health
from bot.slack.socket_acks import ack_for
from bot.slack.socket_link import HELLO_TIMEOUT, Link, LinkError
from deskbot.core import messages
from deskbot.core.errors import ConfigError
from deskbot.core.retry import Backoff

log = logging.getLogger("bot.slack.socket_mode")

AUTH_ERRORS = frozenset(
    {"invalid_auth", "not_allowed_token_type", "token_revoked", "token_expired", "not_authed"}
    | {"account_inactive"}
)
MAX_AUTH_FAILURES = 3
STABLE_SECONDS = 10.0  # a link that lived this long resets the backoff
ENVELOPE_WORKERS = 16


class SocketModeRunner:
    def __init__(
        self,
        app: App,
        app_token: str,
        web_client: WebClient,
        *,
        backoff: Backoff | None = None,
        max_auth_failures: int = MAX_AUTH_FAILURES,
        hello_timeout: float = HELLO_TIMEOUT,
    ) -> None:
        self.app, self.app_token, self.web_client = app, app_token, web_client
        self.backoff = backoff or Backoff()
        self.max_auth_failures = max_auth_failures
        self.hello_timeout = hello_timeout
        self.fatal: ConfigError | None = None
        self.done = threading.Event()  # the runner has stopped (stop() or fatal)
        self._current: Link | None = None
        self._links: set[Link] = set()
        self._state = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._failures = 0  # failed attempts since the last stable link
        self._auth_failures = 0
        self._offline_since: float | None = None
        self._why = "starting"  # why the runner is (re)connecting
        self._ever_connected = False
        self._pool = ThreadPoolExecutor(ENVELOPE_WORKERS, thread_name_prefix="deskbot-envelope")
        self._thread = threading.Thread(target=self._supervise, name="deskbot-socket-mode")

    # --- the transport's face --------------------------------------------------------
    def start(self) -> SocketModeRunner:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop taking envelopes: close every link, wait for acks in progress."""
        self._stopping.set()
        self._wake.set()
        with self._state:
            links = list(self._links)
        for link in links:
            link.close_in_background("deskbot is shutting down")
        for link in links:
            link.closed.wait(timeout)
        self._pool.shutdown(wait=True)
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def health(self) -> Health:
        with self._state:
            link = self._current
        if self._stopping.is_set():
            return Health(False, "shutting down")
        if link is not None and link.open_now:
            return Health(True, f"Socket Mode connected (link {link.number})")
        if self.fatal is not None:
            return Health(False, "stopped: Slack rejected SLACK_APP_TOKEN")
        since = time.monotonic() - (self._offline_since or time.monotonic())
        return Health(False, f"Socket Mode not connected for {since:.0f} s: {self._why}")

    # --- the supervisor loop ---------------------------------------------------------
    def _supervise(self) -> None:
        try:
            while not self._stopping.is_set():
                link = self._attempt()
                if link is not None:
                    self._promote(link)
                    self._wait_for_change()
                    if self._current is None and self._failures and not self._stopping.is_set():
                        self._pause()  # a link that keeps dropping right after hello
                elif not self._stopping.is_set() and self.fatal is None:
                    self._pause()
                if self.fatal is not None:
                    break
        finally:
            self.done.set()

    def _attempt(self) -> Link | None:
        """One try: a fresh URL, a handshake, Slack's hello. None when it failed."""
        try:
            url = self.web_client.apps_connections_open(app_token=self.app_token)["url"]
        except SlackApiError as exc:
            self._api_failed(str(exc.response.get("error", "unknown error")))
            return None
        except (SlackClientError, OSError) as exc:
            self._failed(f"apps.connections.open unreachable ({type(exc).__name__})")
            return None
        self._auth_failures = 0
        link = Link(
            url,
            on_envelope=self._on_envelope,
            on_disconnect=self._on_disconnect,
            on_closed=self._on_closed,
            hello_timeout=self.hello_timeout,
        )
        with self._state:
            self._links.add(link)
        try:
            return link.open()
        except LinkError as exc:
            with self._state:
                self._links.discard(link)
            self._failed(str(exc))
            return None

    def _api_failed(self, error: str) -> None:
        if error not in AUTH_ERRORS:
            self._failed(f"apps.connections.open answered {error}")
            return
        self._auth_failures += 1
        if self._auth_failures >= self.max_auth_failures:
            self.fatal = ConfigError(messages.SLACK_APP_TOKEN_REJECTED.format(error=error))
            log.error("%s Exiting.", self.fatal)
            return
        self._failed(
            f"apps.connections.open answered {error} "
            f"({self._auth_failures} of {self.max_auth_failures} before giving up)"
        )

    def _failed(self, why: str) -> None:
        self._failures += 1
        self._why = why
        if self._offline_since is None:
            self._offline_since = time.monotonic()

    def _pause(self) -> None:
        delay = self.backoff.delay(self._failures)
        log.warning(
            "Socket Mode: %s; retrying in %.1f s (attempt %d)", self._why, delay, self._failures + 1
        )
        self._wake.clear()
        self._wake.wait(delay)

    def _promote(self, link: Link) -> None:
        with self._state:
            old, self._current = self._current, link
            self._wake.clear()
        if self._stopping.is_set():  # stop() came while this link was opening
            link.close_in_background("deskbot is shutting down")
            self._wake.set()
            return
        offline = time.monotonic() - self._offline_since if self._offline_since else 0.0
        handover = old is not None and old.open_now
        if not self._ever_connected:
            log.info(
                "deskbot connected to Slack in Socket Mode (hello received; %s connection(s) open)",
                link.hello.get("num_connections", "?"),
            )
        elif handover:
            log.info("Socket Mode switched to a new connection, no time offline (%s)", self._why)
        else:
            log.info("Socket Mode reconnected after %.1f s offline (%s)", offline, self._why)
        self._ever_connected = True
        self._offline_since = None
        if old is not None and handover:
            old.close_in_background("replaced by a new connection")

    def _wait_for_change(self) -> None:
        """Until the current link closes, Slack asks for a new one, or stop()."""
        self._wake.wait()

    # --- link callbacks (on the links' reader threads) -------------------------------
    def _on_disconnect(self, link: Link, reason: str) -> None:
        if reason == "link_disabled":
            log.error(messages.SLACK_SOCKET_DISABLED)
        with self._state:
            current = link is self._current
        if current and not self._stopping.is_set():
            log.info(
                "Slack asked to refresh the Socket Mode connection (%s); opening a new one", reason
            )
            self._why = f"Slack asked for a new connection: {reason}"
            self._wake.set()

    def _on_closed(self, link: Link, reason: str) -> None:
        with self._state:
            self._links.discard(link)
            current = link is self._current
            if current:
                self._current = None
        lived = time.monotonic() - link.opened_at
        if not current or self._stopping.is_set():
            log.debug("Socket Mode link %d closed: %s", link.number, reason)
            return
        self._failures = 0 if lived >= STABLE_SECONDS else self._failures + 1
        self._offline_since = time.monotonic()
        self._why = f"connection lost: {reason}"
        log.warning("Socket Mode connection lost after %.0f s (%s); reconnecting", lived, reason)
        self._wake.set()

    def _on_envelope(self, link: Link, message: dict) -> None:
        if self._stopping.is_set():  # unacked: Slack delivers it again later
            log.info("envelope %s left unacked: shutting down", message.get("envelope_id"))
            return
        with contextlib.suppress(RuntimeError):  # the pool shut down under us
            self._pool.submit(self._dispatch, link, message)

    def _dispatch(self, link: Link, message: dict) -> None:
        request = SocketModeRequest.from_dict(message)
        if request is None:
            return
        response = run_bolt_app(self.app, request)
        ack = ack_for(request, response)
        if ack is None:
            log.info(
                "envelope %s not acked: Bolt answered %s", request.envelope_id, response.status
            )
            return
        with self._state:
            current = self._current
        if not link.send(ack) and not (current is not None and current.send(ack)):
            log.warning("could not ack envelope %s: no open connection", request.envelope_id)
