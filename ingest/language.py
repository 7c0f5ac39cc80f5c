"""Which language a text is in: questions at answer time, the wiki's pages at ingest.

Uses py3langid (a 4.6 MB naive-Bayes model over byte n-grams, numpy only, offline),
loaded on first use and shared by the process: the CLI does not pay for it until a
question is answered or a source ingested. The identifier chooses among LANGUAGES (the
common business languages; a closed set is much more accurate on short questions than
all 97 the model knows). A guess below MIN_CONFIDENCE (a two-word question, a bare
product name) counts as "don't know": callers then assume the wiki's own language.
"""

from __future__ import annotations

import threading
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from deskbot.core.memory import give_back_memory
from ingest.langid_automaton import Transitions

# ISO 639-1 code -> English name (what a model is told).
LANGUAGES = {
    "ar": "Arabic",
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sv": "Swedish",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
}
MIN_CONFIDENCE = 0.7
MAX_CHARS = 2000  # a page sample longer than this says nothing more

_lock = threading.Lock()
_identifier = None


@dataclass(frozen=True)
class Detected:
    code: str  # ISO 639-1
    confidence: float  # the identifier's probability, among LANGUAGES

    @property
    def name(self) -> str:
        return language_name(self.code)


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


def _load():
    global _identifier
    with _lock:
        if _identifier is None:
            _identifier = load_identifier()
            give_back_memory()  # the model file's decompressed copy, and the 97-language table
    return _identifier


def load_identifier():
    """py3langid's identifier over LANGUAGES only, normalised probabilities.

    The same classifier as `LanguageIdentifier.from_modelpath(...).set_languages(LANGUAGES)`
    in ~12 MB instead of ~80: only the 29 columns of the feature table it uses are kept
    (not all 97 languages', 28 MB, which `set_languages` holds on to), and the byte
    automaton as its edges and failure links (ingest/langid_automaton.py) instead of a
    39 MB transition table; the walk is still well under a millisecond per question.
    """
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, rows, output = load_model(MODEL_DIR / MODEL_FILE)
    unknown = set(LANGUAGES) - set(classes)
    if unknown:
        raise ValueError(f"py3langid's model lacks {sorted(unknown)}")
    keep = [i for i, code in enumerate(classes) if code in LANGUAGES]
    try:
        moves, states = Transitions.from_table(nextmove, rows), array("I", range(len(rows)))
    except ValueError:  # not the automaton it was: py3langid's own table, as it is
        moves, states = nextmove, rows
    return LanguageIdentifier(
        np.ascontiguousarray(ptc[:, keep]),
        np.asarray(pc)[keep],
        [classes[i] for i in keep],
        moves,
        array("i", output),
        norm_probs=True,
        tk_row=states,
    )


def detect(text: str) -> Detected | None:
    """The language of `text`, or None when the guess is not confident (or no letters)."""
    if not any(ch.isalpha() for ch in text):
        return None
    code, confidence = _load().classify(text[:MAX_CHARS])
    confidence = float(confidence)
    return Detected(code, confidence) if confidence >= MIN_CONFIDENCE else None


def dominant_language(texts: Iterable[str]) -> str | None:
    """The language most of `texts` (passages of a wiki) are confidently in."""
    votes = Counter(d.code for d in map(detect, texts) if d is not None)
    return votes.most_common(1)[0][0] if votes else None
