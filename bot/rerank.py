"""An optional local cross-encoder that reorders the top pages (RERANKER_MODEL).

A cross-encoder reads the question and a passage together, so it judges relevance
better than comparing two separate embeddings, at ~10-50 ms per pair on a CPU for a
MiniLM-sized model; it looks at the top RERANK_TOP pages only (title, section and best
passage of each). The model is a sentence-transformers CrossEncoder folder, or a name
already in the local Hugging Face cache: it is never downloaded at run time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

from bot.ranking import PageEvidence
from deskbot.core import messages
from deskbot.core.errors import EmbeddingModelError

log = logging.getLogger(__name__)

RERANK_TOP = 20


class CrossEncoderReranker:
    """Reorders the first `top` pages by the cross-encoder's score of (question, page)."""

    def __init__(self, model: str, *, top: int = RERANK_TOP, device: str = "cpu", encoder=None):
        self.name = model
        self.top = top
        self.model = encoder if encoder is not None else _load(model, device)

    def rerank(self, query: str, pages: Sequence[PageEvidence]) -> list[PageEvidence]:
        head = [p for p in pages[: self.top] if p.passages]
        if len(head) < 2:  # nothing to reorder
            return list(pages)
        scores = self.model.predict([(query, page_text(p)) for p in head], show_progress_bar=False)
        order = sorted(range(len(head)), key=lambda i: -float(scores[i]))
        ranked = [head[i] for i in order]
        taken = {id(p) for p in ranked}
        return ranked + [p for p in pages if id(p) not in taken]


def page_text(page: PageEvidence) -> str:
    """What the cross-encoder reads of a page: title, section and its best passage."""
    p = page.passages[0].payload
    heading = " > ".join(x for x in (p.get("title", ""), p.get("section", "")) if x)
    return f"{heading}\n{p.get('text', '')}"


def _load(model: str, device: str):
    local = Path(model).expanduser()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a name must already be in the local cache
    from sentence_transformers import CrossEncoder

    try:
        return CrossEncoder(
            str(local) if local.exists() else model, device=device, local_files_only=True
        )
    except Exception as exc:  # noqa: BLE001 - any load failure means the same to the user
        raise EmbeddingModelError(
            messages.RERANKER_UNLOADABLE.format(model=model, error=exc)
        ) from exc
