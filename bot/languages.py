"""Which language a question is in, against the wiki's: what the answering core needs.

The wiki's language comes from WIKI_LANGUAGE, else from the index (detected at ingest,
ingest/language.py), else English. A question whose language cannot be told confidently
(two words, a product name) is taken to be in the wiki's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.language import Detected, detect, language_name

# Fragments of model names known to embed many languages into one space.
MULTILINGUAL_MODELS = ("multilingual", "labse", "bge-m3", "xlm", "distiluse", "m3e")


def is_multilingual(model_name: str) -> bool:
    name = model_name.lower()
    return any(fragment in name for fragment in MULTILINGUAL_MODELS)


@dataclass(frozen=True)
class Languages:
    wiki: str = "en"
    multilingual_search: bool = False  # the embedder matches questions across languages
    detector: Callable[[str], Detected | None] = field(default=detect, repr=False)

    def of(self, question: str) -> str:
        """The question's language code; the wiki's when unsure."""
        found = self.detector(question)
        return found.code if found is not None else self.wiki

    @property
    def wiki_name(self) -> str:
        return language_name(self.wiki)

    @staticmethod
    def name(code: str) -> str:
        """A language's English name, as the model is told it."""
        return language_name(code)
