"""A folder of Markdown, HTML and text files as a source (`deskbot ingest ./wiki`).

- Files: *.md, *.markdown, *.html, *.htm, *.txt (any case), found recursively in sorted
  order; hidden files and folders (".git", ".obsidian") are skipped, symlinked folders
  are not followed (no loops).
- Confinement (ingest/sources/confine.py): every path is resolved (links followed, `..`
  collapsed) and never read when it lands outside the folder; only regular files are
  opened (named pipes, sockets and devices are refused without opening them). A link to
  a file inside the folder is read, once: a link to a file that is indexed under its own
  name is skipped.
- doc_id: the path relative to the root, with "/" separators. Source spec: "files:" +
  the resolved absolute root.
- title: Markdown front-matter `title:`, else the first H1; HTML the first <h1> when
  <title> contains it ("VPN" beats "VPN | Acme Wiki"), else <title>, else the first
  <h1>; otherwise the file name made readable ("vpn-setup" -> "Vpn setup"; index.md and
  README.md take their folder's name).
- url: a file:// URI. If the folder holds a `.deskbot-base-url` file with a line like
  `https://wiki.example.com/`, links are that base + the relative path, with .md and
  .markdown turned into .html (the shape of static-site generators such as MkDocs).
  Without one, a run says so once in `warnings` (chat front ends cannot open file links).
- Bad files never stop the run. Problems are logged and listed, naming the file:
  `errors` for files that could not be read (broken link, not UTF-8/UTF-16 text, NUL
  bytes, over MAX_BYTES = 50 MB; their ids are also in `failed_ids`, so a sync keeps
  what it stored for them), `skipped` for empty files (a sync then drops their old
  chunks) and for paths refused by confinement (also dropped: a file that became a link
  out of the folder leaves the index), `warnings` for files over WARN_BYTES = 5 MB,
  which are still indexed.
"""

from __future__ import annotations

import codecs
import html
import logging
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from deskbot.core import messages
from deskbot.core.errors import SourceError
from ingest.document import Document
from ingest.sources.confine import Refused, TooLarge, check_regular, confined, read_regular

log = logging.getLogger("deskbot.sources.files")

FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
}
WARN_BYTES = 5 * 1024 * 1024
MAX_BYTES = 50 * 1024 * 1024
BASE_URL_FILE = ".deskbot-base-url"


class FilesSource:
    """Documents from the supported files under `root` (a folder, or a single file)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser().resolve()
        self.spec = f"files:{self.root}"
        self.errors: list[str] = []
        self.skipped: list[str] = []
        self.warnings: list[str] = []
        self.failed_ids: list[str] = []  # unreadable files: sync keeps what it stored for them

    @property
    def total(self) -> int | None:
        """How many files a run will look at (for the progress bar's ETA)."""
        return sum(1 for _ in self.paths()) if self.root.exists() else None

    def iter_documents(self) -> Iterator[Document]:
        """Yield one Document per readable file; record the others in errors/skipped."""
        if not self.root.exists():
            raise SourceError(f"{self.spec}: no such file or folder")
        top = self.root if self.root.is_dir() else self.root.parent
        base_url = read_base_url(top)
        paths = list(self.paths())
        own = {p for p in paths if not p.is_symlink()}  # files read under their own name
        linked: set[Path] = set()  # files already read through a link
        found = 0
        for path in paths:
            rel = path.relative_to(top).as_posix()
            try:
                real = self._admit(path, own, linked, top)
            except Refused as exc:
                self._skip(rel, str(exc))
                continue
            if real is not None and (doc := self.read(real, path, rel, base_url)) is not None:
                found += 1
                yield doc
        if found and not base_url:
            self.warnings.append(messages.FILES_NO_WEB_ADDRESS.format(spec=self.spec, root=top))

    def paths(self) -> Iterator[Path]:
        """Supported files and links to folders, in a stable order (sorted per folder, depth
        first). Links to folders are listed (to be checked), never walked into."""
        if self.root.is_file():
            yield self.root
            return
        for folder, dirs, files in os.walk(self.root, onerror=self._walk_error):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            links = [d for d in dirs if os.path.islink(os.path.join(folder, d))]
            for name in sorted(files + links):
                supported = Path(name).suffix.lower() in FORMATS or name in links
                if not name.startswith(".") and supported:
                    yield Path(folder) / name

    def _admit(self, path: Path, own: set[Path], linked: set[Path], top: Path) -> Path | None:
        """The real path to read, None to pass over silently; Refused says why not."""
        if path in own:
            return path  # not a link, found by walking the resolved root: already real
        try:
            real = confined(self.root, path)
            if real.is_dir():
                return None  # a link to a folder inside: its files are read where they are
            check_regular(real)
        except OSError:
            return path  # a broken link or a loop: reading it reports why
        if real in own or real in linked:
            raise Refused(messages.FILES_DUPLICATE_LINK.format(target=real.relative_to(top)))
        linked.add(real)
        return real

    def read(self, real: Path, path: Path, rel: str, base_url: str) -> Document | None:
        """One file (at its real location `real`) -> Document, or None after recording why not."""
        try:
            data, info = read_regular(real, MAX_BYTES)
            text = decode(data)
        except Refused as exc:
            self._skip(rel, str(exc))
            return None
        except TooLarge as exc:
            limit = MAX_BYTES // 2**20
            self._error(rel, f"{exc.size / 2**20:.0f} MB is over the {limit} MB limit")
            return None
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._error(rel, f"cannot read: {reason}")
            return None
        if not text.strip():
            self._skip(rel, "empty file")
            return None
        if info.st_size > WARN_BYTES:
            megabytes = info.st_size / 2**20
            self.warnings.append(f"{self.spec} {rel}: large file ({megabytes:.1f} MB), indexed")
            log.warning("%s is large (%.1f MB); indexing it anyway", path, megabytes)
        fmt = FORMATS[path.suffix.lower()]
        return Document(
            source=self.spec,
            doc_id=rel,
            title=find_title(text, fmt) or humanise(path),
            body=text,
            format=fmt,
            url=file_url(path, rel, base_url),
            updated_at=datetime.fromtimestamp(info.st_mtime, tz=UTC).isoformat(timespec="seconds"),
            breadcrumb=tuple(Path(rel).parts[:-1]),
        )

    def _skip(self, rel: str, reason: str) -> None:
        self.skipped.append(f"{self.spec} {rel}: {reason}")
        log.warning("Skipping %s %s: %s", self.spec, rel, reason)

    def _error(self, rel: str, reason: str) -> None:
        message = f"{self.spec} {rel}: {reason}"
        self.errors.append(message)
        self.failed_ids.append(rel)
        log.warning("Skipping %s", message)

    def _walk_error(self, exc: OSError) -> None:
        self.errors.append(f"{self.spec}: cannot list {exc.filename}: {exc.strerror}")
        log.warning("Cannot list %s: %s", exc.filename, exc.strerror)


def decode(data: bytes) -> str:
    """Bytes -> text: UTF-8 (BOM optional) or UTF-16 with a BOM; ValueError otherwise."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    elif b"\x00" in data:
        raise ValueError("binary file (contains NUL bytes)")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"not UTF-8 text (bad byte at offset {exc.start})") from None
    if "\x00" in text:
        raise ValueError("binary file (contains NUL characters)")
    return text


# --- titles ---------------------------------------------------------------------------

_ATX_H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_TAG = re.compile(r"<[^>]+>")
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.I | re.S)
_HTML_H1 = re.compile(r"<h1[^>]*>(.*?)</h1\s*>", re.I | re.S)


def find_title(text: str, fmt: str) -> str:
    if fmt == "markdown":
        return markdown_title(text)
    if fmt == "html":
        return html_title(text)
    return ""


def markdown_title(text: str) -> str:
    """Front-matter `title:`, else the first `# H1` (or setext H1) outside code fences."""
    from ingest.parse_markdown import split_front_matter

    meta, body = split_front_matter(text)
    if meta.get("title"):
        return meta["title"]
    in_fence, previous = False, ""
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            match = _ATX_H1.match(line)
            if match:
                return _plain(match.group(1))
            if previous.strip() and re.fullmatch(r" {0,3}=+\s*", line):
                return _plain(previous)
        previous = "" if in_fence else line
    return ""


def html_title(text: str) -> str:
    title = _first(_HTML_TITLE, text)
    h1 = _first(_HTML_H1, text)
    if h1 and (not title or h1.casefold() in title.casefold()):
        return h1
    return title


def _first(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return _plain(_TAG.sub(" ", match.group(1))) if match else ""


def _plain(text: str) -> str:
    return " ".join(html.unescape(text).replace("`", "").split())


def humanise(path: Path) -> str:
    """'vpn-setup_guide.md' -> 'Vpn setup guide'; 'hr/index.md' -> 'Hr'."""
    stem = path.stem
    if stem.lower() in {"index", "readme"} and path.parent.name:
        stem = path.parent.name
    words = " ".join(re.sub(r"[-_]+", " ", stem).split())
    return words[:1].upper() + words[1:] if words else stem


# --- links ----------------------------------------------------------------------------


def read_base_url(root: Path) -> str:
    """The base URL from `root/.deskbot-base-url`, with a trailing '/', or ''."""
    try:
        lines = (root / BASE_URL_FILE).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    url = next((line.strip() for line in lines if line.strip()), "")
    if not url.startswith(("http://", "https://")):
        if url:
            log.warning("Ignoring %s: %r is not an http(s) URL", root / BASE_URL_FILE, url)
        return ""
    return url if url.endswith("/") else url + "/"


def file_url(path: Path, rel: str, base_url: str) -> str:
    if not base_url:
        return path.absolute().as_uri()
    stem, dot, ext = rel.rpartition(".")
    if ext.lower() in ("md", "markdown"):
        rel = f"{stem}.html"
    return base_url + quote(rel, safe="/")
