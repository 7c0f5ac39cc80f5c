"""Token counts in the embedding model's own tokens, from its fast (Rust) tokenizer."""

from __future__ import annotations

import json
from collections.abc import Sequence

from deskbot.core import messages
from deskbot.core.errors import EmbeddingModelError

# Tokenizer parts under which text joined by whitespace counts exactly as the sum of its
# parts: the pre-tokenizer cuts at whitespace first, and the normalizer works per char.
_SPLITS_AT_WHITESPACE = {"BertPreTokenizer", "Whitespace", "WhitespaceSplit"}
_PER_CHAR_NORMALIZERS = {"BertNormalizer", "Lowercase", "NFD", "NFKD", "NFC", "NFKC"}
_PER_CHAR_NORMALIZERS |= {"StripAccents", "Sequence"}


class TokenCounter:
    """Counts tokens with a private copy of a Hugging Face fast tokenizer.

    The copy has truncation and padding switched off (a tokenizer.json may carry a
    truncation length, which would cap the counts), and leaves the embedder's alone.
    """

    def __init__(self, tokenizer) -> None:
        backend = getattr(tokenizer, "backend_tokenizer", tokenizer)
        if not hasattr(backend, "encode_batch_fast"):
            raise EmbeddingModelError(messages.TOKENIZER_NOT_FAST)
        from tokenizers import Tokenizer

        spec = backend.to_str()
        self.tokenizer = Tokenizer.from_str(spec)
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.special = len(self.tokenizer.encode("", add_special_tokens=True).ids)
        self.additive = _whitespace_additive(json.loads(spec))

    def counts(self, texts: Sequence[str], *, special: bool = False) -> list[int]:
        """Token counts of `texts` in one batch (without special tokens unless asked)."""
        if not texts:
            return []
        encoded = self.tokenizer.encode_batch_fast(list(texts), add_special_tokens=special)
        return [len(e.ids) for e in encoded]

    def count(self, text: str) -> int:
        return self.counts([text])[0]

    def pieces(self, text: str, size: int) -> list[str]:
        """Cut `text` at token boundaries into pieces of about `size` tokens each."""
        offsets = self.tokenizer.encode(text, add_special_tokens=False).offsets
        cuts = [offsets[i][0] for i in range(size, len(offsets), size)]
        bounds = [0, *cuts, len(text)]
        return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if text[a:b]]

    def truncate(self, text: str, size: int) -> str:
        """The first `size` tokens of `text`, with "…" when cut (for headings only)."""
        offsets = self.tokenizer.encode(text, add_special_tokens=False).offsets
        if len(offsets) <= size:
            return text
        return text[: offsets[max(size, 1) - 1][1]].rstrip() + "…"


def _whitespace_additive(spec: dict) -> bool:
    """True when count("a" + whitespace + "b") == count("a") + count("b") for this tokenizer."""
    pre = spec.get("pre_tokenizer") or {}
    norm = spec.get("normalizer") or {}
    normalizers = norm.get("normalizers", []) if norm.get("type") == "Sequence" else [norm]
    return pre.get("type") in _SPLITS_AT_WHITESPACE and all(
        not n or n.get("type") in _PER_CHAR_NORMALIZERS for n in normalizers
    )
