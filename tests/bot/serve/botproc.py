"""The real `deskbot serve` in a child process, against local fakes of Slack and the model.

`start_bot(index, slack, model, …)` copies a ready index into a fresh, short data
directory (a Unix socket path must stay under 108 bytes), starts the CLI in a child
process with the environment a user would set, and returns a handle to read its log,
signal it and wait for its exit code. `teams_env(…)` is the environment that adds
Teams, pointed at the fakes of Microsoft's services.
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

from tests.bot.teams.teamsreq import ADMIN_AAD, APP_ID, SECRET, TENANT
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.fakes.teams_connector import FakeConnector
from tests.fakes.teams_login import FakeBotFrameworkLogin, FakeEntra
from tests.fakes.tls import LOOPBACK, loopback_certificate

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


def bot_env(data: Path, slack: FakeSlack | None, model_url: str | None, **extra: str) -> dict:
    """The child's environment: Slack's tokens when `slack` is given, else no Slack at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QDRANT_", "TEAMS_"))}
    env.update(
        DESKBOT_DATA_DIR=str(data),
        ADMIN_USER_IDS=ADMIN,
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    if slack is not None:
        env.update(
            SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=slack.api_url
        )
    if model_url:
        env.update(OPENAI_BASE_URL=model_url, OPENAI_API_KEY="sk-test-not-real")
    env.update(extra)
    return env


def start_bot(
    index: Path, slack: FakeSlack | None, model_url: str | None, *args: str, **extra: str
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


def teams_env(
    login: FakeBotFrameworkLogin, entra: FakeEntra, connector: FakeConnector, port: int
) -> dict[str, str]:
    """TEAMS_* for a bot that answers the fakes: the connector speaks https on 127.0.0.1
    with the session's certificate, which the child trusts through SSL_CERT_FILE."""
    assert connector.tls, "deskbot calls only https serviceUrls"
    return {
        "TEAMS_APP_ID": APP_ID,
        "TEAMS_APP_PASSWORD": SECRET,
        "TEAMS_TENANT_ID": TENANT,
        "TEAMS_ADMIN_AAD_IDS": ADMIN_AAD,
        "TEAMS_LOGIN_URL": entra.url,
        "TEAMS_OPENID_METADATA_URL": login.metadata_url,
        "TEAMS_SERVICE_URL_HOSTS": LOOPBACK,
        "TEAMS_PORT": str(port),
        "SSL_CERT_FILE": str(loopback_certificate().cert_path),
    }
