"""Language identification: questions (short) and wiki passages (long), offline."""

from __future__ import annotations

import json

import pytest

from ingest.language import LANGUAGES, detect, dominant_language, language_name
from tests.conftest import DATA

QUESTIONS = [json.loads(line) for line in (DATA / "multilingual_questions.jsonl").open()]


@pytest.mark.parametrize("language", ["en", "pt", "es"])
def test_questions_are_told_apart(language):
    texts = [q[language] for q in QUESTIONS]
    found = [getattr(detect(t), "code", None) for t in texts]
    wrong = [(t, f) for t, f in zip(texts, found, strict=True) if f != language]
    assert len(texts) >= 24 and not wrong


@pytest.mark.parametrize("text", ["", "??", "1234 5678", "ok"])
def test_no_confident_guess_for_tiny_or_letterless_text(text):
    assert detect(text) is None


def test_passages_vote_for_the_wiki_language():
    passages = [q["pt"] for q in QUESTIONS[:10]] + [q["en"] for q in QUESTIONS[:3]]
    assert dominant_language(passages) == "pt"
    assert dominant_language(["", "…"]) is None


def test_names_for_the_prompt():
    assert language_name("pt") == "Portuguese" and language_name("xx") == "xx"
    assert {"en", "pt", "es", "fr", "de"} <= set(LANGUAGES)


def test_the_lean_identifier_classifies_exactly_like_py3langids_own():
    """Built without py3langid's all-language table, it gives the same code and probability."""
    import random

    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    from ingest.langid_automaton import Transitions
    from ingest.language import load_identifier

    reference = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    reference.set_languages(sorted(LANGUAGES))
    lean = load_identifier()
    rng = random.Random(11)
    noise = ["".join(rng.choices("abcdéñßж日本 .,?", k=rng.randint(1, 80))) for _ in range(40)]
    texts = [q[lang] for q in QUESTIONS for lang in ("en", "pt", "es")] + noise
    texts += ["Wo finde ich die Reisekostenrichtlinie?", "Comment réinitialiser mon mot de passe ?"]
    texts += ["Как подключиться к VPN?", "VPN に接続するには?", "如何连接VPN?", "ok", "x" * 3000]
    texts += [
        "",
        " ",
        "كيف أتصل بالشبكة الافتراضية؟",
        "איך מתחברים ל-VPN מהבית?",
        "Πώς συνδέομαι στο VPN;",
        "วิธีเชื่อมต่อ VPN จากบ้าน",
        "घर से वीपीएन से कैसे जुड़ें?",
        "집에서 VPN에 어떻게 연결하나요?",
        "Jak se připojím k VPN z domova?",
        "🙂🙃 ✅ \u200b\ufeff \x00\x7f",
        "How do I connect to the VPN from home? Wie verbinde ich mich? 如何连接" * 3000,
    ]
    scripts = [(0x20, 0x7E), (0xC0, 0x24F), (0x370, 0x52F), (0x590, 0x6FF), (0x900, 0x97F)]
    scripts += [(0xE00, 0xE7F), (0x3040, 0x30FF), (0x4E00, 0x4FFF), (0xAC00, 0xAD00)]
    for low, high in scripts * 12:
        size = rng.choice([1, 5, 30, 200, 2000])
        texts.append("".join(chr(rng.randint(low, high)) for _ in range(size)))
    assert isinstance(lean.tk_nextmove, Transitions)  # the compact automaton, not the fallback
    assert lean.nb_ptc.shape[1] == len(LANGUAGES)
    for text in texts:
        assert lean.classify(text) == reference.classify(text), text
