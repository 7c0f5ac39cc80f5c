"""The ONNX Runtime path: same vectors and tokens as torch, a trusted export, a torch fallback.

The session's `embedder` is the ONNX one (exported once into `models_dir`); the tests
that need an export of their own copy the model folder or the export into tmp_path.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
from transformers import AutoTokenizer

from deskbot.core.errors import ModelMismatchError
from ingest.chunk import Chunker
from ingest.embed import Embedder, ModelSource, resolve_model
from ingest.embed_onnx import load_tokenizer
from ingest.index import open_index
from ingest.model_folder import ModelFolder
from ingest.onnx_cache import FORMAT, ONNX_FILE, SIDECAR, cache_dir, read_sidecar, stale_reason
from ingest.onnx_export import MIN_COSINE, verification_texts
from ingest.onnx_layout import ALIGNMENT, rows_file, weights_file
from ingest.parse import parse
from ingest.sources.files import FilesSource
from tests.conftest import WIKI
from tests.ingest.test_chunk import page, random_sections

BUNDLED = Path(resolve_model(None).location)


def wiki_chunk_texts(tokenizer) -> list[str]:
    chunker = Chunker(tokenizer, 256)
    return [
        c.embedding_text
        for d in FilesSource(WIKI).iter_documents()
        for c in chunker.chunk(d, parse(d))
    ]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1)


# --- same vectors, same tokens ------------------------------------------------------------


def test_onnx_matches_torch_on_wiki_random_and_edge_texts(embedder, torch_embedder):
    edge = verification_texts(BUNDLED, 256, seed=99)  # other random texts than the export's
    texts = wiki_chunk_texts(embedder.tokenizer)[::6] + edge
    fast = AutoTokenizer.from_pretrained(BUNDLED)
    lengths = [len(fast(t)["input_ids"]) for t in texts]
    assert 256 in lengths and max(lengths) > 256  # the edge, and past it (truncated)
    worst = cosines(embedder.encode_documents(texts), torch_embedder.encode_documents(texts))
    assert worst.min() >= MIN_COSINE, f"lowest cosine {worst.min()} at {worst.argmin()}"


def test_single_queries_match_torch(embedder, torch_embedder):
    queries = ["How do I connect to the VPN from home?", "wifi", "Wer zahlt die Reisekosten?"]
    for query in queries:
        got = embedder.encode_queries([query])
        assert cosines(got, torch_embedder.encode_queries([query]))[0] >= MIN_COSINE


def test_idle_runtime_threads_sleep(embedder):
    """No spinning worker threads: on a shared CPU they doubled a query's CPU time."""
    options = embedder.encoder.session.get_session_options()
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_chunker_counts_the_same_tokens_on_both_paths(embedder, torch_embedder):
    onnx_chunker = Chunker(embedder.tokenizer, embedder.max_seq_length)
    torch_chunker = Chunker(torch_embedder.tokenizer, torch_embedder.max_seq_length)
    assert embedder.max_seq_length == torch_embedder.max_seq_length == 256
    rng = random.Random(5)
    docs = [(page(), random_sections(rng)) for _ in range(8)]
    docs += [(d, parse(d)) for d in FilesSource(WIKI).iter_documents()]
    for doc, sections in docs:
        ours, theirs = onnx_chunker.chunk(doc, sections), torch_chunker.chunk(doc, sections)
        assert [c.embedding_text for c in ours] == [c.embedding_text for c in theirs]
        counts = [len(torch_embedder.tokenizer(c.embedding_text)["input_ids"]) for c in ours]
        assert max(counts) <= 256
    assert embedder.tokenizer.truncation["max_length"] == 256  # the chunker used a private copy


def test_runtime_tokenizer_truncates_like_sentence_transformers(torch_embedder):
    texts = verification_texts(BUNDLED, 256, seed=3)
    ours = load_tokenizer(BUNDLED, 256).encode_batch(texts)
    theirs = torch_embedder.encoder.model.preprocess(texts)
    ids, mask = theirs["input_ids"].numpy(), theirs["attention_mask"].numpy()
    assert [e.ids for e in ours] == [ids[n][mask[n] == 1].tolist() for n in range(len(texts))]


def test_switching_backends_needs_no_reindex(wiki_index, embedder, torch_embedder):
    assert embedder.name == torch_embedder.name
    assert embedder.model_sha256 == torch_embedder.model_sha256 is not None
    meta = wiki_index.read_meta()
    assert meta.model_sha256 == embedder.model_sha256 and meta.model == embedder.name
    wiki_index.check(
        torch_embedder.name, torch_embedder.dimension, model_sha256=torch_embedder.model_sha256
    )
    from bot.retrieve import Retriever

    question = "How do I connect to the VPN from home?"
    onnx_hits = Retriever(wiki_index, embedder).search(question)
    torch_hits = Retriever(wiki_index, torch_embedder).search(question)
    assert onnx_hits[0].point_id == torch_hits[0].point_id
    # near-ties further down may swap on float noise; every shared passage scores the same
    theirs = {h.point_id: h.score for h in torch_hits}
    shared = [h for h in onnx_hits if h.point_id in theirs]
    assert len(shared) >= len(onnx_hits) - 1
    assert all(h.score == pytest.approx(theirs[h.point_id], abs=1e-3) for h in shared)


# --- the cached export: re-export, corruption, fallback ----------------------------------


def copy_export(models_dir: Path, folder: Path, target_models: Path) -> Path:
    """Put the session's verified export where `folder`'s export would live (no torch)."""
    source = cache_dir(models_dir, ModelFolder(BUNDLED), resolve_model(None).name)
    target = cache_dir(target_models, ModelFolder(folder), str(folder))
    shutil.copytree(source, target)
    return target


def copy_model(tmp_path: Path) -> Path:
    folder = tmp_path / "minilm"
    shutil.copytree(BUNDLED, folder)
    return folder


def onnx_embedder(folder: Path, models: Path) -> Embedder:
    return Embedder(ModelSource(str(folder), str(folder)), backend="onnx", models_dir=models)


@pytest.mark.slow  # loads the embedding model (not through the `embedder` fixture)
def test_a_changed_source_model_is_exported_again(tmp_path, models_dir, caplog):
    from safetensors.numpy import load_file, save_file

    caplog.set_level(logging.INFO, logger="ingest.onnx_cache")
    folder, models = copy_model(tmp_path), tmp_path / "models"
    directory = copy_export(models_dir, folder, models)
    first = onnx_embedder(folder, models)
    assert first.backend == "onnx" and "Preparing" not in caplog.text  # the copy was reused
    before = first.encode_queries(["reset my password"])

    weights = load_file(folder / "model.safetensors")
    name = next(k for k in weights if k.endswith("word_embeddings.weight"))
    weights[name] = weights[name] * np.float32(1.5)
    save_file(weights, folder / "model.safetensors", metadata={"format": "pt"})
    assert stale_reason(directory, ModelFolder(folder).identity()) == (
        "the source model's files changed since the export"
    )

    second = onnx_embedder(folder, models)
    assert second.backend == "onnx" and "Preparing the ONNX embedding model" in caplog.text
    sidecar = read_sidecar(directory)
    assert sidecar["source"]["identity"] == second.model_sha256 != first.model_sha256
    after = second.encode_queries(["reset my password"])
    assert cosines(before, after)[0] < 0.9999  # new weights, new vectors
    index = open_index(collection="t", path=tmp_path / "qdrant")
    index.ensure(first.name, first.dimension, {}, model_sha256=first.model_sha256)
    with pytest.raises(ModelMismatchError, match="other weights"):
        index.check(second.name, second.dimension, model_sha256=second.model_sha256)
    index.close()


def _flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = os.urandom(64)
    path.write_bytes(bytes(data))


def garbage_with_matching_checksum(directory: Path) -> None:
    """A file ONNX Runtime cannot load, with a sidecar that vouches for its checksum."""
    from ingest.model_folder import sha256_file

    (directory / ONNX_FILE).write_bytes(b"not an onnx model")
    sidecar = read_sidecar(directory)
    sidecar["sha256"][ONNX_FILE] = sha256_file(directory / ONNX_FILE)
    (directory / SIDECAR).write_text(json.dumps(sidecar))


def copy_session_export(models_dir: Path, models: Path) -> Path:
    """The session's export of the bundled model, copied to where `models` keeps it."""
    name = resolve_model(None).name
    directory = cache_dir(models, ModelFolder(BUNDLED), name)
    shutil.copytree(cache_dir(models_dir, ModelFolder(BUNDLED), name), directory)
    return directory


@pytest.mark.slow  # loads the embedding model (not through the `embedder` fixture)
@pytest.mark.parametrize("damaged", [ONNX_FILE, ONNX_FILE + ".data", ONNX_FILE + ".rows"])
def test_a_corrupt_export_is_detected_and_rebuilt(tmp_path, models_dir, caplog, damaged):
    models = tmp_path / "models"
    directory = copy_session_export(models_dir, models)
    good = read_sidecar(directory)["sha256"]
    assert set(good) == {ONNX_FILE, ONNX_FILE + ".data", ONNX_FILE + ".rows"}
    _flip_bytes(directory / damaged)
    caplog.set_level(logging.INFO, logger="ingest.onnx_cache")
    rebuilt = Embedder(resolve_model(None), backend="onnx", models_dir=models)
    assert rebuilt.backend == "onnx"
    assert f"{damaged} is corrupt (its checksum does not match the sidecar)" in caplog.text
    assert read_sidecar(directory)["sha256"] == good  # the same deterministic export again
    assert stale_reason(directory, rebuilt.model_sha256) is None


def test_a_missing_export_file_makes_the_export_stale(tmp_path, models_dir, embedder):
    directory = copy_session_export(models_dir, tmp_path / "models")
    rows = rows_file(directory / ONNX_FILE)
    rows.unlink()
    assert stale_reason(directory, embedder.model_sha256) == f"{rows} is missing"


def test_the_export_keeps_its_weights_mapped_and_its_token_table_out_of_memory(embedder):
    """The graph file holds no big tensor: the token-embedding table is in model.onnx.rows,
    read row by row (never mapped), the others sit 64 KiB-aligned in model.onnx.data, which
    the running session maps rather than copying into its heap."""
    import onnx

    graph_file = embedder.encoder.path
    model = onnx.load(str(graph_file), load_external_data=False)
    outside = [t for t in model.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
    inside = [t for t in model.graph.initializer if t.data_location != onnx.TensorProto.EXTERNAL]
    assert "model.embeddings.word_embeddings.weight" not in {
        t.name for t in model.graph.initializer
    }
    assert rows_file(graph_file).stat().st_size == 30522 * 384 * 4
    assert embedder.encoder.token_rows.input in {i.name for i in model.graph.input}
    # the position table, and per layer Q/K/V (packed into one by the fusion), the output
    # projection and the two feed-forward matrices
    assert len(outside) >= 1 + 6 * 4 and all(len(t.raw_data) < ALIGNMENT for t in inside)
    places = [{e.key: e.value for e in t.external_data} for t in outside]
    assert {p["location"] for p in places} == {weights_file(graph_file).name}
    assert all(int(p["offset"]) % ALIGNMENT == 0 for p in places)
    embedder.encode_queries(["How do I connect to the VPN from home?"])
    maps = Path("/proc/self/maps")
    if maps.exists():
        mapped = maps.read_text()
        assert str(weights_file(graph_file).resolve()) in mapped
        assert str(rows_file(graph_file).resolve()) not in mapped


def test_every_layers_attention_is_fused_into_one_runtime_op(embedder):
    """MiniLM's six layers each run as one ONNX Runtime `Attention` node (traced with eager
    attention, fused by ONNX Runtime's BERT fusions); the sidecar says so."""
    import onnx

    model = onnx.load(str(embedder.encoder.path), load_external_data=False)
    ops = [node.op_type for node in model.graph.node]
    assert ops.count("Attention") == 6 and ops.count("SkipLayerNormalization") == 12
    assert "Softmax" not in ops  # no attention left unfused
    fused = read_sidecar(embedder.encoder.path.parent)["exporter"]["fused"]
    assert fused["Attention"] == 6


def test_token_rows_are_the_tables_rows(embedder):
    table = np.fromfile(rows_file(embedder.encoder.path), dtype="<f4").reshape(30522, 384)
    ids = np.array([[101, 2129, 2079, 102, 0], [101, 30521, 102, 0, 0]])
    assert np.array_equal(embedder.encoder.token_rows(ids), table[ids])
    with pytest.raises(ValueError, match="token ids outside"):
        embedder.encoder.token_rows(np.array([[30522]]))


def test_the_laid_out_export_gives_exactly_the_one_file_exports_vectors(
    tmp_path, embedder, torch_embedder
):
    """Taking the token table out of the graph changes where numbers live, not one bit of
    any vector: the same texts through a plain one-file export of the same weights."""
    from ingest.embed_onnx import OnnxEncoder
    from ingest.onnx_export import _export, fuse_attention

    folder = resolve_model(None).folder
    plain = tmp_path / "plain.onnx"
    auto_model = torch_embedder.encoder.model[0].auto_model
    _export(auto_model, plain)
    assert fuse_attention(plain, auto_model.config)["Attention"] == 6
    encoder = embedder.encoder
    one_file = OnnxEncoder(
        plain, folder.path, max_seq_length=encoder.max_seq_length, dimension=encoder.dimension
    )
    assert one_file.token_rows is None and encoder.token_rows is not None
    texts = verification_texts(folder.path, encoder.max_seq_length)
    texts += ["", "Как подключиться к VPN?", "VPN に接続するには?", "🙂 ok", "x" * 5000]
    for batch in (texts, texts[:1], texts[-3:]):
        assert np.array_equal(encoder.encode(batch), one_file.encode(batch))


@pytest.mark.slow  # loads the embedding model (not through the `embedder` fixture)
def test_an_export_in_the_previous_layout_is_exported_again_once(tmp_path, models_dir, caplog):
    """What the previous release left (format 2: token table in model.onnx.data, one key
    per file's checksum) is re-exported on first use, then reused."""
    models = tmp_path / "models"
    directory = copy_session_export(models_dir, models)
    sidecar = read_sidecar(directory)
    digests = sidecar.pop("sha256")
    sidecar |= {"format": 2, "onnx_sha256": digests[ONNX_FILE]}
    sidecar["weights_sha256"] = digests[ONNX_FILE + ".data"]
    (directory / SIDECAR).write_text(json.dumps(sidecar))
    rows_file(directory / ONNX_FILE).unlink()
    caplog.set_level(logging.INFO, logger="ingest.onnx_cache")
    first = Embedder(resolve_model(None), backend="onnx", models_dir=models)
    assert first.backend == "onnx"
    assert "(the export was made by another version of deskbot)" in caplog.text
    assert (
        read_sidecar(directory)["format"] == FORMAT and read_sidecar(directory)["sha256"] == digests
    )
    caplog.clear()
    again = Embedder(resolve_model(None), backend="onnx", models_dir=models)
    assert again.backend == "onnx" and "Preparing" not in caplog.text


def test_a_model_onnx_cannot_reproduce_runs_on_torch_with_one_log_line(tmp_path, caplog):
    folder = tmp_path / "cls-pooled"
    folder.mkdir()
    for item in BUNDLED.iterdir():
        if item.name != "1_Pooling":
            (folder / item.name).symlink_to(item)
    (folder / "1_Pooling").mkdir()
    pooling = json.loads((BUNDLED / "1_Pooling" / "config.json").read_text())
    pooling.update(pooling_mode_cls_token=True, pooling_mode_mean_tokens=False)
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(pooling))

    caplog.set_level(logging.INFO)
    cls = onnx_embedder(folder, tmp_path / "models")
    assert cls.backend == "torch"
    lines = [r.getMessage() for r in caplog.records if r.name == "ingest.embed"]
    assert lines == [
        f"Embedding model {folder} runs on torch, not ONNX Runtime: its pooling is not plain mean pooling."
    ]
    assert not (tmp_path / "models").exists()  # nothing was exported
    vector = cls.encode_queries(["reset my password"])
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_an_unwritable_cache_falls_back_to_torch(tmp_path, caplog):
    blocked = tmp_path / "models"
    blocked.write_text("a file where the cache folder should be")
    fallback = Embedder(resolve_model(None), backend="onnx", models_dir=blocked)
    assert fallback.backend == "torch"
    assert "runs on torch, not ONNX Runtime" in caplog.text


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda f: (f / "tokenizer.json").unlink(), "no tokenizer.json"),
        (lambda f: _edit_json(f / "sentence_bert_config.json", do_lower_case=True), "lower-cases"),
        (
            lambda f: _edit_json(f / "config_sentence_transformers.json", default_prompt_name="q"),
            "default prompt",
        ),
        (
            lambda f: (f / "modules.json").write_text('[{"type": "x.Transformer", "path": ""}]'),
            "modules",
        ),
    ],
)
def test_pipelines_onnx_cannot_reproduce_are_named(tmp_path, edit, reason):
    folder = tmp_path / "m"
    folder.mkdir()
    for item in BUNDLED.iterdir():
        if item.is_file() and item.suffix == ".json":
            shutil.copyfile(item, folder / item.name)
        else:
            (folder / item.name).symlink_to(item)
    assert ModelFolder(folder).pipeline_problem() is None
    edit(folder)
    assert reason in ModelFolder(folder).pipeline_problem()


def _edit_json(path: Path, **changes) -> None:
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_identity_ignores_json_formatting_but_not_content(tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(BUNDLED, folder, ignore=shutil.ignore_patterns("model.safetensors"))
    (folder / "model.safetensors").symlink_to(BUNDLED / "model.safetensors")
    identity = ModelFolder(folder).identity()
    assert identity == ModelFolder(BUNDLED).identity()
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps(config, indent=8))
    assert ModelFolder(folder).identity() == identity
    _edit_json(folder / "config.json", hidden_act="relu")
    assert ModelFolder(folder).identity() != identity
