"""Model ids: the base of a fine-tuned id, the family of a snapshot, its date.

OpenAI fine-tuned ids look like `ft:gpt-4o-mini-2024-07-18:my-org:tone:AbC123`
(org, optional suffix, job-derived id). Everything about a tuned model
(encoding, limits, prices) is decided by its base snapshot.
"""

from __future__ import annotations

import re
from datetime import date

_SNAPSHOT = re.compile(r"^(?P<family>.+?)-(?P<date>\d{4}-\d{2}-\d{2})$")
_SHORT_SNAPSHOT = re.compile(r"^(?P<family>.+?)-(?P<mmdd>\d{4})$")  # gpt-3.5-turbo-0125
_O_SERIES = re.compile(r"^o\d")


def base_model(model: str) -> str:
    """`ft:gpt-4o-mini-2024-07-18:org::id` -> `gpt-4o-mini-2024-07-18`; others unchanged."""
    if model.startswith("ft:"):
        parts = model.split(":")
        return parts[1] if len(parts) > 1 and parts[1] else model
    return model


def is_fine_tuned(model: str) -> bool:
    return model.startswith("ft:")


def family(model: str) -> str:
    """`gpt-4o-mini-2024-07-18` -> `gpt-4o-mini`; `gpt-3.5-turbo-0125` -> `gpt-3.5-turbo`."""
    base = base_model(model)
    for pattern in (_SNAPSHOT, _SHORT_SNAPSHOT):
        if m := pattern.match(base):
            return m.group("family")
    return base


def snapshot_date(model: str) -> date | None:
    """The date in a dated snapshot id, when it has one (`-2024-07-18`)."""
    m = _SNAPSHOT.match(base_model(model))
    if not m:
        return None
    try:
        return date.fromisoformat(m.group("date"))
    except ValueError:
        return None


def encoding_for(model: str) -> tuple[str, bool]:
    """(tiktoken encoding name, whether the mapping is known) for a model id.

    gpt-4o*, gpt-4.1*, gpt-4.5*, gpt-5*, chatgpt-4o* and the o-series use o200k_base;
    gpt-4 and gpt-3.5 use cl100k_base. Anything else (an open-source model behind a
    compatible endpoint) is counted with o200k_base and flagged as approximate.
    """
    name = base_model(model).lower()
    if name.startswith(("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "chatgpt-4o")) or (
        _O_SERIES.match(name)
    ):
        return "o200k_base", True
    if name.startswith(("gpt-4", "gpt-3.5", "gpt-35")):
        return "cl100k_base", True
    return "o200k_base", False
