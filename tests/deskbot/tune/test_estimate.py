"""Epoch rule at its edges, billed tokens with the per-example cap, prices and overrides."""

from __future__ import annotations

import json

import pytest

from deskbot.core.config import Settings
from deskbot.core.errors import ConfigError
from deskbot.core.prices import load_prices, price_of
from deskbot.tune.estimate import billed_tokens, default_epochs, estimate
from tests.deskbot.tune.conftest import DATA


@pytest.mark.parametrize(
    ("examples", "epochs"),
    [
        (1, 25),  # 100 // 1 = 100, capped at 25
        (4, 25),
        (5, 20),  # 100 // 5
        (10, 10),
        (33, 3),  # 33 * 3 = 99 < 100 -> 100 // 33 = 3
        (34, 3),  # 102 >= 100: the target 3
        (8333, 3),  # 24,999 <= 25,000
        (8334, 2),  # 25,002 > 25,000 -> 25,000 // 8334 = 2
        (12_500, 2),
        (12_501, 1),
        (30_000, 1),  # never below 1
    ],
)
def test_default_epoch_rule(examples, epochs):
    assert default_epochs(examples) == epochs


def test_billed_tokens_cap_each_example():
    assert billed_tokens([100, 70_000, 65_536], epochs=2, cap=65_536) == (100 + 65_536 * 2) * 2


def test_required_prices_are_shipped_with_a_date():
    prices = load_prices()
    assert prices.as_of
    mini = prices.lookup("gpt-4o-mini-2024-07-18")
    assert (mini.training, mini.tuned_input, mini.tuned_output) == (3.00, 0.30, 1.20)
    m41 = prices.lookup("gpt-4.1-mini-2025-04-14")
    assert (m41.training, m41.tuned_input, m41.tuned_output) == (5.00, 0.80, 3.20)
    assert prices.lookup("ft:gpt-4.1-mini-2025-04-14:acme::x") is m41
    assert prices.lookup("gpt-4.1-mini") is m41  # alias


def test_price_of_uses_tuned_prices_for_ft_models():
    prices = load_prices()
    assert price_of("gpt-4o-mini", 1_000_000, 1_000_000, prices) == pytest.approx(0.15 + 0.60)
    tuned = "ft:gpt-4o-mini-2024-07-18:acme::x"
    assert price_of(tuned, 1_000_000, 1_000_000, prices) == pytest.approx(0.30 + 1.20)
    assert price_of("llama-3-8b", 1000, 1000, prices) == 0.0


def test_user_price_file_overrides_and_adds(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({
        "as_of": "2030-01-01",
        "models": {
            "gpt-4o-mini-2024-07-18": {"input": 1, "output": 2,
                                       "fine_tuned": {"training": 9, "input": 3, "output": 4}},
            "my-llama": {"input": 0.05, "output": 0.1, "aliases": ["llama"]},
        },
    }))  # fmt: skip
    prices = load_prices(path)
    assert prices.as_of == "2030-01-01"
    assert prices.lookup("gpt-4o-mini").training == 9
    assert prices.lookup("llama").output == 0.1
    assert prices.lookup("gpt-4.1-mini-2025-04-14").training == 5.00  # shipped entries stay


@pytest.mark.parametrize(
    ("content", "where"),
    [('{\n  "models": {,}\n}', ":2: not valid JSON"), ('{"models": {"x": {"input": "a"}}}', "'x'")],
)
def test_bad_price_file_names_the_problem(tmp_path, content, where):
    path = tmp_path / "prices.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match=where):
        load_prices(path)


def test_estimate_numbers():
    prices = load_prices()
    result = estimate([1000] * 10, "gpt-4o-mini-2024-07-18", prices)
    assert (result.epochs, result.epochs_default) == (10, True)
    assert result.billed_tokens == 100_000
    assert result.training_usd == pytest.approx(0.30)
    # 1k answers of 1,000 prompt + 200 completion tokens at $0.30 / $1.20 per 1M
    assert result.per_1k_answers_usd == pytest.approx(0.30 + 0.24)
    fixed = estimate([1000] * 10, "gpt-4.1-mini-2025-04-14", prices, epochs=2)
    assert (fixed.billed_tokens, fixed.training_usd) == (20_000, pytest.approx(0.10))


def test_estimate_cli(cli):
    result = cli("tune", "estimate", DATA / "valid" / "chat.jsonl", "--model",
                 "gpt-4o-mini-2024-07-18", "--prompt-tokens", "1000", "--completion-tokens", "200")  # fmt: skip
    out = result.output
    assert "Epochs: 10 (default rule)" in out
    assert "Tokens per epoch: 540" in out  # 10 examples x 54 tokens (o200k_base)
    assert "Billed training tokens: 5,400" in out
    assert "Training cost: $0.0162" in out  # 5,400 x $3.00 / 1M
    assert "Usage: $0.5400 per 1k answers" in out
    assert "Prices as of 2026-03-01" in out


def test_estimate_cli_epochs_and_user_prices(cli, tmp_path, settings):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"as_of": "2031-05-05", "models": {"gpt-4o-mini-2024-07-18": {
        "input": 1, "output": 1, "fine_tuned": {"training": 100, "input": 1, "output": 1}}}}))  # fmt: skip
    custom = Settings(**{**settings.__dict__, "prices_file": path})
    result = cli(
        "tune", "estimate", DATA / "valid" / "chat.jsonl", "--epochs", "1", settings=custom
    )
    assert "Epochs: 1\n" in result.output and "Training cost: $0.0540" in result.output
    assert "Prices as of 2031-05-05" in result.output


def test_estimate_refuses_an_invalid_file(cli):
    result = cli("tune", "estimate", DATA / "invalid" / "bad_weight.jsonl", code=1)
    assert "[bad_weight]" in result.output
    assert "has 1 error(s) a provider would reject" in result.output
