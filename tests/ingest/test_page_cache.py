"""An opened Edge index has its files in the page cache, whatever closing it dropped.

Residency is asked of the kernel with mincore(2) on a mapping the test never touches.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from ingest.document import point_id
from ingest.index import PointData, open_index
from ingest.page_cache import read_into_page_cache
from ingest.sparse import BM25Encoder

BM25 = BM25Encoder()
MB = 2**20
_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int]
_libc.mmap.argtypes += [ctypes.c_int, ctypes.c_long]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]


def cached_share(path: Path) -> float:
    """The share of `path`'s data pages (holes left out) in the page cache; 1.0 if none."""
    size = path.stat().st_size
    pages = -(-size // mmap.PAGESIZE)
    fd = os.open(path, os.O_RDONLY)
    try:
        data = _data_pages(fd, size)
        if not data:
            return 1.0
        address = _libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        assert address not in (None, ctypes.c_void_p(-1).value), "mmap failed"
        try:
            vector = (ctypes.c_ubyte * pages)()
            assert _libc.mincore(address, size, vector) == 0, "mincore failed"
            return sum(vector[page] & 1 for page in data) / len(data)
        finally:
            _libc.munmap(address, size)
    finally:
        os.close(fd)


def _data_pages(fd: int, size: int) -> list[int]:
    pages, offset = [], 0
    while offset < size:
        try:
            start = os.lseek(fd, offset, os.SEEK_DATA)
        except OSError:  # no data after offset
            break
        offset = os.lseek(fd, start, os.SEEK_HOLE)
        pages += range(start // mmap.PAGESIZE, -(-offset // mmap.PAGESIZE))
    return pages


def evict(paths: list[Path]) -> None:
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)  # dirty pages cannot be dropped
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    if all(cached_share(p) == 1.0 for p in paths if p.stat().st_size):
        pytest.skip("this file system keeps files in memory (tmpfs): nothing to read back")


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def test_reopening_an_edge_index_reads_its_files_back_into_the_page_cache(tmp_path):
    rng = np.random.default_rng(3)
    with open_index(collection="t", path=tmp_path / "qdrant") as index:
        index.ensure("model-a", 64, BM25.params())
        points = []
        for n in range(3000):
            dense = rng.normal(size=64).astype(np.float32)
            text = f"page {n} about topic {n % 37} and the VPN client number {n}"
            points.append(
                PointData(
                    point_id("files:/wiki", f"p{n}.md", 0),
                    dense / np.linalg.norm(dense),
                    BM25.encode_document(text),
                    {"source": "files:/wiki", "doc_id": f"p{n}.md", "text": text},
                )
            )
        index.upsert(points)
        index.optimize()
    segments = tmp_path / "qdrant" / "t" / "shard" / "segments"
    # what searches map: vectors, their indexes, payloads (Edge reads its id tracker into
    # memory at load and drops that file from the cache itself)
    stored = [
        p
        for p in files(segments)
        if p.stat().st_blocks * 512 >= 64 * 1024
        and any(part.startswith(("vector_", "payload_")) for part in p.relative_to(segments).parts)
    ]
    assert len(stored) >= 3, "the shard wrote too few segment files"
    evict(stored)  # what Edge's own close() does (it is not to be relied on either way)
    assert max(cached_share(p) for p in stored) < 0.5

    with open_index(collection="t", path=tmp_path / "qdrant") as index:
        assert index.count() == 3000
        assert {p.name: cached_share(p) for p in stored} == {p.name: 1.0 for p in stored}


def test_the_search_structures_come_first_and_the_budget_holds(tmp_path):
    folder = tmp_path / "payload_storage-of-a-wiki"  # the ranks read names inside it only
    names = ["payload_storage/page_0.dat", "misc/big.bin", "vector_index-dense/graph.bin"]
    for n, name in enumerate(names):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(bytes([n + 1]) * (8 * MB))
    evict([folder / name for name in names])

    assert read_into_page_cache(folder, budget=9 * MB) == 9 * MB

    shares = {name: cached_share(folder / name) for name in names}
    assert shares["vector_index-dense/graph.bin"] == 1.0  # FIRST's order, not the folder's
    assert 0 < shares["payload_storage/page_0.dat"] < 1.0  # the budget ran out in it
    assert shares["misc/big.bin"] < 0.5


def test_links_out_of_the_folder_and_pipes_are_not_read(tmp_path):
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"x" * (256 * 1024))
    folder = tmp_path / "segments"
    folder.mkdir()
    (folder / "vector_index-dense").symlink_to(tmp_path, target_is_directory=True)
    (folder / "payload_storage.dat").symlink_to(outside)
    os.mkfifo(folder / "vector_storage-dense.pipe")  # opening it would wait for a writer
    (folder / "real.dat").write_bytes(b"y" * 4096)
    evict([outside])

    done: list[int] = []
    reader = threading.Thread(target=lambda: done.append(read_into_page_cache(folder)))
    reader.start()
    reader.join(10)
    assert done == [4096]
    assert cached_share(outside) < 0.5
