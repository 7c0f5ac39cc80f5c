"""Shared fixtures: one embedding model and one sample-wiki index per test session.

Loading the model costs seconds, so it is loaded once; the sample wiki is ingested
once into an embedded (Edge) index under a session temp folder, through the same
Syncer the CLI uses.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import pytest

from bot.retrieve import Retriever
from deskbot.core.config import Settings
from ingest.embed import Embedder, resolve_model
from ingest.index import open_index

ROOT = Path(__file__).resolve().parent.parent
WIKI = ROOT / "examples" / "wiki"
DATA = Path(__file__).resolve().parent / "data"
BENCH_SLICE = DATA / "bench_slice"
SLICE_CORPORA = ("git", "handbook")


# What loading the embedding model imports (torch through sentence-transformers, or ONNX
# Runtime): seconds of work that `make test-fast` leaves out.
MODEL_LIBRARIES = ("sentence_transformers", "onnxruntime")
MODEL_FIXTURES = {"embedder", "torch_embedder"}  # the session's model, on ONNX and on torch


def pytest_collection_modifyitems(config, items):
    """Every test that uses the embedding model (through the `embedder` or `torch_embedder`
    fixture; the index, retriever and CLI-wiki fixtures build on `embedder`) is marked `slow`, so `make test-fast`
    (`-m "not slow"`) runs the rest in seconds. Tests that load it another way (through the
    CLI, in a child process) carry `@pytest.mark.slow` themselves."""
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def _model_guard(item):
    """Fail a test not marked `slow` that loads the embedding model in this process.

    Caught when it is the first in the session to load it, which `make test-fast` always
    is (no slow test runs before it)."""
    before = {name for name in MODEL_LIBRARIES if name in sys.modules}
    result = yield
    loaded = [name for name in MODEL_LIBRARIES if name in sys.modules and name not in before]
    if loaded and item.get_closest_marker("slow") is None:
        pytest.fail(
            f"{item.nodeid} loads the embedding model ({', '.join(loaded)} imported) but is not "
            "marked slow: use the `embedder` fixture, or mark it @pytest.mark.slow",
            pytrace=False,
        )
    return result


pytest_runtest_setup = pytest.hookimpl(wrapper=True)(_model_guard)
pytest_runtest_call = pytest.hookimpl(wrapper=True)(_model_guard)


@pytest.fixture(autouse=True)
def _no_dotenv_or_cwd_data(tmp_path, monkeypatch):
    """Tests never read a developer's .env or write into the checkout's ./data."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def _fresh_log_filters():
    """A CLI run installs the redacting filter on every root handler, pytest's included:
    take it off again so later tests see what code really logs."""
    yield
    from deskbot.core.logs import RedactingFilter

    for handler in logging.getLogger().handlers:
        handler.filters = [f for f in handler.filters if not isinstance(f, RedactingFilter)]


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    """One ONNX export of the model per test session (EMBEDDING_CACHE_DIR)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session", autouse=True)
def _shared_model_cache(models_dir):
    """Every CLI run and subprocess in the session reuses the session's ONNX export."""
    before = os.environ.get("EMBEDDING_CACHE_DIR")
    os.environ["EMBEDDING_CACHE_DIR"] = str(models_dir)
    yield
    if before is None:
        os.environ.pop("EMBEDDING_CACHE_DIR", None)
    else:
        os.environ["EMBEDDING_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def embedder(models_dir) -> Embedder:
    """The default embedder: ONNX Runtime, exported (and checked against torch) once."""
    loaded = Embedder(resolve_model(None), batch_size=64, backend="onnx", models_dir=models_dir)
    assert loaded.backend == "onnx"
    return loaded


@pytest.fixture(scope="session")
def torch_embedder() -> Embedder:
    """The same model on sentence-transformers (torch): the reference and the fallback."""
    return Embedder(resolve_model(None), batch_size=64, backend="torch")


@pytest.fixture(scope="session")
def wiki_index(tmp_path_factory, embedder):
    """The sample wiki, ingested once into an embedded Edge index (read-only for tests)."""
    from ingest.sources.files import FilesSource
    from ingest.sync import Syncer

    path = tmp_path_factory.mktemp("qdrant")
    index = open_index(collection="deskbot", path=path)
    Syncer(index, embedder).run(FilesSource(WIKI))
    yield index
    index.close()


@pytest.fixture(scope="session")
def slice_index(tmp_path_factory, embedder):
    """The committed benchmark slice (git manual pages + Debian handbook sections), one
    source per corpus, ingested once into an embedded Edge index (read-only for tests)."""
    from ingest.sources.files import FilesSource
    from ingest.sync import Syncer

    index = open_index(collection="slice", path=tmp_path_factory.mktemp("slice"))
    syncer = Syncer(index, embedder)
    for corpus in SLICE_CORPORA:
        syncer.run(FilesSource(BENCH_SLICE / corpus))
    yield index
    index.close()


@pytest.fixture(scope="session")
def wiki_retriever(wiki_index, embedder) -> Retriever:
    settings = Settings()
    return Retriever(
        wiki_index,
        embedder,
        top_k=settings.top_k,
        threshold=settings.score_threshold,
        coverage_threshold=settings.coverage_threshold,
    )


def settings_under(root: Path, **extra) -> Settings:
    """Settings pointing every file the app writes under `root`."""
    return Settings(
        data_dir=root / "data",
        qdrant_path=root / "data" / "qdrant",
        db_path=root / "data" / "deskbot.sqlite3",
        **extra,
    )


def isolated_env(root: Path, **extra: str | None) -> dict[str, str | None]:
    """The environment of a CLI run (`CliRunner(env=…)`) that keeps every file under `root`
    and ignores a developer's model, tone and price settings (None unsets a variable)."""
    return {
        "DESKBOT_DATA_DIR": str(root / "data"),
        "QDRANT_PATH": str(root / "data" / "qdrant"),
        "QDRANT_URL": None,
        "DESKBOT_DB": str(root / "data" / "deskbot.sqlite3"),
        "OPENAI_API_KEY": None,
        "OPENAI_BASE_URL": None,
        "TONE_MODEL": None,
        "TONE_EXAMPLES": None,
        "PRICES_FILE": None,
        **extra,
    }


@pytest.fixture
def settings(tmp_path, models_dir) -> Settings:
    """Settings pointing every file the app writes into the test's temp folder
    (except the session's shared ONNX export of the model)."""
    return settings_under(tmp_path, models_dir=models_dir)
