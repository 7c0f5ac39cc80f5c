"""The real `deskbot serve` in a child process, against local fakes of Slack and the model.

`start_bot(index, slack, model, …)` copies a ready index into a fresh, short data
directory (a Unix socket path must stay under 108 bytes), starts the CLI in a child
process with the environment a user would set, and returns a handle to read its log,
signal it and wait for its exit code.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, FakeSlack

DESKBOT = [sys.executable, "-c", "from deskbot.cli import main; main()"]
ADMIN = "U0ADMIN1"


@dataclass
class BotProcess:
    proc: subprocess.Popen
    data: Path
    log_path: Path
    env: dict

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_log(self, text: str, timeout: float = 90.0, after: int = 0) -> str:
        """Wait until `text` is in the log (from character `after`); fails if the bot exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.log()
            if text in log[after:]:
                return log
            if self.proc.poll() is not None:
                raise AssertionError(f"bot exited ({self.proc.returncode}) before {text!r}:\n{log}")
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not in the bot's log after {timeout} s:\n{self.log()}")

    def signal(self, sig: int = signal.SIGTERM) -> None:
        self.proc.send_signal(sig)

    def wait(self, timeout: float = 60.0) -> int:
        return self.proc.wait(timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        shutil.rmtree(self.data, ignore_errors=True)


def bot_env(data: Path, slack: FakeSlack, model_url: str | None, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QDRANT_"))}
    env.update(
        DESKBOT_DATA_DIR=str(data),
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=slack.api_url,
        ADMIN_USER_IDS=ADMIN,
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    if model_url:
        env.update(OPENAI_BASE_URL=model_url, OPENAI_API_KEY="sk-test-not-real")
    env.update(extra)
    return env


def start_bot(
    index: Path, slack: FakeSlack, model_url: str | None, *args: str, **extra: str
) -> BotProcess:
    data = Path(tempfile.mkdtemp(prefix="dbot-", dir="/tmp"))
    shutil.copytree(index, data / "qdrant")
    env = bot_env(data, slack, model_url, **extra)
    log_path = data / "bot.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [*DESKBOT, "serve", *args], env=env, cwd=data, stdout=log, stderr=subprocess.STDOUT
        )
    return BotProcess(proc, data, log_path, env)
