"""What every benchmark shares about the machine it runs on."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# The ONNX export of the embedding model, prepared once and kept between benchmark runs.
MODELS = Path(tempfile.gettempdir()) / "deskbot-bench-models"


def load_average() -> str:
    """How busy the machine is: figures measured under load read differently."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} CPUs"
