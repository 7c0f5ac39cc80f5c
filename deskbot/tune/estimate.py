"""What a fine-tuning job will bill, and what the tuned model costs to use.

Billed training tokens = sum over examples of min(tokens, per-example limit) x epochs.
Without `--epochs`, the number of epochs follows OpenAI's documented default (the
"auto" rule of its data-preparation cookbook): aim for 3 epochs, but scale so that
small sets are seen ~100 times in examples and huge ones ~25,000, between 1 and 25.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from deskbot.core import messages
from deskbot.core.errors import TuneError
from deskbot.core.prices import PER_TOKENS, PriceTable

TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25
DEFAULT_MAX_EXAMPLE_TOKENS = 16_385  # the smallest current limit, for models not in the table


def default_epochs(n_examples: int) -> int:
    """The provider's default epoch count for a training set of `n_examples`."""
    if n_examples <= 0:
        raise TuneError(messages.TUNE_EMPTY_TRAINING_FILE)
    if n_examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // n_examples)
    if n_examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n_examples)
    return TARGET_EPOCHS


def billed_tokens(example_tokens: Sequence[int], epochs: int, cap: int) -> int:
    return sum(min(tokens, cap) for tokens in example_tokens) * epochs


def usd(amount: float) -> str:
    """$1,234.50, or four decimals under a dollar so small sets do not show $0.00."""
    return f"${amount:,.2f}" if amount >= 1 else f"${amount:.4f}"


@dataclass(frozen=True)
class Estimate:
    model: str
    examples: int
    epochs: int
    epochs_default: bool
    cap: int
    tokens_per_epoch: int
    truncated: int  # examples over the cap
    billed_tokens: int
    training_usd: float | None
    per_1k_answers_usd: float | None
    prompt_tokens: int
    completion_tokens: int
    as_of: str

    def lines(self) -> list[str]:
        rule = " (default rule)" if self.epochs_default else ""
        out = [
            f"Model: {self.model}",
            f"Examples: {self.examples}; per-example limit {self.cap:,} tokens"
            + (f" ({self.truncated} over it, billed at the limit)" if self.truncated else ""),
            f"Tokens per epoch: {self.tokens_per_epoch:,}",
            f"Epochs: {self.epochs}{rule}",
            f"Billed training tokens: {self.billed_tokens:,}",
        ]
        if self.training_usd is None:
            out.append(f"Training cost: unknown (no training price for {self.model})")
        else:
            out.append(f"Training cost: {usd(self.training_usd)}")
        if self.per_1k_answers_usd is not None:
            out.append(
                f"Usage: {usd(self.per_1k_answers_usd)} per 1k answers "
                f"(at {self.prompt_tokens:,} prompt + {self.completion_tokens:,} completion tokens each)"
            )
        out.append(f"Prices as of {self.as_of} (USD per 1M tokens; override with PRICES_FILE).")
        return out


def estimate(
    example_tokens: Sequence[int],
    model: str,
    prices: PriceTable,
    *,
    epochs: int | None = None,
    prompt_tokens: int = 1000,
    completion_tokens: int = 200,
) -> Estimate:
    """Billed tokens and costs for training `model` on examples of these token counts."""
    entry = prices.lookup(model)
    cap = (entry.max_example_tokens if entry else None) or DEFAULT_MAX_EXAMPLE_TOKENS
    chosen = epochs if epochs is not None else default_epochs(len(example_tokens))
    per_epoch = billed_tokens(example_tokens, 1, cap)
    billed = per_epoch * chosen
    training = None
    if entry and entry.training is not None:
        training = billed * entry.training / PER_TOKENS
    usage = None
    if entry and entry.tuned_input is not None and entry.tuned_output is not None:
        per_answer = prompt_tokens * entry.tuned_input + completion_tokens * entry.tuned_output
        usage = per_answer / PER_TOKENS * 1000
    return Estimate(
        model=model,
        examples=len(example_tokens),
        epochs=chosen,
        epochs_default=epochs is None,
        cap=cap,
        tokens_per_epoch=per_epoch,
        truncated=sum(1 for t in example_tokens if t > cap),
        billed_tokens=billed,
        training_usd=training,
        per_1k_answers_usd=usage,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        as_of=prices.as_of,
    )
