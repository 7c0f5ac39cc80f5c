"""Handing freed heap back to the OS (glibc), after work that allocates a lot and frees it.

glibc keeps freed memory in its heaps for reuse, so a process that once held a big
temporary (an ONNX batch's activations, Qdrant Edge replaying its write-ahead log on
open, a model file read and parsed) keeps that much resident for good. `malloc_trim(0)`
returns the free pages of every heap: a few milliseconds, nothing else changes. On a C
library without it (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def _libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def give_back_memory() -> bool:
    """Return the heap's free pages to the OS; False where the C library cannot."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
