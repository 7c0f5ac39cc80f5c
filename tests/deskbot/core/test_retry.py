"""deskbot.core.retry: the one Retry-After reader, backoff with jitter, and the waiting budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from deskbot.core.retry import Backoff, Deadline, parse_retry_after, retry_after

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "headers, seconds",
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),  # milliseconds win (OpenAI)
        ({"retry-after-ms": "soon", "Retry-After": "9"}, 9.0),  # a bad one is skipped
        ({"Retry-After": format_datetime(NOW + timedelta(seconds=42), usegmt=True)}, 42.0),
        ({"Retry-After": format_datetime(NOW - timedelta(seconds=42), usegmt=True)}, 0.0),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": "tomorrow"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_retry_after_reads_milliseconds_seconds_and_dates(headers, seconds):
    assert retry_after(headers, now=NOW) == seconds


def test_retry_after_reads_the_headers_of_an_http_library():
    headers = httpx.Headers({"RETRY-AFTER": "3"})
    assert retry_after(headers) == 3.0
    assert parse_retry_after(" 12 ") == 12.0


def test_backoff_doubles_up_to_the_cap_with_jitter_in_the_spread():
    exact = Backoff(base=0.5, cap=3.0, spread=(1.0, 1.0))
    assert [exact.delay(n) for n in range(6)] == [0.0, 0.5, 1.0, 2.0, 3.0, 3.0]
    wide = Backoff(base=1.0, cap=4.0, spread=(1.0, 1.5), jitter=lambda low, high: high)
    assert [wide.delay(n) for n in (1, 2, 3)] == [1.5, 3.0, 4.0]  # never over the cap


def test_backoff_takes_what_the_server_asked_cut_to_the_cap():
    policy = Backoff(base=1.0, cap=10.0, spread=(1.0, 1.0))
    assert policy.wait(1, 3.0) == 3.0
    assert policy.wait(1, 120.0) == 10.0
    assert policy.wait(1, -1.0) == 0.0
    assert policy.wait(3, None) == 4.0


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_deadline_counts_only_waiting_and_cuts_the_last_pause():
    clock = Clock()
    deadline = Deadline(10, clock=clock)
    with deadline.waiting():
        clock.now += 4
    clock.now += 100  # work between requests does not count
    assert deadline.remaining() == 6 and not deadline.expired()
    assert deadline.expired(waited=6)
    deadline.sleep(30, clock.sleep)  # cut to the 6 s left
    assert clock.now == 110 and deadline.expired()
    deadline.restart()
    assert deadline.remaining() == 10


def test_no_deadline_never_expires():
    deadline = Deadline(None)
    assert deadline.remaining() == float("inf") and not deadline.expired(1e9)
