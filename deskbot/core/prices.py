"""The price table: shipped as data (deskbot/core/data/prices.json), overridable by a user file.

Prices are USD per 1M tokens. A model entry prices its base use (`input`,
`output`) and, under `fine_tuned`, training plus the use of a model tuned from
that snapshot. A user file (PRICES_FILE) has the same shape; its entries replace
or add to the shipped ones, and its `as_of` date is the one reported.

    prices = load_prices(settings.prices_file)
    cost = price_of("gpt-4.1-mini", prompt_tokens=900, completion_tokens=150, prices=prices)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from deskbot.core import messages
from deskbot.core.errors import ConfigError
from deskbot.core.modelnames import base_model, is_fine_tuned

PER_TOKENS = 1_000_000


@dataclass(frozen=True)
class ModelPrice:
    model: str
    input: float
    output: float
    training: float | None = None  # fine-tuning, per 1M trained tokens
    tuned_input: float | None = None
    tuned_output: float | None = None
    max_example_tokens: int | None = None


@dataclass(frozen=True)
class PriceTable:
    as_of: str
    currency: str = "USD"
    source: str = ""
    models: dict[str, ModelPrice] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    origin: str = "shipped"  # "shipped" or the override file's path

    def lookup(self, model: str) -> ModelPrice | None:
        """The entry for a model id, an alias, or the base of a fine-tuned id."""
        name = base_model(model)
        name = self.aliases.get(name, name)
        return self.models.get(name)


def _entry(name: str, raw: object, where: str) -> tuple[ModelPrice, list[str]]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: the entry for {name!r} must be an object")
    tuned = raw.get("fine_tuned") or {}
    try:
        price = ModelPrice(
            model=name,
            input=float(raw["input"]),
            output=float(raw["output"]),
            training=_maybe(tuned.get("training")),
            tuned_input=_maybe(tuned.get("input")),
            tuned_output=_maybe(tuned.get("output")),
            max_example_tokens=int(raw["max_example_tokens"])
            if raw.get("max_example_tokens")
            else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(
            f"{where}: the entry for {name!r} needs numeric input and output prices ({exc})"
        ) from None
    return price, [str(a) for a in raw.get("aliases", [])]


def _maybe(value: object) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float | str):
        raise ValueError(f"not a number: {value!r}")
    return float(value)


def _parse(text: str, where: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{where}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        raise ConfigError(f'{where}: expected an object with a "models" object')
    return data


def _merge(table: PriceTable, data: dict, where: str) -> PriceTable:
    models, aliases = dict(table.models), dict(table.aliases)
    for name, raw in data["models"].items():
        price, names = _entry(name, raw, where)
        models[name] = price
        aliases.update({alias: name for alias in names})
    return PriceTable(
        as_of=str(data.get("as_of") or table.as_of or "unknown"),
        currency=str(data.get("currency") or table.currency),
        source=str(data.get("source") or table.source),
        models=models,
        aliases=aliases,
        origin=where,
    )


def load_prices(path: Path | None = None) -> PriceTable:
    """The shipped table, with the entries of `path` (PRICES_FILE) laid over it."""
    shipped = (
        resources.files("deskbot.core").joinpath("data/prices.json").read_text(encoding="utf-8")
    )
    table = _merge(
        PriceTable(as_of=""), _parse(shipped, "deskbot/core/data/prices.json"), "shipped"
    )
    if path is None:
        return table
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            messages.PRICES_UNREADABLE.format(path=path, error=exc.strerror)
        ) from None
    return _merge(table, _parse(text, str(path)), str(path))


def price_of(model: str, prompt_tokens: int, completion_tokens: int, prices: PriceTable) -> float:
    """USD for one request; fine-tuned ids use their base's tuned prices. Unknown model: 0.0."""
    entry = prices.lookup(model)
    if entry is None:
        return 0.0
    if is_fine_tuned(model) and entry.tuned_input is not None and entry.tuned_output is not None:
        rate_in, rate_out = entry.tuned_input, entry.tuned_output
    else:
        rate_in, rate_out = entry.input, entry.output
    return (prompt_tokens * rate_in + completion_tokens * rate_out) / PER_TOKENS
