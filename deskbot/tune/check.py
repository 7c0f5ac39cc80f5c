"""`deskbot tune check`: are the registered tone models (and their bases) still there?

For each registered model, asks the provider (GET /v1/models/{id}) whether the
model and its base snapshot still exist and when they shut down (`shutdown_date`,
when the provider gives one), and compares the base snapshot with the newest
snapshot of its family in GET /v1/models. Findings:
- gone: the model is no longer listed (an error: answers through it will fail;
  for the base snapshot a warning: the tone model cannot be retrained on it);
- retired: its shutdown date has passed (an error; a warning for the base);
- retiring: it shuts down within `soon_days` (a warning);
- stale base: a newer snapshot of the base family exists (a warning).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import openai

from deskbot.core import messages
from deskbot.core.modelnames import base_model, family, snapshot_date
from deskbot.tune.provider import translate
from deskbot.tune.registry import Entry

SOON_DAYS = 90


@dataclass
class Finding:
    level: str  # "error" or "warning"
    text: str


@dataclass
class ModelCheck:
    model: str
    base: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def parse_shutdown(value: object) -> date | None:
    """`shutdown_date` as a date: ISO text, or a Unix timestamp (number or digits)."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.replace(".", "", 1).isdigit():
        return datetime.fromtimestamp(float(text), UTC).date()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _retrieve(client, model_id: str):
    """The provider's model object, or None when it does not know the id (404)."""
    try:
        return client.models.retrieve(model_id)
    except openai.NotFoundError:
        return None
    except openai.APIError as exc:
        raise translate(exc, client, action=f"look up model {model_id}") from None


def _lifetime(
    model_id: str, found, today: date, soon_days: int, out: list[Finding], level: str
) -> None:
    """Gone or past shutdown: `level` ("error" for the tone model, "warning" for its base)."""
    if found is None:
        out.append(Finding(level, messages.TUNE_MODEL_GONE.format(model=model_id)))
        return
    day = parse_shutdown(getattr(found, "shutdown_date", None))
    if day is None:
        return
    if day <= today:
        out.append(Finding(level, messages.TUNE_MODEL_RETIRED.format(model=model_id, day=day)))
    elif (day - today).days <= soon_days:
        days = (day - today).days
        out.append(
            Finding(
                "warning", messages.TUNE_MODEL_RETIRING.format(model=model_id, day=day, days=days)
            )
        )


def newest_snapshot(base: str, available: list[str]) -> str | None:
    """A dated snapshot of the same family newer than `base`, if the provider lists one."""
    mine = snapshot_date(base)
    if mine is None:
        return None
    newer = [
        (day, m)
        for m in available
        if not m.startswith("ft:") and family(m) == family(base)
        if (day := snapshot_date(m)) is not None and day > mine
    ]
    return max(newer)[1] if newer else None


def check_models(
    client, entries: list[Entry], *, today: date | None = None, soon_days: int = SOON_DAYS
) -> list[ModelCheck]:
    """One ModelCheck per registered model, in registry order."""
    today = today or datetime.now(UTC).date()
    try:
        available = [m.id for m in client.models.list()]
    except openai.APIError as exc:
        raise translate(exc, client, action="list models") from None
    results = []
    for entry in entries:
        base = entry.base_model or base_model(entry.model)
        result = ModelCheck(entry.model, base)
        found = _retrieve(client, entry.model)
        _lifetime(entry.model, found, today, soon_days, result.findings, "error")
        found = _retrieve(client, base)
        _lifetime(base, found, today, soon_days, result.findings, "warning")
        if newest := newest_snapshot(base, available):
            text = messages.TUNE_BASE_STALE.format(model=entry.model, base=base, newest=newest)
            result.findings.append(Finding("warning", text))
        results.append(result)
    return results
