"""Following a fine-tuning job: event lines, and a step bar on a terminal.

Off a terminal (CI, logs, pipes) every event is one plain line; on a terminal a
tqdm bar tracks steps with the latest losses, and event lines print above it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from deskbot.tune import jobs

Echo = Callable[[str], None]
MIN_INTERVAL, MAX_INTERVAL = 0.0, 300.0


def event_line(event) -> str:
    """`12:00:03  Step 3/30: training loss=1.23 (train 1.23, valid 1.40)`."""
    when = datetime.fromtimestamp(int(getattr(event, "created_at", 0) or 0), UTC)
    line = f"{when:%H:%M:%S}  {getattr(event, 'message', '')}"
    data = getattr(event, "data", None) or {}
    losses = [
        f"{label} {data[key]:.4g}"
        for key, label in (("train_loss", "train"), ("valid_loss", "valid"))
        if isinstance(data, dict) and isinstance(data.get(key), (int, float))
    ]
    if losses:
        line += f" ({', '.join(losses)})"
    return line


class JobDisplay:
    def __init__(self, echo: Echo, *, bar: bool) -> None:
        self.echo = echo
        self.use_bar = bar
        self.bar: Any = None  # a tqdm bar once a job reports steps
        self.status = ""

    def _print(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text)
        else:
            self.echo(text)

    def job(self, job) -> None:
        if job.status != self.status:
            self.status = job.status
            self._print(f"Job {job.id}: {job.status} (base {job.model})")

    def events(self, events: list) -> None:
        for event in events:
            data = getattr(event, "data", None) or {}
            if self.use_bar and isinstance(data, dict) and data.get("total_steps"):
                self._step(data)
            self._print("  " + event_line(event))

    def _step(self, data: dict) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=int(data["total_steps"]), unit="step", desc="training")
        self.bar.n = int(data.get("step", self.bar.n))
        losses = {k: f"{v:.4g}" for k, v in data.items() if k.endswith("_loss")}
        self.bar.set_postfix(losses, refresh=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def follow(
    client,
    job_id: str,
    display: JobDisplay,
    *,
    watch: bool,
    interval: float,
    timeout: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
):
    """Show the job and its new events; with `watch`, poll until it ends. Returns the job."""
    interval = min(max(interval, MIN_INTERVAL), MAX_INTERVAL)
    started, seen = time.monotonic(), set[str]()
    try:
        while True:
            job = jobs.retrieve(client, job_id)
            display.job(job)
            display.events(jobs.new_events(client, job_id, seen))
            done = job.status in jobs.TERMINAL
            timed_out = timeout is not None and time.monotonic() - started >= timeout
            if done or not watch or timed_out:
                return job
            sleep(interval)
    finally:
        display.close()
