"""Exact, offline token counts for OpenAI chat models.

tiktoken downloads its BPE files on first use, which fails offline. bpe-openai
(pinned in pyproject.toml) embeds the same cl100k_base and o200k_base rank files
(their sha256 equal the hashes tiktoken pins) in a Rust tokenizer, so counts are
exact with no network. tests/tune/test_tokens.py checks them against published
token ids and, when tiktoken is installed, against tiktoken itself.

Chat examples are counted the way OpenAI's cookbook counts chat requests
(`num_tokens_from_messages`, verified there against the API): 3 tokens per message,
the tokens of every string value, 1 more per `name`, and 3 to prime the reply.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache

from deskbot.core.modelnames import encoding_for

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3
ENCODINGS = ("cl100k_base", "o200k_base")


@cache
def _tokenizer(encoding: str):
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}; known: {', '.join(ENCODINGS)}")
    # The Rust tokenizer directly: the tiktoken-style wrapper adds ~0.6 s of table building.
    from bpe_openai import _bindings

    return _bindings.tokenizer_for_encoding(encoding)


def encode(text: str, encoding: str = "o200k_base") -> list[int]:
    """Token ids; special-token text such as `<|endoftext|>` is plain text, as in a request."""
    return list(_tokenizer(encoding).encode(text)) if text else []


def count(text: str, encoding: str = "o200k_base") -> int:
    return _tokenizer(encoding).count(text) if text else 0


def _strings(value: object) -> Iterable[str]:
    """The text of a message value: a string, text content parts, or tool-call fields."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for part in value:
            if isinstance(part, Mapping):
                if isinstance(part.get("text"), str):
                    yield part["text"]
                function = part.get("function")
                if isinstance(function, Mapping):
                    yield from (v for v in function.values() if isinstance(v, str))
    elif isinstance(value, Mapping):  # legacy function_call {"name", "arguments"}
        yield from (v for v in value.values() if isinstance(v, str))


def message_tokens(message: Mapping, encoding: str) -> int:
    """Tokens of one message without the reply priming; non-text values cost nothing."""
    total = TOKENS_PER_MESSAGE
    for key, value in message.items():
        if key == "weight":
            continue
        total += sum(count(text, encoding) for text in _strings(value))
        if key == "name":
            total += TOKENS_PER_NAME
    return total


def count_messages(messages: Iterable[Mapping], model: str) -> int:
    """Prompt tokens of a chat request (or one training example) for `model`."""
    encoding, _ = encoding_for(model)
    items = [m for m in messages if isinstance(m, Mapping)]
    return sum(message_tokens(m, encoding) for m in items) + REPLY_PRIMING


def assistant_tokens(messages: Iterable[Mapping], model: str) -> int:
    """Tokens of the assistant messages' content (what the model learns to write)."""
    encoding, _ = encoding_for(model)
    return sum(
        count(text, encoding)
        for m in messages
        if isinstance(m, Mapping) and m.get("role") == "assistant"
        for key in ("content", "tool_calls", "function_call")
        for text in _strings(m.get(key))
    )


def tools_tokens(tools: object, model: str) -> int:
    """Rough cost of tool definitions: their JSON text (only matters for tool-using sets)."""
    if not tools:
        return 0
    encoding, _ = encoding_for(model)
    return count(json.dumps(tools, ensure_ascii=False), encoding)
