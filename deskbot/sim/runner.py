"""Replay past questions through the Answerer, measure each answer, store it at once.

    runner = Simulator(answerer, embedder, ResultsFile(path), mode="extractive")
    stats = runner.run(conversations, workers=2, progress=terminal_progress("questions"))

Questions already in the results file (same key, same mode) are skipped, so a
rerun after an interruption continues where it stopped; fallback answers (the
model failed, the wiki was quoted) are answered again. Work is spread over a
small thread pool with a bounded number of questions in flight; each finished
question is written (and flushed) before the next is taken up, and an interrupt
(Ctrl-C) cancels what has not started yet.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from deskbot.core.conversations import Conversation
from deskbot.core.logs import redact
from deskbot.sim.cost import CostEstimator
from deskbot.sim.measure import citation_hit, cites_link, link_space, similarity, space_of
from deskbot.sim.results import Record, ResultsFile, result_key

log = logging.getLogger(__name__)


@dataclass
class RunStats:
    seen: int = 0  # questions in the input (after --limit)
    skipped: int = 0  # already in the results file
    done: int = 0  # answered in this run
    failed: int = 0  # raised an error (logged; retried on the next run)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def unique_questions(
    conversations: Iterable[Conversation], limit: int | None
) -> Iterator[tuple[str, Conversation]]:
    """(key, conversation) for conversations with a question, first `limit` of them, no repeats."""
    seen: set[str] = set()
    for conversation in conversations:
        if limit is not None and len(seen) >= limit:
            return
        if not conversation.question.strip():
            continue
        key = result_key(conversation.id, conversation.question)
        if key not in seen:
            seen.add(key)
            yield key, conversation


class Simulator:
    """Answers questions with `answerer` and writes one Record per question to `results`."""

    def __init__(
        self,
        answerer,
        embedder,
        results: ResultsFile,
        *,
        mode: str,
        estimator: CostEstimator | None = None,
        secrets: Sequence[str] = (),
    ) -> None:
        self.answerer = answerer
        self.embedder = embedder
        self.results = results
        self.mode = mode
        self.estimator = estimator  # extractive runs: estimate the configured model's cost
        self.secrets = tuple(secrets)  # blanked from answers before they are stored

    def run(
        self,
        questions: Iterable[tuple[str, Conversation]],
        *,
        workers: int = 2,
        progress=None,
    ) -> RunStats:
        """Answer every question not stored yet; returns what was done."""
        stats, started = RunStats(), time.perf_counter()
        done = self.results.done(self.mode)
        todo = []
        for key, conversation in questions:
            stats.seen += 1
            if key in done:
                stats.skipped += 1
            else:
                todo.append((key, conversation))
        if progress is not None:
            progress.start(len(todo), "simulate")
        try:
            self._pool(todo, max(1, workers), stats, progress)
        finally:
            stats.seconds = time.perf_counter() - started
            if progress is not None:
                progress.close()
        return stats

    def _pool(self, todo, workers: int, stats: RunStats, progress) -> None:
        pending = iter(todo)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="simulate") as pool:
            in_flight: dict[Future, str] = {}
            try:
                while True:
                    while len(in_flight) < 2 * workers and (item := next(pending, None)):
                        in_flight[pool.submit(self.measure, *item)] = item[0]
                    if not in_flight:
                        return
                    finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in finished:
                        key = in_flight.pop(future)
                        self._store(future, key, stats)
                        if progress is not None:
                            progress.advance(1)
            except BaseException:
                for future in in_flight:
                    future.cancel()
                raise

    def _store(self, future: Future, key: str, stats: RunStats) -> None:
        try:
            record = future.result()
        except Exception:  # one bad question must not stop the run; it is retried next time
            log.exception("question %s failed; it will be retried on the next run", key)
            stats.failed += 1
            return
        self.results.append(record)
        stats.done += 1

    def measure(self, key: str, conversation: Conversation) -> Record:
        """Answer one question and measure the answer against the agent's."""
        started = time.perf_counter()
        answer = self.answerer.answer(conversation.question)
        latency = time.perf_counter() - started
        citations = [
            {"n": c.n, "title": c.title, "section": c.section, "url": c.url,
             "source": c.source, "doc_id": c.doc_id}
            for c in answer.citations
        ]  # fmt: skip
        close = None
        if answer.covered and conversation.agent_answer.strip():
            close = similarity(self.embedder, answer.text, conversation.agent_answer)
        record = Record(
            key=key,
            id=conversation.id,
            origin=conversation.origin,
            mode=self.mode,
            question=conversation.question,
            agent_answer=conversation.agent_answer,
            linked_url=conversation.linked_url,
            answer=redact(answer.text, self.secrets),
            covered=bool(answer.covered),
            grounded=bool(answer.grounded),
            citations=citations,
            citation_hit=citation_hit(conversation.linked_url, citations),
            similarity=close,
            space=_space(conversation.linked_url, citations, answer.passages),
            top_score=round(max((h.score for h in answer.passages), default=0.0), 4),
            latency_s=round(latency, 4),
            timings={k: round(v, 4) for k, v in answer.timings.items()},
            usage=dict(answer.usage),
            cost_usd=answer.cost_usd,
            model=answer.model,
            notice=redact(answer.notice, self.secrets) if answer.notice else None,
            fallback=answer.fallback,
        )
        if self.estimator is not None and answer.covered:
            usage, cost = self.estimator.estimate(
                conversation.question, answer.passages, conversation.agent_answer
            )
            record.estimated_usage, record.estimated_cost_usd = usage, cost
        return record


def _space(link: str, citations: list[dict], passages) -> str:
    """The wiki area of a question: the linked article's, else the best passage's."""
    for c in citations:
        if link and cites_link(link, c):
            return space_of(c["source"], c["doc_id"])
    if named := link_space(link):
        return named
    if link and passages and "://" not in link and "/" in link.strip("/"):
        root = space_of(passages[0].source, "")
        return f"{root}/{link.strip('/').split('/')[0]}"
    if citations:
        return space_of(citations[0]["source"], citations[0]["doc_id"])
    if passages:
        return space_of(passages[0].source, passages[0].doc_id)
    return "(none)"
