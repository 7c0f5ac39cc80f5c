"""What unsigned, oversized requests cost the running bot (issue 9, item 3).

    python -m bench.hostile_posts [--posts 4] [--megabytes 100]

Starts the real `deskbot serve --http` on the sample wiki (fake Slack and model on
127.0.0.1), then sends --posts concurrent unsigned POSTs of --megabytes each to
/slack/events, half with a Content-Length and half chunked, and reports what each got
back and how long it took, the bot's resident memory (before, peak) and how much its log
grew. Then one signed mention checks the bot still answers.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.slack_load import _build_index, _env, _free_port, _model, _rss_mb, _start_bot
from tests.bot.slack.slackreq import SlackSender, message_event
from tests.fakes.openai_chat import FakeOpenAIChat
from tests.fakes.slack import BOT_USER, FakeSlack

MB = 1024 * 1024


def _body(megabytes: int, chunked: bool):
    piece = b'{"type":"event_callback","event":{"text":"' + b"A" * (MB - 64) + b'"}}'
    if not chunked:
        return piece[:MB] * megabytes

    def stream():
        for _ in range(megabytes):
            yield piece[:MB]

    return stream()


def _post(url: str, megabytes: int, chunked: bool, out: list) -> None:
    started = time.perf_counter()
    try:
        response = httpx.post(
            url,
            content=_body(megabytes, chunked),
            headers={"Content-Type": "application/json"},
            timeout=120,
        )
        outcome = str(response.status_code)
    except httpx.HTTPError as exc:  # the server may close the connection mid-upload
        outcome = f"closed ({type(exc).__name__})"
    out.append(("chunked" if chunked else "sized", outcome, time.perf_counter() - started))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=4)
    parser.add_argument("--megabytes", type=int, default=100)
    options = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeSlack() as slack,
        FakeOpenAIChat(default=_model) as model,
    ):
        workdir, port = Path(tmp), _free_port()
        env = {**_env(workdir, slack, model), "LOG_LEVEL": "INFO"}
        _build_index(env, 0)
        log_path = workdir / "bot.log"
        with open(log_path, "wb") as log:
            bot, _ = _start_bot(env, workdir, port, output=log)
        try:
            time.sleep(1)
            before, log_before = _rss_mb(bot.pid), log_path.stat().st_size
            results: list = []
            threads = [
                threading.Thread(
                    target=_post,
                    args=(
                        f"http://127.0.0.1:{port}/slack/events",
                        options.megabytes,
                        n % 2 == 1,
                        results,
                    ),
                )
                for n in range(options.posts)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            peak, log_growth = _rss_mb(bot.pid, "VmHWM"), log_path.stat().st_size - log_before
            sender = SlackSender(f"http://127.0.0.1:{port}")
            message = slack.user_message("C0BENCH01", f"<@{BOT_USER}> how do I connect to the VPN?")
            status = sender.event(message_event(message, "app_mention")).status_code
            sender.close()
        finally:
            bot.terminate()
            bot.wait(10)
    print(f"{options.posts} concurrent unsigned POSTs of {options.megabytes} MB to /slack/events:")
    for kind, outcome, seconds in sorted(results):
        print(f"  {kind:8} -> {outcome:28} in {seconds:6.2f} s")
    print(f"bot RSS {before:.0f} MB before, {peak:.0f} MB peak; log grew {log_growth} bytes")
    print(f"a signed mention afterwards: HTTP {status}")


if __name__ == "__main__":
    main()
