"""Which Socket Mode client acks within 1 s right after Slack refreshes the connection?

    python -m bench.socket_mode_clients [--refreshes 3]

Drives a plain Bolt app (one app_mention listener, auto-acked) with each of
python-slack-sdk's Socket Mode clients through Bolt's matching adapter, and deskbot's
own client, against the local Socket Mode fake (tests/fakes/socket_mode.py). For each:
the ack latency of an envelope on a settled connection, and of envelopes sent the
moment the new connection opens after a `disconnect` (reason `refresh_requested`),
on the new connection and on the old one. Clients whose library is not installed are
skipped (pip install websocket-client aiohttp websockets).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import logging
import threading
import time

from slack_bolt import App
from slack_sdk import WebClient

from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, BOT_USER, FakeSlack
from tests.fakes.socket_mode import FakeSocketMode

MENTION = {
    "type": "event_callback",
    "team_id": "T0000001",
    "api_app_id": "A0000001",
    "event": {"type": "app_mention", "user": "U0USER01", "text": f"<@{BOT_USER}> hi"},
}


def _payload(n: int) -> dict:
    event = dict(MENTION["event"], ts=f"1700000000.{n:06d}", channel="C0BENCH01")
    return dict(MENTION, event=event, event_id=f"Ev{n:08d}")


def sync_app(slack: FakeSlack) -> App:
    app = App(
        client=WebClient(token=BOT_TOKEN, base_url=slack.api_url),
        token_verification_enabled=False,
        request_verification_enabled=False,
    )
    app.event("app_mention")(lambda event: None)
    return app


def async_app(slack: FakeSlack):
    from slack_bolt.async_app import AsyncApp

    app = AsyncApp(client=_async_web_client(slack), request_verification_enabled=False)

    async def on_mention(event):
        return None

    app.event("app_mention")(on_mention)
    return app


class Loop:
    """An asyncio loop in a thread, for the asyncio-based adapters."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def run(self, coro, timeout: float = 15):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)


def _async_web_client(slack: FakeSlack):
    from slack_sdk.web.async_client import AsyncWebClient

    return AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)


def start_client(name: str, slack: FakeSlack):
    """Start one client; returns a function that stops it."""
    if name == "deskbot":
        from bot.slack.socket_mode import SocketModeRunner

        runner = SocketModeRunner(
            sync_app(slack), APP_TOKEN, WebClient(token=APP_TOKEN, base_url=slack.api_url)
        )
        runner.start()
        return lambda: runner.stop()
    if name in ("builtin", "websocket_client"):
        module = importlib.import_module(f"slack_bolt.adapter.socket_mode.{name}")
        handler = module.SocketModeHandler(
            sync_app(slack), APP_TOKEN, web_client=WebClient(base_url=slack.api_url)
        )
        handler.connect()
        return handler.close
    family, _, flavour = name.partition("+")
    module = importlib.import_module(f"slack_bolt.adapter.socket_mode.{family}")
    loop = Loop()
    handler = loop.run(_make_handler(module, slack, flavour == "AsyncApp"))
    loop.run(handler.connect_async())
    return lambda: loop.run(handler.close_async())


async def _make_handler(module, slack, async_bolt: bool):
    """Bolt's adapter for an asyncio client (built in the loop; its web client must be async)."""
    if async_bolt:
        return module.AsyncSocketModeHandler(
            async_app(slack), APP_TOKEN, web_client=_async_web_client(slack)
        )
    return module.SocketModeHandler(sync_app(slack), APP_TOKEN, web_client=_async_web_client(slack))


CLIENTS = {
    "builtin": None,
    "websocket_client": "websocket",
    "aiohttp": "aiohttp",
    "aiohttp+AsyncApp": "aiohttp",
    "websockets": "websockets",
    "websockets+AsyncApp": "websockets",
    "deskbot": "websockets",
}


def measure(name: str, refreshes: int) -> dict:
    with FakeSocketMode() as fake, FakeSlack(socket=fake) as slack:
        stop = start_client(name, slack)
        try:
            fake.wait_links(1)
            time.sleep(0.3)
            settled = [fake.ack_seconds(fake.envelope("events_api", _payload(n))) for n in range(3)]
            new_side, old_side = [], []
            for n in range(refreshes):
                old = fake.open_links()[-1]
                fake.disconnect("refresh_requested", old)
                fresh = fake.wait_links(len(fake.links) + 1)[-1]
                ids = [fake.envelope("events_api", _payload(100 + n), link=fresh)]
                if old.open:
                    with contextlib.suppress(Exception):
                        old_side.append(fake.envelope("events_api", _payload(200 + n), link=old))
                new_side += [fake.ack_seconds(i) for i in ids]
                time.sleep(0.5)
            old_acks = []
            for envelope_id in old_side:
                try:
                    old_acks.append(fake.ack_seconds(envelope_id))
                except AssertionError:
                    old_acks.append(float("inf"))
            return {
                "settled": settled,
                "after_refresh_new": new_side,
                "after_refresh_old": old_acks,
            }
        finally:
            stop()


def _fmt(values: list[float]) -> str:
    if not values:
        return "-"
    return "max " + ("lost" if max(values) == float("inf") else f"{max(values) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refreshes", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=list(CLIENTS))
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    print(f"{'client':22} {'settled':>12} {'new socket after refresh':>26} {'old socket':>14}")
    for name in args.only:
        library = CLIENTS[name]
        if library and importlib.util.find_spec(library) is None:
            print(f"{name:22} skipped: pip install {library}")
            continue
        try:
            result = measure(name, args.refreshes)
        except Exception as exc:  # a client that cannot be driven is a result too
            print(f"{name:22} failed: {type(exc).__name__}: {exc}")
            continue
        print(
            f"{name:22} {_fmt(result['settled']):>12} {_fmt(result['after_refresh_new']):>26} "
            f"{_fmt(result['after_refresh_old']):>14}"
        )


if __name__ == "__main__":
    main()
