"""Reading an index's files into the kernel's page cache when the index is opened.

Qdrant Edge drops its files from the page cache when a shard is closed (measured at
100k chunks: 0 of its 320 MB still cached after `close()`), so the next process to open
the index (a restarted bot, every `deskbot ask`) met the disk on its first searches:
each first touch of a mapped page was a read (index stage of a question's first search,
p95 14 ms against 0.7 ms once cached; bench.search_latency). Reading the files once, in
order, took 0.17 s at 100k chunks here, and the first searches are then as fast as any.

The pages read are the kernel's cache, not the process's memory: they count towards a
process only once a search maps them (as before), and the kernel reclaims them under
memory pressure. Only regular files under the folder are read (no links followed, no
pipes), the index's search structures first, at most `budget` bytes in all.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("ingest.page_cache")

BUDGET = 512 * 2**20  # ~150k chunks' files: about a quarter of a second to read here
CHUNK = 2**20
# What a search touches most per byte comes first; anything else after, largest last.
FIRST = ("vector_index", "payload_index", "id_tracker", "vector_storage-dense", "payload_storage")


def read_into_page_cache(folder: Path, budget: int = BUDGET) -> int:
    """Read the regular files under `folder` (in FIRST's order) up to `budget` bytes."""
    done = 0
    buffer = bytearray(CHUNK)
    for path in _files_in_order(folder):
        if done >= budget:
            break
        try:
            done += _read(path, buffer, budget - done)
        except OSError as exc:  # a file that went away or cannot be read: only slower
            log.debug("not read ahead: %s (%s)", path, exc.strerror or exc)
    return done


def _files_in_order(folder: Path) -> list[Path]:
    files: list[tuple[int, int, Path]] = []
    for root, _dirs, names in os.walk(folder):  # os.walk follows no directory links
        for name in names:
            path = Path(root, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                inside = str(path.relative_to(folder))  # not the folder's own name
                rank = next((n for n, part in enumerate(FIRST) if part in inside), len(FIRST))
                files.append((rank, info.st_size, path))
    return [path for _rank, _size, path in sorted(files)]


def _read(path: Path, buffer: bytearray, limit: int) -> int:
    """Read `path`'s data (holes skipped where the system says where they are), <= limit."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for something else meanwhile
            return 0
        done = 0
        for start, end in _data_ranges(fd):
            offset = start
            while offset < end and done < limit:
                want = min(CHUNK, end - offset, limit - done)
                got = os.preadv(fd, [memoryview(buffer)[:want]], offset)
                if got <= 0:
                    break
                offset, done = offset + got, done + got
        return done
    finally:
        os.close(fd)


def _data_ranges(fd: int) -> list[tuple[int, int]]:
    """The file's (start, end) ranges holding data; the whole file where holes are unknown."""
    size = os.fstat(fd).st_size
    if not hasattr(os, "SEEK_DATA"):
        return [(0, size)]
    ranges, offset = [], 0
    try:
        while offset < size:
            start = os.lseek(fd, offset, os.SEEK_DATA)
            end = os.lseek(fd, start, os.SEEK_HOLE)
            ranges.append((start, end))
            offset = end
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # no data after `offset`
            return ranges
        return [*ranges, (offset, size)]  # this file system cannot say: read the rest
    return ranges
