"""The transport-free answering core: question (+ thread) -> grounded, cited Answer.

Slack, the CLI and the simulator all call `Answerer.answer`. The steps:
rewrite a follow-up into a standalone query, retrieve, and then either say the
wiki does not cover it (no model asked), let the model answer from the quoted
passages (citations checked), or quote the passages when no model is set or the
model fails. An optional tone pass restyles grounded model answers.

Languages: the question's language is detected (bot/languages.py). In another language
than the wiki's, the model's rewrite call (the one follow-ups use) also translates it
into the wiki's language; the model answers in the question's language; answers without
a model speak the question's language around the quoted passages, and say those are in
the wiki's language. Without a model to translate and with an embedder that only knows
the wiki's language, such a question gets an honest "not covered" in its own language.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot import prompts
from bot.citations import Citation, resolve_citations
from bot.conversation.records import record_answer
from bot.extractive import extractive_answer, not_covered_text
from bot.followup import heuristic_query, model_query
from bot.languages import Languages
from bot.llm import ChatModel, Completion
from bot.retrieve import Hit
from bot.store import Store
from bot.tone import Restyler, StyleExamples
from deskbot.core import messages
from deskbot.core.conversations import Turn
from deskbot.core.errors import ModelError
from deskbot.core.prices import PriceTable, price_of

__all__ = ["Answer", "Answerer", "Citation", "RetrieverLike"]

log = logging.getLogger(__name__)

USAGE_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens")


class RetrieverLike(Protocol):
    top_k: int
    threshold: float

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        sources: Sequence[str] | None = None,
        cross_language: bool = False,
    ) -> list[Hit]: ...

    def relevant(self, hits: list[Hit]) -> list[Hit]: ...


@dataclass
class Answer:
    question: str
    text: str  # Markdown; refers to sources as [1], [2]
    citations: list[Citation]
    grounded: bool
    passages: list[Hit]
    timings: dict[str, float]  # seconds: rewrite, retrieve, generate, tone, total
    usage: dict[str, int]  # prompt_tokens, completion_tokens, total_tokens
    cost_usd: float = 0.0
    model: str | None = None  # None for extractive and "not covered" answers
    notice: str | None = None
    query: str = ""  # what retrieval searched for (the rewrite of a follow-up)
    covered: bool = True  # False: nothing relevant found, or the model said so
    answer_id: int | None = None  # row in the Store, for feedback
    recorded: bool = False  # offered to the store (bot/conversation/records.py); never twice
    tone: str = "none"  # "none", "applied", "rejected"
    fallback: bool = False  # the model was asked and failed: the wiki is quoted instead
    language: str = ""  # the question's language (ISO 639-1)
    coverage: dict = field(default_factory=dict)  # the retrieval's coverage decision

    def as_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "grounded": self.grounded,
            "covered": self.covered,
            "citations": [c.as_json() for c in self.citations],
            "notice": self.notice,
            "query": self.query,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "usage": dict(self.usage),
            "cost_usd": round(self.cost_usd, 6),
            "model": self.model,
            "answer_id": self.answer_id,
            "fallback": self.fallback,
            "language": self.language,
            "coverage": self.coverage,
            "passages": [h.as_json() for h in self.passages],
        }


@dataclass
class _Run:
    """What one answer() call accumulates on the way."""

    question: str
    language: str = "en"  # the question's
    cross: bool = False  # the question is not in the wiki's language
    translated: bool = False  # the model's rewrite turned it into the wiki's language
    started: float = field(default_factory=time.perf_counter)
    timings: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(("rewrite", "retrieve", "generate", "tone"), 0.0)
    )
    usage: dict[str, int] = field(default_factory=lambda: dict.fromkeys(USAGE_KEYS, 0))
    cost: float = 0.0
    model_failed: bool = False

    def spend(self, completion: Completion, prices: PriceTable | None) -> None:
        for key in USAGE_KEYS:
            self.usage[key] += completion.usage.get(key, 0)
        if prices is not None:
            self.cost += price_of(
                completion.model,
                completion.usage.get("prompt_tokens", 0),
                completion.usage.get("completion_tokens", 0),
                prices,
            )


class Answerer:
    """Answers questions from the index; never raises for model failures."""

    def __init__(
        self,
        retriever: RetrieverLike,
        *,
        model: ChatModel | None = None,
        restyler: Restyler | None = None,
        style: StyleExamples | None = None,
        store: Store | None = None,
        prices: PriceTable | None = None,
        escalation: str = "the help desk",
        style_examples: int = 3,
        languages: Languages | None = None,
    ) -> None:
        self.retriever = retriever
        self.model = model
        self.restyler = restyler
        self.style = style
        self.store = store
        self.prices = prices
        self.escalation = escalation
        self.style_examples = style_examples
        self.languages = languages or Languages()

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        sources: Sequence[str] | None = None,
        channel: str | None = None,
        user: str | None = None,
    ) -> Answer:
        """Answer `question`; `history` is the thread so far, oldest first."""
        run = self._start(question)
        query = self._query(run, question, history)
        untranslated = run.cross and not run.translated
        unreadable = untranslated and not self.languages.multilingual_search
        t = time.perf_counter()
        hits = self.retriever.search(query, sources=sources, cross_language=untranslated)
        relevant = [] if unreadable else self.retriever.relevant(hits)
        run.timings["retrieve"] = time.perf_counter() - t
        if unreadable:
            answer = self._not_covered(run, hits, other_language=True)
        elif not relevant:
            answer = self._not_covered(run, hits)
        elif self.model is None or run.model_failed:
            answer = self._extractive(run, relevant)
        else:
            answer = self._generate(run, self.model, relevant, history)
        answer.query = query
        answer.language = run.language
        coverage = getattr(hits, "coverage", None)
        answer.coverage = coverage.as_json() if coverage is not None else {}
        return self._finish(answer, run, channel, user)

    # --- steps ----------------------------------------------------------------------
    def _start(self, question: str) -> _Run:
        language = self.languages.of(question)
        return _Run(question, language=language, cross=language != self.languages.wiki)

    def _wording(self, run: _Run, key: str, **values: str) -> str:
        wiki = messages.wiki_language_name(
            self.languages.wiki, run.language, self.languages.wiki_name
        )
        return messages.answer_wording(key, run.language, wiki_language=wiki, **values)

    def _query(self, run: _Run, question: str, history: Sequence[Turn]) -> str:
        followup = any(t.role == "user" for t in history)
        if not followup and not run.cross:
            return question
        if self.model is None:
            return heuristic_query(question, history) if followup else question
        t = time.perf_counter()
        target = self.languages.wiki_name if run.cross else None
        try:
            query, completion = model_query(self.model, question, history, target)
            run.translated = run.cross and bool(query)
            run.spend(completion, self.prices)
        except ModelError as exc:
            log.warning("follow-up rewrite failed, using key terms instead: %s", exc)
            run.model_failed = True
            query = ""
        run.timings["rewrite"] = time.perf_counter() - t
        return query or heuristic_query(question, history)

    def _answer(self, run: _Run, text: str, citations, passages, **extra) -> Answer:
        return Answer(
            question=run.question,
            text=text,
            citations=list(citations),
            grounded=bool(citations),
            passages=list(passages),
            timings=run.timings,
            usage=run.usage,
            **extra,
        )

    def _not_covered(
        self, run: _Run, closest: list[Hit], *, other_language: bool = False
    ) -> Answer:
        if other_language:  # the closest pages of an unreadable question mean nothing
            text = self._wording(run, "not_covered_other_language", escalation=self.escalation)
            return self._answer(run, text, [], list(closest), covered=False)
        text = not_covered_text(
            closest,
            self.escalation,
            sentence=self._wording(run, "not_covered", escalation=self.escalation),
            heading=self._wording(run, "closest_pages"),
        )
        return self._answer(run, text, [], closest, covered=False)

    def _extractive(self, run: _Run, relevant: list[Hit], notice: str | None = None) -> Answer:
        intro = self._wording(run, "extractive_intro")
        text, citations = extractive_answer(run.question, relevant, intro=intro)
        notes = [notice or (self._wording(run, "model_unavailable") if run.model_failed else "")]
        if run.cross:
            notes.append(self._wording(run, "passages_in_wiki_language"))
        return self._answer(
            run,
            text,
            citations,
            relevant,
            notice=" ".join(n for n in notes if n) or None,
            fallback=run.model_failed,
        )

    def _generate(
        self, run: _Run, model: ChatModel, passages: list[Hit], history: Sequence[Turn]
    ) -> Answer:
        examples = self.style.most_similar(run.question, self.style_examples) if self.style else []
        # the question's language for the model, when it was told apart from the wiki's
        language = self.languages.name(run.language) if run.cross else None
        chat = prompts.answer_messages(run.question, passages, history, examples, language=language)
        t = time.perf_counter()
        try:
            completion = model.complete(chat)
        except ModelError as exc:
            log.warning("answer model failed, quoting the wiki instead: %s", exc)
            run.model_failed = True
            run.timings["generate"] = time.perf_counter() - t
            return self._extractive(run, passages)
        run.timings["generate"] = time.perf_counter() - t
        run.spend(completion, self.prices)
        if completion.text.lstrip(" *`").upper().startswith(prompts.NOT_COVERED_SENTINEL):
            answer = self._not_covered(run, passages)
            answer.model = completion.model
            return answer
        text, citations = resolve_citations(completion.text, passages)
        notice = None if citations else self._wording(run, "ungrounded", escalation=self.escalation)
        answer = self._answer(run, text, citations, passages, model=completion.model, notice=notice)
        return (
            self._tone(run, answer, self.restyler) if answer.grounded and self.restyler else answer
        )

    def _tone(self, run: _Run, answer: Answer, restyler: Restyler) -> Answer:
        t = time.perf_counter()
        result = restyler.restyle(run.question, answer.text)
        run.timings["tone"] = time.perf_counter() - t
        if result.completion is not None:
            run.spend(result.completion, self.prices)
        answer.text = result.text
        answer.tone = "applied" if result.restyled else "rejected"
        return answer

    def _finish(self, answer: Answer, run: _Run, channel: str | None, user: str | None) -> Answer:
        answer.cost_usd = run.cost
        if self.store is not None:
            answer.answer_id = record_answer(self.store, answer, channel=channel, user=user)
            answer.recorded = True
        answer.timings["total"] = time.perf_counter() - run.started
        log.info(
            "answered grounded=%s covered=%s model=%s tokens=%d cost=$%.6f total=%.3fs",
            answer.grounded,
            answer.covered,
            answer.model,
            answer.usage["total_tokens"],
            answer.cost_usd,
            answer.timings["total"],
        )
        return answer
