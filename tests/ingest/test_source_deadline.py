"""A network source that stops answering is stopped at SOURCE_DEADLINE_SECONDS: what was
indexed stays, nothing is pruned. Real sockets, the fake Confluence over real HTTP, the
real Edge index, and `deskbot ingest` run as its own process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from deskbot.core.errors import SourceDeadlineError
from ingest.index import open_index
from ingest.sources.confluence import ConfluenceSource
from ingest.sync import Syncer
from tests.fakes.confluence import FakeConfluence


@pytest.fixture
def silent_server():
    """A TCP server on 127.0.0.1 that accepts every connection and never says a word."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", held
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def confluence(fake: FakeConfluence, **options) -> ConfluenceSource:
    return ConfluenceSource(
        ["HR"], base_url=fake.base_url, email=fake.email, api_token=fake.api_token, **options
    )


def add_pages(fake: FakeConfluence, count: int) -> None:
    fake.add_space("HR")
    for n in range(1, count + 1):
        fake.add_page("HR", str(n), f"Page {n}", f"<p>Version one of page {n}.</p>")


def page_texts(index) -> dict[str, str]:
    return {p["doc_id"]: p["text"] for _, p in index.scroll(["confluence:HR"], ("doc_id", "text"))}


def test_a_server_that_never_answers_stops_ingest_at_the_deadline(
    tmp_path, embedder, silent_server
):
    url, held = silent_server
    data = tmp_path / "data"
    with FakeConfluence() as fake:  # what an earlier, healthy run indexed
        add_pages(fake, 2)
        with open_index(collection="deskbot", path=data / "qdrant") as index:
            Syncer(index, embedder).run(confluence(fake))
    env = {
        **os.environ,
        "DESKBOT_DATA_DIR": str(data),
        "DESKBOT_SOURCES": "",
        "QDRANT_URL": "",
        "CONFLUENCE_URL": f"{url}/wiki",
        "CONFLUENCE_EMAIL": "bot@example.com",
        "CONFLUENCE_API_TOKEN": "cloud-token-S3CRET-123",
        "SOURCE_DEADLINE_SECONDS": "2",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-c", "from deskbot.cli import main; main()", "ingest"]
    started = time.monotonic()
    done = subprocess.run(
        [*command, "confluence:HR"], env=env, capture_output=True, text=True, timeout=150
    )
    assert done.returncode == 1, done.stderr
    assert held  # the server really did accept the connection
    assert "Confluence kept this source waiting for 2 s in all (SOURCE_DEADLINE_SECONDS)" in (
        done.stderr
    )
    assert "Traceback" not in done.stderr and "S3CRET" not in done.stderr + done.stdout
    assert time.monotonic() - started < 120  # 6 tries x 30 s before the deadline existed
    with open_index(collection="deskbot", path=data / "qdrant") as index:
        assert set(page_texts(index)) == {"1", "2"}  # nothing pruned


def test_a_stalling_server_keeps_what_was_read_and_prunes_nothing(tmp_path, embedder):
    with FakeConfluence() as fake, open_index(collection="t", path=tmp_path / "q") as index:
        add_pages(fake, 4)
        syncer = Syncer(index, embedder)
        syncer.run(confluence(fake, page_size=1))
        fake.update_page("1", body="<p>Version two of page 1.</p>")
        fake.delete_page("4")  # a full run would prune it
        # the first listing request answers (page 1); every later one stalls for 30 s
        fake.slow_next(30, n=50, path=r"/rest/api/content$", after=1)
        source = confluence(fake, page_size=1, deadline_seconds=2, sleep=lambda s: None)
        started = time.monotonic()
        with pytest.raises(SourceDeadlineError, match="SOURCE_DEADLINE_SECONDS"):
            syncer.run(source)
        assert time.monotonic() - started < 25
        texts = page_texts(index)
    assert set(texts) == {"1", "2", "3", "4"}  # nothing pruned
    assert "Version two of page 1." in texts["1"]  # what was read before the stall is indexed
