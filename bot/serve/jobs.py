"""The answer pool: a thread pool that knows what is in flight, so shutdown can wait for it."""

from __future__ import annotations

import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait


class Jobs(Executor):
    """ThreadPoolExecutor plus `in_flight()` and `drain(timeout)` for a graceful stop."""

    def __init__(self, workers: int, name: str = "deskbot-answer") -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix=name)
        self._pending: set[Future] = set()
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future = self._pool.submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def in_flight(self) -> int:
        with self._lock:
            return len(self._pending)

    def drain(self, timeout: float) -> int:
        """Wait up to `timeout` s for every job accepted so far; returns how many are left."""
        with self._lock:
            pending = set(self._pending)
        if pending:
            wait(pending, timeout=timeout)
        return self.in_flight()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
