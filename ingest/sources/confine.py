"""Reading files of a folder without leaving it: links confined, regular files only.

A wiki folder is written by its editors (often a git checkout, and git stores
symlinks), so its files are untrusted: `passwd.txt -> /etc/passwd` must not put
/etc/passwd into the index, and a named pipe called `pipe.md` must not block
ingest (which holds the index lock) for ever. So every path is resolved (links
followed, `..` collapsed) and must stay inside the folder; only a regular file
is opened, without following a last-moment link and without blocking, and its
type and size are checked again on the open descriptor.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from deskbot.core import messages

_KINDS = (
    (stat.S_ISFIFO, "named pipe"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISDIR, "folder"),
)
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC


class Refused(Exception):
    """A path deskbot will not read (the message says why); never retried."""


class TooLarge(Exception):
    """A regular file over the size limit."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def inside(root: Path, real: Path) -> bool:
    return real == root or real.is_relative_to(root)


def confined(root: Path, path: Path) -> Path:
    """The real location of `path` (links followed, `..` resolved); Refused when outside `root`.

    `root` must already be resolved. A broken link resolves to where it points, so reading
    it then fails as a missing file.
    """
    real = Path(os.path.realpath(path))
    if not inside(root, real):
        raise Refused(messages.FILES_LINK_OUTSIDE)
    return real


def kind_of(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "special file")


def check_regular(real: Path) -> os.stat_result:
    """stat of a regular file; Refused for pipes, sockets, devices and folders."""
    info = os.stat(real)
    if not stat.S_ISREG(info.st_mode):
        raise Refused(messages.FILES_NOT_REGULAR.format(kind=kind_of(info.st_mode)))
    return info


def read_regular(real: Path, max_bytes: int) -> tuple[bytes, os.stat_result]:
    """(bytes, stat) of the regular file at the resolved path `real`.

    Opened with O_NONBLOCK (a pipe swapped in after the check cannot block) and O_NOFOLLOW
    (nor can a link swapped in for the last component); the descriptor is checked again.
    Raises Refused, TooLarge or OSError.
    """
    info = check_regular(real)
    if info.st_size > max_bytes:
        raise TooLarge(info.st_size)
    with os.fdopen(os.open(real, _OPEN_FLAGS), "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Refused(messages.FILES_NOT_REGULAR.format(kind=kind_of(info.st_mode)))
        data = handle.read(max_bytes + 1)  # O_NONBLOCK changes nothing for a regular file
    if len(data) > max_bytes:  # it grew after the check
        raise TooLarge(len(data))
    return data, info
