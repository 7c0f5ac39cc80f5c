"""What is in flight, so shutdown can wait for it: `InFlight`, and the answer pool `Jobs`."""

from __future__ import annotations

import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait


class InFlight:
    """The futures handed to `track` that have not finished yet (thread-safe)."""

    def __init__(self) -> None:
        self._pending: set[Future] = set()
        self._lock = threading.Lock()

    def track(self, future: Future) -> Future:
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def count(self) -> int:
        with self._lock:
            return len(self._pending)

    def drain(self, timeout: float) -> int:
        """Wait up to `timeout` s for every future tracked so far; returns how many are left."""
        with self._lock:
            pending = set(self._pending)
        if pending:
            wait(pending, timeout=timeout)
        return self.count()


class Jobs(Executor):
    """ThreadPoolExecutor plus `in_flight()` and `drain(timeout)` for a graceful stop."""

    def __init__(self, workers: int, name: str = "deskbot-answer") -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix=name)
        self._tracked = InFlight()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._tracked.track(self._pool.submit(fn, *args, **kwargs))

    def in_flight(self) -> int:
        return self._tracked.count()

    def drain(self, timeout: float) -> int:
        """Wait up to `timeout` s for every job accepted so far; returns how many are left."""
        return self._tracked.drain(timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
