"""The benchmark's corpora, built from Debian documentation packages (nothing else downloaded).

    python -m bench.quality.corpora          # fetch and unpack into bench/corpus/ (gitignored)

- git: the HTML manual pages and guides of `git-doc` (git-*.html, gitfaq, gittutorial, …),
  without the one-page User Manual and the release notes, so each question's answer
  lives on the page(s) named for it.
- handbook: "The Debian Administrator's Handbook" (`debian-handbook`), English HTML, one
  page per section.

Each corpus is a plain folder of HTML pages (`bench/corpus/<name>/wiki`), ingested by the
same files source as a real wiki; a page's doc_id is its file name. The packages are
fetched with `apt-get download` and unpacked with `dpkg-deb -x` (no root, nothing
installed system-wide).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CACHE = ROOT / "bench" / "corpus"


@dataclass(frozen=True)
class Corpus:
    name: str
    package: str
    folder: str  # inside the unpacked package
    pattern: str
    exclude: tuple[str, ...] = ()

    @property
    def wiki(self) -> Path:
        return CACHE / self.name / "wiki"

    def pages(self, unpacked: Path) -> list[Path]:
        found = sorted((unpacked / self.folder).glob(self.pattern))
        return [p for p in found if p.is_file() and p.name not in self.exclude]


CORPORA = {
    "git": Corpus(
        "git",
        "git-doc",
        "usr/share/doc/git-doc",
        "*.html",
        exclude=("user-manual.html", "RelNotes.html", "index.html"),
    ),
    "handbook": Corpus(
        "handbook",
        "debian-handbook",
        "usr/share/doc/debian-handbook/html/en-US",
        "*.html",
        exclude=("index.html", "ix01.html"),
    ),
}


def build(corpus: Corpus, *, quiet: bool = False) -> Path:
    """The corpus's wiki folder, fetched and unpacked on first use."""
    if corpus.wiki.is_dir() and any(corpus.wiki.iterdir()):
        return corpus.wiki
    work = CACHE / corpus.name
    package_dir = work / "deb"
    package_dir.mkdir(parents=True, exist_ok=True)
    debs = sorted(package_dir.glob(f"{corpus.package}_*.deb"))
    if not debs:
        _run(["apt-get", "download", corpus.package], package_dir, quiet)
        debs = sorted(package_dir.glob(f"{corpus.package}_*.deb"))
    if not debs:
        sys.exit(f"apt-get download {corpus.package} fetched nothing (is apt configured?)")
    unpacked = work / "unpacked"
    _run(["dpkg-deb", "-x", str(debs[-1]), str(unpacked)], work, quiet)
    tmp = work / "wiki.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for page in corpus.pages(unpacked):
        shutil.copyfile(page, tmp / page.name)
    (tmp / ".deskbot-base-url").write_text(f"https://{corpus.name}.bench.example/\n")
    tmp.replace(corpus.wiki)
    shutil.rmtree(unpacked, ignore_errors=True)
    return corpus.wiki


def _run(command: list[str], cwd: Path, quiet: bool) -> None:
    try:
        subprocess.run(command, cwd=cwd, check=True, capture_output=quiet)
    except (OSError, subprocess.CalledProcessError) as exc:
        sys.exit(f"{' '.join(command)} failed: {exc}")


def main() -> None:
    for corpus in CORPORA.values():
        wiki = build(corpus)
        print(f"{corpus.name}: {sum(1 for _ in wiki.glob('*.html'))} pages in {wiki}")


if __name__ == "__main__":
    main()
