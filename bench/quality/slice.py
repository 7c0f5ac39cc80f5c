"""Build the small committed slice of the benchmark that the test suite runs on.

    python -m bench.quality.slice    # writes tests/data/bench_slice/

A few dozen pages of each corpus (those the multilingual test questions need, plus
near neighbours as distractors), stripped of their stylesheets and scripts, and every
benchmark question (both halves) that one of those pages answers. The pages are
third-party documentation under their own licences (see the slice's README.md).
"""

from __future__ import annotations

import json
import re
import shutil

from bench.quality import questions as qs
from bench.quality.corpora import CORPORA, ROOT, build

SLICE = ROOT / "tests" / "data" / "bench_slice"
PAGES = {
    "git": (
        "git-annotate.html git-archive.html git-bundle.html git-cherry-pick.html "
        "git-clean.html git-describe.html git-fsck.html git-mv.html git-rerere.html "
        "git-reset.html git-restore.html git-revert.html git-rm.html git-stash.html gitk.html"
    ).split(),
    "handbook": (
        "sect.asynchronous-task-scheduling-anacron.html sect.backup.html "
        "sect.config-printing.html sect.creating-accounts.html sect.dhcp.html "
        "sect.dist-upgrade.html sect.hostname-name-service.html sect.nfs-file-server.html "
        "sect.quotas.html sect.regular-upgrades.html sect.syslog.html "
        "sect.task-scheduling-cron-atd.html sect.user-group-databases.html "
        "sect.windows-file-server-with-samba.html"
    ).split(),
}
_STRIP = re.compile(r"<(style|script)\b.*?</\1\s*>", re.S | re.I)


def main() -> None:
    for name, pages in PAGES.items():
        wiki = build(CORPORA[name], quiet=True)
        target = SLICE / name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        (target / ".deskbot-base-url").write_text(f"https://{name}.bench.example/\n")
        for page in pages:
            html = (wiki / page).read_text(encoding="utf-8")
            (target / page).write_text(_STRIP.sub("", html), encoding="utf-8")
        chosen = [q for q in qs.covered(name) if set(q.pages) & set(pages)]
        rows = [{"id": q.id, "question": q.question, "pages": list(q.pages)} for q in chosen]
        lines = [json.dumps(r, ensure_ascii=False) for r in rows]
        (SLICE / f"{name}.jsonl").write_text("\n".join(lines) + "\n")
        print(f"{name}: {len(pages)} pages, {len(rows)} questions")


if __name__ == "__main__":
    main()
