"""What the configured answer model would cost, estimated offline during an extractive run.

An extractive simulation asks no model, yet a team wants to know what answering
with one would cost. For every question the wiki covers, the prompt the model
would get (system rules, the same passages, the question) is counted exactly with
the model's tokenizer; the reply is assumed to be as long as the agent's answer
(or `DEFAULT_REPLY_TOKENS` when there is none). Questions the wiki does not cover
never reach the model, so they cost nothing, as in the bot.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot import prompts
from bot.fence import first_then_random
from bot.retrieve import Hit
from deskbot.core.modelnames import encoding_for
from deskbot.core.prices import PriceTable, price_of
from deskbot.tune.tokens import count, count_messages

DEFAULT_REPLY_TOKENS = 150


class CostEstimator:
    """Estimated tokens and USD of answering one question with `model`."""

    def __init__(self, model: str, prices: PriceTable) -> None:
        self.model = model
        self.prices = prices
        self.encoding = encoding_for(model)[0]

    @property
    def priced(self) -> bool:
        return self.prices.lookup(self.model) is not None

    def estimate(
        self, question: str, passages: Sequence[Hit], agent_answer: str
    ) -> tuple[dict[str, int], float]:
        """(usage, cost_usd) the model call for this question would have."""
        # a fixed fence boundary (when no passage holds it), so the count repeats run to run
        chat = prompts.answer_messages(question, passages, boundaries=first_then_random("0" * 16))
        prompt = count_messages(chat, self.model)
        reply = count(agent_answer, self.encoding) if agent_answer.strip() else DEFAULT_REPLY_TOKENS
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": reply,
            "total_tokens": prompt + reply,
        }
        return usage, price_of(self.model, prompt, reply, self.prices)
