"""Group questions into topics: the articles a wiki is missing.

Two questions are alike by a blend of meaning and words: the cosine of their
embeddings (the same local model as the index; the agent's answer is embedded
with the question when known, since a short question carries little topic) and
the cosine of their TF-IDF vectors over the terms they share. Short questions
embed by their form as much as by their topic ("Is the company car taxable?" sits
close to "Is the wellness stipend taxed?"); shared words pull the topics apart.
Groups are merged by agglomerative clustering (average linkage) until no two are
closer than `threshold`. Measured on tests/data/history.jsonl, the three missing
topics come out whole for thresholds 0.25-0.30 and start to mix below 0.2.

Each topic is labelled by its most characteristic terms (frequent in the topic,
rare in the other questions: a class-based TF-IDF), with the question nearest the
topic's centre as its example.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from bot.terms import key_terms

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.28  # blended similarity two topics must reach to merge
DENSE_WEIGHT = 0.7  # share of the embedding cosine in the blend; the rest is TF-IDF
MAX_QUESTIONS = 4000  # the distance matrix is n² floats; beyond this the newest are kept
LABEL_TERMS = 3


@dataclass
class Topic:
    label: str  # "vpn, split tunnel, ..." — the most characteristic terms
    terms: list[str]
    example: str  # the question nearest the topic's centre
    count: int
    questions: list[str] = field(default_factory=list)  # most typical first
    items: list[int] = field(default_factory=list)  # indexes into the clustered texts

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("items")
        return data


def _stem(term: str) -> str:
    """A crude plural fold so `laptop` and `laptops` count as one term."""
    if len(term) > 4 and term.endswith("s") and not term.endswith(("ss", "us", "is")):
        return term[:-1]
    return term


def _bags(texts: Sequence[str]) -> list[Counter]:
    return [Counter(_stem(t) for t in key_terms(text) if not t.isdigit()) for text in texts]


def lexical_vectors(texts: Sequence[str]) -> np.ndarray:
    """Unit TF-IDF vectors over the terms at least two texts share (zero rows otherwise)."""
    bags = _bags(texts)
    df = Counter(t for bag in bags for t in bag)
    vocab = {t: i for i, t in enumerate(t for t in df if df[t] > 1)}
    matrix = np.zeros((len(texts), max(1, len(vocab))), dtype=np.float32)
    for row, bag in enumerate(bags):
        for term, tf in bag.items():
            if term in vocab:
                matrix[row, vocab[term]] = (1 + math.log(tf)) * math.log(1 + len(texts) / df[term])
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def similarities(
    dense: np.ndarray, texts: Sequence[str], weight: float = DENSE_WEIGHT
) -> np.ndarray:
    """Blended similarity matrix: weight * embedding cosine + (1 - weight) * TF-IDF cosine."""
    lexical = lexical_vectors(texts)
    return weight * (dense @ dense.T) + (1 - weight) * (lexical @ lexical.T)


def assign(similarity: np.ndarray, threshold: float) -> np.ndarray:
    """A cluster number per row of a similarity matrix, average linkage."""
    n = len(similarity)
    if n < 2:
        return np.zeros(n, dtype=int)
    from sklearn.cluster import AgglomerativeClustering

    distances = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    model = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=1.0 - threshold,
    )
    return model.fit_predict(distances)


def _labels(groups: list[list[int]], texts: Sequence[str]) -> list[list[str]]:
    """The LABEL_TERMS most characteristic terms of each group (class-based TF-IDF)."""
    terms = [set(bag) for bag in _bags(texts)]
    surface: dict[str, Counter] = {}
    for text in texts:
        for t in key_terms(text):
            surface.setdefault(_stem(t), Counter())[t] += 1
    df = Counter(t for bag in terms for t in bag)
    n = len(texts)
    labels = []
    for group in groups:
        tf = Counter(t for i in group for t in terms[i])
        scored = sorted(
            tf, key=lambda t: (-(tf[t] / len(group)) * math.log(1 + n / df[t]), -tf[t], t)
        )
        if len(group) > 1 and any(tf[t] > 1 for t in tf):
            scored = [t for t in scored if tf[t] > 1] + [t for t in scored if tf[t] <= 1]
        labels.append([surface[t].most_common(1)[0][0] for t in scored[:LABEL_TERMS]])
    return labels


def cluster(
    texts: Sequence[str],
    embedder,
    *,
    contexts: Sequence[str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Topic]:
    """Topics over `texts`, largest first; every text lands in exactly one topic.

    `contexts[i]` (e.g. the question with the agent's answer) is what gets embedded
    for `texts[i]` when given; labels and the TF-IDF side use `texts` alone.
    """
    texts = list(texts)
    contexts = list(contexts) if contexts is not None else texts
    offset = 0
    if len(texts) > MAX_QUESTIONS:
        log.warning("clustering the last %d of %d questions", MAX_QUESTIONS, len(texts))
        offset = len(texts) - MAX_QUESTIONS
        texts, contexts = texts[offset:], contexts[offset:]
    if not texts:
        return []
    vectors = np.asarray(embedder.encode_queries(contexts), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    numbers = assign(similarities(vectors, texts), threshold)
    groups = [[int(i) for i in np.flatnonzero(numbers == c)] for c in np.unique(numbers)]
    topics = []
    for group, terms in zip(groups, _labels(groups, texts), strict=True):
        centre = vectors[group].mean(axis=0)
        order = sorted(group, key=lambda i: (-float(vectors[i] @ centre), i))
        topics.append(
            Topic(
                label=", ".join(terms) or texts[order[0]][:40],
                terms=terms,
                example=texts[order[0]],
                count=len(group),
                questions=[texts[i] for i in order],
                items=[int(i) + offset for i in order],
            )
        )
    return sorted(topics, key=lambda t: (-t.count, t.label))
