"""One serving process: the shared runtime, every configured transport, the control socket.

`serve_until_stopped` starts the control socket, the optional health port and each
transport, waits for a stop signal or a transport's fatal failure, then stops taking
messages, drains what was accepted (answers, a reindex, replies a transport still
holds: bot/serve/shutdown.py) and closes the runtime.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

from bot.serve.control import ControlServer
from bot.serve.health import HealthServer, checks_for
from bot.serve.runtime import Runtime
from bot.serve.shutdown import Shutdown, _flush, drain
from bot.serve.transport import Transport
from deskbot.core import messages

log = logging.getLogger("bot.serve")

TRANSPORT_STOP_TIMEOUT = 5.0


def serve_until_stopped(
    runtime: Runtime,
    transports: Sequence[Transport],
    shutdown: Shutdown,
    *,
    health_host: str = "0.0.0.0",
) -> Exception | None:
    """Serve until SIGTERM/SIGINT (returns None) or a fatal transport failure (returned)."""
    settings = runtime.settings
    runtime.transports = list(transports)
    control = ControlServer(runtime, settings.control_socket_path)
    control.start()
    health = None
    if settings.health_port is not None:
        checks = checks_for(runtime.health, transports)
        health = HealthServer(checks, host=health_host, port=settings.health_port).start()
    if not shutdown.requested.is_set():  # a signal while loading: start nothing
        for transport in transports:
            transport.start()
    failure = shutdown.wait(transports)
    in_flight = runtime.jobs.in_flight()
    for transport in transports:
        transport.stop(TRANSPORT_STOP_TIMEOUT)
    control.close()
    drained = drain(runtime, transports, settings.shutdown_grace, in_flight)
    if health is not None:
        health.close()
    log.info(
        messages.SERVE_STOPPED.format(
            signal=shutdown.reason,
            finished=drained.finished,
            abandoned=drained.abandoned,
            grace=settings.shutdown_grace,
            reindex=messages.SERVE_REINDEX_CUT if drained.reindex_running else "",
            undelivered="".join(
                messages.SERVE_UNDELIVERED.format(count=count, transport=name)
                for name, count in drained.undelivered.items()
            ),
        )
    )
    if drained.abandoned or drained.reindex_running:
        _flush()  # threads still run work that cannot be waited for: leave without joining them
        os._exit(1 if failure else 0)
    runtime.close()
    return failure
