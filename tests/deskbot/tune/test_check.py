"""`tune check`: retired, soon-retired and stale-base warnings from GET /v1/models."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from deskbot.tune.check import newest_snapshot, parse_shutdown
from deskbot.tune.registry import Entry, Registry, default_path

TUNED = "ft:gpt-4o-mini-2024-07-18:acme:tone:AbC123"
BASE = "gpt-4o-mini-2024-07-18"
TODAY = datetime.now(UTC).date()


def register(settings, *models: str) -> None:
    book = Registry(default_path(settings.data_dir))
    for n, model in enumerate(models):
        book.add(Entry(f"ftjob-{n}", model.split(":")[1], "train.jsonl", "ab" * 32, model=model))
    book.save()


def test_all_fine(cli, provider, settings):
    provider.state.models[TUNED] = {"owned_by": "acme"}
    register(settings, TUNED)
    result = cli("tune", "check")
    assert f"OK   {TUNED} (base {BASE})" in result.output


@pytest.mark.parametrize(
    ("where", "days", "code", "text"),
    [
        ("model", 30, 0, "shuts down on {day} (30 days from now)"),
        ("base", 89, 0, "shuts down on {day} (89 days from now)"),
        ("model", 0, 1, "was shut down on {day}"),
        ("base", -10, 0, "was shut down on {day}"),
    ],
)
def test_shutdown_dates(cli, provider, settings, where, days, code, text):
    day = TODAY + timedelta(days=days)
    provider.state.models[TUNED] = {"owned_by": "acme"}
    provider.state.models[TUNED if where == "model" else BASE]["shutdown_date"] = day.isoformat()
    register(settings, TUNED)
    result = cli("tune", "check", code=code)
    assert "WARN" in result.output and text.format(day=day) in result.output


def test_far_shutdown_is_not_a_warning(cli, provider, settings):
    provider.state.models[TUNED] = {"shutdown_date": str(TODAY + timedelta(days=400))}
    register(settings, TUNED)
    assert "OK" in cli("tune", "check").output


def test_gone_model_is_an_error(cli, provider, settings):
    register(settings, TUNED)  # the provider does not list it
    result = cli("tune", "check", code=1)
    assert f"{TUNED} is gone" in result.output


def test_newer_base_snapshot_warns(cli, provider, settings):
    provider.state.models[TUNED] = {}
    provider.state.models["gpt-4o-mini-2025-09-30"] = {}
    provider.state.models["gpt-4o-2026-01-01"] = {}  # another family: ignored
    register(settings, TUNED)
    result = cli("tune", "check")
    assert "the provider has a newer snapshot gpt-4o-mini-2025-09-30" in result.output


def test_no_models_registered(cli, settings):
    result = cli("tune", "check")
    assert "No tone models registered" in result.output


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2027-01-14", date(2027, 1, 14)),
        ("2027-01-14T00:00:00Z", date(2027, 1, 14)),
        (1799884800, date(2027, 1, 14)),
        ("1799884800", date(2027, 1, 14)),
        (None, None),
        ("soon", None),
    ],
)
def test_parse_shutdown(value, expected):
    assert parse_shutdown(value) == expected


def test_newest_snapshot():
    listed = ["gpt-4o-mini-2024-07-18", "gpt-4o-mini-2025-01-01", "gpt-4o-mini", TUNED]
    assert newest_snapshot(BASE, listed) == "gpt-4o-mini-2025-01-01"
    assert newest_snapshot("gpt-4o-mini-2025-01-01", listed) is None
    assert newest_snapshot("my-llama", listed) is None
