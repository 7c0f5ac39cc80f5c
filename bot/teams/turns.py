"""Where Teams turns run: an event loop of their own, in a thread, apart from the HTTP loop.

The HTTP loop only verifies and acknowledges (about a millisecond a request);
turns (the SDK's pipeline, first signs, streaming, sending) run here, so a
burst of fifty questions is acknowledged before their turns have taken the
loop. Every outgoing call (and the connector pool, and the token cache) lives
on this loop. The HTTP loop is a `TurnRunner` of its own too (bot/teams/server.py).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable

from bot.serve.jobs import InFlight
from deskbot.core.errors import TeamsError

log = logging.getLogger(__name__)


class TurnRunner:
    def __init__(self, name: str = "deskbot-teams-turns") -> None:
        self.name = name
        self.loop: asyncio.AbstractEventLoop | None = None
        self._tracked = InFlight()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            self.loop.call_soon(ready.set)
            self.loop.run_forever()
            with contextlib.suppress(Exception):
                self.loop.close()

        self._thread = threading.Thread(target=run, name=self.name, daemon=True)
        self._thread.start()
        ready.wait()

    def submit(self, work: Awaitable, what: str) -> concurrent.futures.Future:
        """Run `work` on the turn loop; its failure is logged (and kept on the future)."""
        return self._tracked.track(
            asyncio.run_coroutine_threadsafe(self._guard(work, what), self._started())
        )

    def call(self, work: Callable[[], Awaitable]) -> concurrent.futures.Future:
        """Run `work()` on the turn loop and hand back its result (or exception) unlogged."""

        async def run():
            return await work()

        return asyncio.run_coroutine_threadsafe(run(), self._started())

    def _started(self) -> asyncio.AbstractEventLoop:
        if self.loop is None:  # a programming error: start() comes first
            raise RuntimeError(f"{self.name}: submit() before start()")
        return self.loop

    def in_flight(self) -> int:
        """How many submitted turns have not finished."""
        return self._tracked.count()

    def drain(self, timeout: float) -> int:
        """Wait up to `timeout` s for every turn submitted so far; returns how many are left."""
        return self._tracked.drain(timeout)

    @staticmethod
    async def _guard(work: Awaitable, what: str):
        try:
            return await work
        except TeamsError as exc:  # e.g. no outgoing token: nothing could be sent
            log.error("%s not processed: %s", what, exc)
            raise
        except Exception:  # the turn-error handler could not even apologise
            log.exception("%s failed", what)
            raise

    def stop(self, grace: float, cleanup: Callable[[], Awaitable] | None = None) -> None:
        """Wait up to `grace` seconds for pending turns, cancel what is left, close the loop."""
        if self.loop is None or self._thread is None:
            return
        late = self.drain(grace)
        if late:
            log.warning("%d Teams turn(s) cancelled at shutdown", late)
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._cancel_all(cleanup), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.loop = self._thread = None

    @staticmethod
    async def _cancel_all(cleanup: Callable[[], Awaitable] | None) -> None:
        others = asyncio.all_tasks() - {asyncio.current_task()}  # turns, typing loops, streams
        for task in others:
            task.cancel()
        if others:
            await asyncio.wait(others, timeout=1)
        if cleanup is not None:
            await cleanup()
