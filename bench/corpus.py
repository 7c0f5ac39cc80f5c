"""The benchmark corpus: real HTML pages from Debian's Python documentation.

`apt-get install python3.11-doc` puts ~1,600 HTML pages under /usr/share/doc.
BENCH_CORPUS may point at any other folder of HTML pages.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

CANDIDATES = (
    "/usr/share/doc/python3.11-dev/html",
    "/usr/share/doc/python3.11/html",
    "/usr/share/doc/python3-doc/html",
)


def find_corpus() -> Path:
    configured = os.environ.get("BENCH_CORPUS")  # bench-only knob, not an app setting
    for candidate in ([configured] if configured else []) + list(CANDIDATES):
        path = Path(candidate)
        if path.is_dir() and any(path.rglob("*.html")):
            return path
    sys.exit(
        "No HTML corpus found. Install one with `sudo apt-get install python3.11-doc` "
        "or set BENCH_CORPUS to a folder of HTML pages."
    )


def sample_pages(dest: Path, count: int) -> Path:
    """Copy the first `count` pages (sorted, so every run uses the same set) into dest."""
    source = find_corpus()
    pages = sorted(p for p in source.rglob("*.html") if p.stat().st_size > 2_000)[:count]
    for page in pages:
        target = dest / page.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target)
    return dest
