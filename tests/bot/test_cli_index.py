"""`deskbot ingest / search / status` through the real CLI entry point."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from deskbot.cli import main
from ingest.index import open_index


@pytest.fixture
def env(tmp_path):
    return {
        "DESKBOT_DATA_DIR": str(tmp_path / "data"),
        "DESKBOT_SOURCES": "",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    (folder / "it").mkdir(parents=True)
    (folder / "it" / "printer.md").write_text(
        "# Printers\n\n## Adding a printer\n\nOn macOS open System Settings > Printers and add "
        "PRN-LIS-4 by its address 10.20.4.15.\n"
    )
    (folder / "parking.html").write_text(
        "<html><head><title>Parking</title></head><body><nav>Home</nav><main><h1>Parking</h1>"
        "<p>Visitor parking is on level -2; ask reception for a ticket.</p></main></body></html>"
    )
    return folder


def run(env, *args, input=None):
    return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)


@pytest.mark.slow  # loads the embedding model through the CLI
def test_ingest_search_status(env, docs):
    result = run(env, "ingest", str(docs))
    assert result.exit_code == 0, result.output
    assert (
        "pages 2 seen / 2 added / 0 updated / 0 unchanged / 0 removed / 0 failed" in result.output
    )

    found = run(env, "search", "where do visitors park their car", "--json", "-k", "2")
    hits = json.loads(found.output)["hits"]
    assert hits[0]["title"] == "Parking" and hits[0]["doc_id"] == "parking.html"
    assert set(hits[0]) == {"title", "section", "url", "source", "doc_id", "score", "text"}

    lines = run(env, "search", "-", input="add a printer on my mac\nvisitor parking\n").output
    rows = [json.loads(line) for line in lines.splitlines()]
    assert [r["hits"][0]["doc_id"] for r in rows] == ["it/printer.md", "parking.html"]

    status = json.loads(run(env, "status", "--json").output)
    source = "files:" + str(docs.resolve())
    assert (
        status["model"] == "sentence-transformers/all-MiniLM-L6-v2" and status["dimension"] == 384
    )
    assert status["sources"][source]["pages"] == 2 and status["sources"][source]["last_sync"]


def test_no_source_is_a_clear_error(env):
    result = run(env, "ingest")
    assert result.exit_code == 1
    assert "DESKBOT_SOURCES" in result.output and "Traceback" not in result.output


def test_locked_index_is_a_clear_error(env, docs, tmp_path):
    holder = open_index(collection="deskbot", path=tmp_path / "data" / "qdrant")
    try:
        result = run(env, "ingest", str(docs))
    finally:
        holder.close()
    assert result.exit_code == 1
    assert "in use by another deskbot process" in result.output and "Traceback" not in result.output


def test_empty_index_status(env):
    result = run(env, "status")
    assert result.exit_code == 0 and "The index is empty" in result.output


@pytest.mark.slow  # loads the embedding model through the CLI
def test_ingest_says_once_per_folder_that_its_pages_have_no_web_address(env, docs, tmp_path):
    other = tmp_path / "handbook"
    other.mkdir()
    (other / "a.md").write_text("# A\n\nFirst page of the handbook.\n")
    (other / "b.md").write_text("# B\n\nSecond page of the handbook.\n")
    result = run(env, "ingest", str(docs), str(other))
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "no web address" in line]
    assert len(warnings) == 2  # one line per folder, not one per page
    assert all(line.startswith("warning: files:") for line in warnings)
    assert f"{docs.resolve()}/.deskbot-base-url" in warnings[0]
    assert f"{other.resolve()}/.deskbot-base-url" in warnings[1]
    found = run(env, "search", "visitor parking", "--json", "-k", "1")
    assert json.loads(found.output)["hits"][0]["url"].startswith("file:///")  # payload as before

    (docs / ".deskbot-base-url").write_text("https://wiki.example.com/\n")
    again = run(env, "ingest", str(docs))
    assert again.exit_code == 0 and "no web address" not in again.output
