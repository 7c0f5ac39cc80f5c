"""The control socket: how the CLI reaches a running `deskbot serve`.

A Unix domain socket (no network port) at CONTROL_SOCKET, by default
DESKBOT_DATA_DIR/run/deskbot.sock. Its folder is created 0700 and the socket is 0600, so
only the bot's own user (and root) can connect; each connection's peer uid is checked
as well. Wire format: bot/serve/control_wire.py.

A socket file left by a bot that died is stale: nothing accepts on it. At start the
server connects to it first: refused means stale (the file is removed and bound
again); accepted means another bot serves there, and this one runs without a control
socket rather than steal it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import socketserver
import stat
import struct
import threading
from pathlib import Path

from bot.serve.control_ops import OPERATIONS
from bot.serve.control_wire import (
    MAX_REQUEST,
    VERSION,
    ControlError,
    WireError,
    encode,
    probe,
    read_message,
)
from bot.serve.runtime import Runtime
from deskbot.core import messages
from deskbot.core.errors import DeskbotError

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 10.0  # seconds a client gets to send its request line
MAX_CLIENTS = 8  # connections served at once; more are told to wait
UNIX_PATH_MAX = 107  # bytes, Linux sun_path minus the terminating NUL


class ControlServer:
    def __init__(self, runtime: Runtime, path: Path) -> None:
        self.runtime, self.path = runtime, Path(path)
        self._server: socketserver.ThreadingUnixStreamServer | None = None
        self._slots = threading.BoundedSemaphore(MAX_CLIENTS)

    def start(self) -> bool:
        """Listen; False (with a warning) when this bot cannot have the socket."""
        problem = self._prepare()
        if problem:
            log.warning(messages.CONTROL_UNAVAILABLE.format(path=self.path, reason=problem))
            return False
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                owner._serve(self.request, self.rfile)

        server = socketserver.ThreadingUnixStreamServer(str(self.path), Handler)
        server.daemon_threads = True
        os.chmod(self.path, 0o600)
        self._server = server
        threading.Thread(target=server.serve_forever, name="deskbot-control", daemon=True).start()
        log.info("control socket listening at %s (deskbot search/ask/status/ingest)", self.path)
        return True

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    # --- start-up --------------------------------------------------------------------
    def _prepare(self) -> str | None:
        """Make the 0700 folder and clear a stale socket; the reason if we cannot listen."""
        if len(os.fsencode(self.path)) > UNIX_PATH_MAX:
            return f"the path is longer than {UNIX_PATH_MAX} bytes; set CONTROL_SOCKET shorter"
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.stat()
        if info.st_uid != os.getuid():
            return f"{folder} belongs to another user"
        os.chmod(folder, 0o700)
        if not os.path.lexists(self.path):
            return None
        if not stat.S_ISSOCK(os.lstat(self.path).st_mode):
            return "a file that is not a socket is in the way"
        if probe(self.path, 1.0) is None:
            return "another deskbot serve is listening there"
        self.path.unlink()
        log.info("removed a stale control socket at %s", self.path)
        return None

    # --- one connection --------------------------------------------------------------
    def _serve(self, conn: socket.socket, rfile) -> None:
        send = _sender(conn)
        if not _same_user(conn):
            send({"type": "error", "code": "forbidden", "message": "not the bot's user"})
            return
        if not self._slots.acquire(blocking=False):
            send({"type": "error", "code": "busy", "message": messages.CONTROL_TOO_MANY})
            return
        try:
            conn.settimeout(REQUEST_TIMEOUT)
            request = read_message(rfile, MAX_REQUEST)
            conn.settimeout(None)
            if request is not None:
                self._run(request, send)
        except (WireError, TimeoutError) as exc:
            send({"type": "error", "code": "bad_request", "message": str(exc) or "timed out"})
        except OSError:
            pass  # the CLI went away; an ingest it started still runs to its end
        finally:
            self._slots.release()

    def _run(self, request: dict, send) -> None:
        op = OPERATIONS.get(str(request.get("op")))
        if request.get("v") != VERSION or op is None:
            send({"type": "error", "code": "bad_request", "message": "unknown operation"})
            return
        args = request.get("args")
        args = args if isinstance(args, dict) else {}
        try:
            send({"type": "result", "data": op(self.runtime, args, send)})
        except ControlError as exc:
            send({"type": "error", "code": exc.code, "message": str(exc)})
        except DeskbotError as exc:
            send({"type": "error", "code": "failed", "message": str(exc)})
        except Exception:
            log.exception("control request %r failed", request.get("op"))
            send({"type": "error", "code": "crashed", "message": messages.CONTROL_CRASHED})


def _sender(conn: socket.socket):
    lock = threading.Lock()
    gone = threading.Event()

    def send(message: dict) -> None:
        if gone.is_set():
            return
        with lock:
            try:
                conn.sendall(encode(message))
            except OSError:
                gone.set()

    return send


def _same_user(conn: socket.socket) -> bool:
    """The peer runs as the bot's user (or root): SO_PEERCRED where the OS has it."""
    if not hasattr(socket, "SO_PEERCRED"):
        return True  # the 0700 folder is the guard there
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid in (os.getuid(), 0)
