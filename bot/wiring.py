"""Builds the runtime objects from Settings: the only place that knows how they fit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.retrieve import Retriever
from deskbot.core.config import Settings
from deskbot.core.prices import PriceTable
from ingest.embed import Embedder
from ingest.index import Index, open_index

if TYPE_CHECKING:  # the answering side is imported lazily (openai is slow to import)
    import openai

    from bot.answer import Answerer
    from bot.languages import Languages
    from bot.store import Store


def build_source(spec: str, settings: Settings):
    """The source for one spec (a folder, `confluence:KEYS`, a Confluence page URL)."""
    from ingest.sources import ConfluenceAccess, open_source

    access = ConfluenceAccess(
        url=settings.confluence_url,
        email=settings.confluence_email,
        api_token=settings.confluence_api_token,
        pat=settings.confluence_pat,
        exclude_labels=settings.confluence_exclude_labels,
        deadline_seconds=settings.source_deadline_seconds,
    )
    return open_source(spec, access)


def build_index(settings: Settings) -> Index:
    """The embedded Edge index under QDRANT_PATH, or a server at QDRANT_URL."""
    return open_index(
        collection=settings.collection,
        path=settings.qdrant_path,
        url=settings.qdrant_url,
        api_key=settings.qdrant_api_key,
    )


def build_embedder(settings: Settings) -> Embedder:
    """The embedding model on EMBEDDING_BACKEND (ONNX export kept under DESKBOT_DATA_DIR/models)."""
    return Embedder.from_settings(
        settings.embedding_model,
        settings.embedding_batch_size,
        backend=settings.embedding_backend,
        models_dir=settings.models_dir,
    )


def build_retriever(
    settings: Settings, *, index: Index | None = None, embedder: Embedder | None = None
) -> Retriever:
    """Open the index for searching; a model mismatch is an error, not silent garbage."""
    index = index or build_index(settings)
    embedder = embedder or build_embedder(settings)
    index.check(embedder.name, embedder.dimension, model_sha256=embedder.model_sha256)
    reranker = None
    if settings.reranker_model:
        from bot.rerank import CrossEncoderReranker

        reranker = CrossEncoderReranker(settings.reranker_model)
    return Retriever(
        index,
        embedder,
        top_k=settings.top_k,
        threshold=settings.score_threshold,
        coverage_threshold=settings.coverage_threshold,
        reranker=reranker,
    )


def build_languages(settings: Settings, retriever) -> Languages:
    """The wiki's language (WIKI_LANGUAGE, else the index's) and whether the embedder
    matches questions across languages (EMBEDDING_MULTILINGUAL, else by model name)."""
    from bot.languages import Languages, is_multilingual

    index = getattr(retriever, "index", None)
    meta = index.read_meta() if index is not None else None
    embedder = getattr(retriever, "embedder", None)
    multilingual = settings.embedding_multilingual
    if multilingual is None:
        multilingual = is_multilingual(getattr(embedder, "name", "") or "")
    wiki = settings.wiki_language or (meta.language if meta else None) or "en"
    return Languages(wiki=wiki, multilingual_search=multilingual)


def build_answerer(
    settings: Settings,
    *,
    retriever: Retriever | None = None,
    store: Store | None = None,
    llm_client: openai.OpenAI | None = None,
    tone_client: openai.OpenAI | None = None,
    embedder: Embedder | None = None,
    prices: PriceTable | None = None,
) -> Answerer:
    """The Answerer: retriever, answer model (if configured), tone pass, store, prices
    (`prices=None` loads PRICES_FILE, or the bundled table).

    `store=None` opens the Store at DESKBOT_DB; pass `Store(":memory:")` to keep a run
    (e.g. the simulator's) out of it. `llm_client`/`tone_client` are `openai.OpenAI`
    clients; by default they are built from settings, and with neither OPENAI_API_KEY nor
    OPENAI_BASE_URL set, answers are extractive (no model).
    """
    from bot.answer import Answerer
    from bot.store import Store
    from bot.tone import StyleExamples
    from deskbot.core.prices import load_prices

    retriever = retriever or build_retriever(settings)
    if llm_client is None and (settings.openai_api_key or settings.openai_base_url):
        llm_client = _openai_client(settings.openai_api_key, settings.openai_base_url, settings)
    model = _chat_model(llm_client, settings.answer_model, settings, "OPENAI_API_KEY")
    style = None
    if settings.tone_examples and model is not None:
        embedder = embedder or getattr(retriever, "embedder", None) or build_embedder(settings)
        style = StyleExamples.load(settings.tone_examples, embedder)
    return Answerer(
        retriever,
        model=model,
        restyler=_restyler(settings, tone_client, llm_client),
        style=style,
        store=Store(settings.db_path) if store is None else store,
        prices=load_prices(settings.prices_file) if prices is None else prices,
        escalation=settings.escalation_text,
        languages=build_languages(settings, retriever),
    )


def _openai_client(api_key: str | None, base_url: str | None, settings: Settings):
    from bot.llm import build_openai_client

    return build_openai_client(api_key, base_url, settings.llm_timeout)


def _chat_model(client, model: str, settings: Settings, key_setting: str):
    from bot.llm import ChatModel

    if client is None:
        return None
    return ChatModel(client, model, max_retries=settings.llm_max_retries, key_setting=key_setting)


def _restyler(settings: Settings, tone_client, llm_client):
    """The tone pass when TONE_MODEL is set; its endpoint defaults to the answer model's."""
    from bot.tone import Restyler

    if not settings.tone_model:
        return None
    if tone_client is None and (settings.tone_base_url or settings.tone_api_key):
        tone_client = _openai_client(
            settings.tone_api_key or settings.openai_api_key,
            settings.tone_base_url or settings.openai_base_url,
            settings,
        )
    key_setting = "TONE_API_KEY" if settings.tone_api_key else "OPENAI_API_KEY"
    model = _chat_model(tone_client or llm_client, settings.tone_model, settings, key_setting)
    return Restyler(model) if model is not None else None
