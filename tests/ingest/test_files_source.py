"""FilesSource and open_source: recursion, titles, links, and bad files that never stop a run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.wiring import build_source
from deskbot.core.config import Settings
from deskbot.core.errors import SourceError
from ingest.sources import files as files_module
from ingest.sources.files import FilesSource, humanise


def write(root: Path, rel: str, content: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture
def wiki(tmp_path) -> Path:
    root = tmp_path / "wiki"
    write(root, "it/vpn.md", "---\ntitle: VPN: connect\n---\n# Ignored H1\n\nUse it.")
    write(
        root,
        "it/wifi.markdown",
        "```bash\n# not a title\n```\n\n# Office Wi-Fi\n\nPassword at desk.",
    )
    write(root, "hr/leave-policy_2026.txt", "Twenty-five days.")
    write(root, "hr/index.md", "No heading here.")
    write(root, "a.HTML", "<title>Payroll | Acme Wiki</title><h1>Payroll</h1><p>Paid monthly.</p>")
    write(root, "b.htm", "<title>Cards &amp; expenses</title><p>Use Pleo.</p>")
    write(root, "setext.md", "Setext title\n============\n\ntext")
    write(root, ".hidden.md", "# secret")
    write(root, ".git/config.md", "# not wiki")
    write(root, "logo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(root, "notes.pdf", b"%PDF-1.4")
    return root


def test_recursive_sorted_supported_files_only(wiki):
    source = FilesSource(wiki)
    docs = list(source.iter_documents())
    assert [d.doc_id for d in docs] == [
        "a.HTML",
        "b.htm",
        "setext.md",
        "hr/index.md",
        "hr/leave-policy_2026.txt",
        "it/vpn.md",
        "it/wifi.markdown",
    ]
    assert [d.format for d in docs] == [
        "html",
        "html",
        "markdown",
        "markdown",
        "text",
        "markdown",
        "markdown",
    ]
    assert {d.source for d in docs} == {f"files:{wiki.resolve()}"} == {source.spec}
    assert source.errors == [] and source.skipped == []
    assert [d.doc_id for d in FilesSource(wiki).iter_documents()] == [d.doc_id for d in docs]


def test_titles(wiki):
    titles = {d.doc_id: d.title for d in FilesSource(wiki).iter_documents()}
    assert titles == {
        "it/vpn.md": "VPN: connect",  # front matter wins
        "it/wifi.markdown": "Office Wi-Fi",  # "# not a title" is inside a code fence
        "hr/leave-policy_2026.txt": "Leave policy 2026",
        "hr/index.md": "Hr",  # index pages take their folder's name
        "a.HTML": "Payroll",  # <h1> when <title> contains it
        "b.htm": "Cards & expenses",
        "setext.md": "Setext title",
    }


def test_document_fields(wiki):
    path = wiki / "it" / "vpn.md"
    os.utime(path, (1767323045, 1767323045))  # 2026-01-02T03:04:05Z
    doc = next(d for d in FilesSource(wiki).iter_documents() if d.doc_id == "it/vpn.md")
    assert doc.url == path.resolve().as_uri()
    assert doc.updated_at == "2026-01-02T03:04:05+00:00"
    assert doc.breadcrumb == ("it",)
    assert doc.body.startswith("---\ntitle: VPN: connect")


def test_base_url_file_maps_markdown_to_html(wiki):
    (wiki / ".deskbot-base-url").write_text("\nhttps://wiki.example.com/docs\n")
    write(wiki, "it/my page.md", "# Mine\n\ntext")
    urls = {d.doc_id: d.url for d in FilesSource(wiki).iter_documents()}
    assert urls["it/vpn.md"] == "https://wiki.example.com/docs/it/vpn.html"
    assert urls["it/my page.md"] == "https://wiki.example.com/docs/it/my%20page.html"
    assert urls["b.htm"] == "https://wiki.example.com/docs/b.htm"
    assert (
        urls["hr/leave-policy_2026.txt"] == "https://wiki.example.com/docs/hr/leave-policy_2026.txt"
    )


def test_bad_files_are_recorded_and_the_run_goes_on(wiki, caplog):
    (wiki / "broken.md").symlink_to(wiki / "missing.md")
    write(wiki, "binary.md", b"# Title\x00\x01\x02")
    write(wiki, "latin1.txt", "café crème".encode("latin-1"))
    write(wiki, "empty.md", "  \n\n")
    (wiki / "folder.md").mkdir()
    write(wiki, "folder.md/inside.md", "# Inside\n\nok")
    source = FilesSource(wiki)
    ids = [d.doc_id for d in source.iter_documents()]
    assert "folder.md/inside.md" in ids and "it/vpn.md" in ids
    assert not {"broken.md", "binary.md", "latin1.txt", "empty.md"} & set(ids)
    prefix = f"files:{wiki.resolve()}"
    assert source.errors == [
        f"{prefix} binary.md: cannot read: binary file (contains NUL bytes)",
        f"{prefix} broken.md: cannot read: No such file or directory",
        f"{prefix} latin1.txt: cannot read: not UTF-8 text (bad byte at offset 3)",
    ]
    assert source.failed_ids == ["binary.md", "broken.md", "latin1.txt"]
    assert source.skipped == [f"{prefix} empty.md: empty file"]
    assert "broken.md" in caplog.text and "empty.md" in caplog.text


def test_large_files_warn_and_huge_files_are_refused(wiki, monkeypatch):
    monkeypatch.setattr(files_module, "WARN_BYTES", 20)
    monkeypatch.setattr(files_module, "MAX_BYTES", 60)
    write(wiki, "big.txt", "x" * 40)
    write(wiki, "huge.txt", "y" * 80)
    source = FilesSource(wiki / "big.txt")
    assert [d.doc_id for d in source.iter_documents()] == ["big.txt"]
    assert source.warnings and "big.txt: large file" in source.warnings[0]
    source = FilesSource(wiki)
    ids = [d.doc_id for d in source.iter_documents()]
    assert "big.txt" in ids and "huge.txt" not in ids
    assert any("huge.txt" in e and "over the" in e for e in source.errors)


@pytest.mark.parametrize(
    "raw, text",
    [
        ("\ufeff# BOM".encode(), "# BOM"),
        ("# UTF-16 é".encode("utf-16"), "# UTF-16 é"),
    ],
)
def test_byte_order_marks(tmp_path, raw, text):
    write(tmp_path, "page.md", raw)
    (doc,) = FilesSource(tmp_path).iter_documents()
    assert doc.body == text


def test_missing_root_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="no such file or folder"):
        list(FilesSource(tmp_path / "nope").iter_documents())


@pytest.mark.parametrize(
    "name, title",
    [("vpn-setup_guide.md", "Vpn setup guide"), ("README.md", "Team"), ("FAQ.md", "FAQ")],
)
def test_humanise(name, title):
    assert humanise(Path("/w/team") / name) == title


# --- open_source -------------------------------------------------------------------------------


def test_open_source_paths(wiki):
    for spec in (str(wiki), f"files:{wiki}"):
        source = build_source(spec, Settings())
        assert isinstance(source, FilesSource) and source.spec == f"files:{wiki.resolve()}"


def test_open_source_unknown_path_says_what_is_accepted(tmp_path):
    with pytest.raises(SourceError, match=r"neither `confluence:SPACEKEY` nor an existing"):
        build_source(str(tmp_path / "typo"), Settings())


def test_open_source_confluence_spaces():
    settings = Settings(confluence_url="https://acme.atlassian.net/wiki", confluence_pat="secret")
    source = build_source("confluence:HR, ENG", settings)
    assert type(source).__name__ == "ConfluenceSource"
    assert source.requested == ("HR", "ENG")
