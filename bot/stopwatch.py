"""Wall-clock and CPU time per named stage of one piece of work (a search: embed, index, …).

CPU time is the process's (time.process_time): it includes the threads a stage hands work
to (ONNX Runtime's, the index engine's), and, in a process that serves several requests at
once, theirs too, so read it from a benchmark that runs one search at a time.
"""

from __future__ import annotations

import time


class Stopwatch:
    """Laps: each `lap(name)` adds the time since the previous lap (or the start) to `name`."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}  # seconds per stage
        self.cpu: dict[str, float] = {}
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.wall[name] = self.wall.get(name, 0.0) + wall - self._wall
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu - self._cpu
        self._wall, self._cpu = wall, cpu
