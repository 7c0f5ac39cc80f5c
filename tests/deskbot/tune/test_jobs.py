"""launch / status end to end: the real openai SDK against the local fake fine-tuning API."""

from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace

import pytest

from deskbot.core.config import Settings
from deskbot.tune.registry import Registry, default_path
from deskbot.tune.watch import JobDisplay
from tests.deskbot.tune.conftest import DATA, SECRET

TRAIN = DATA / "valid" / "chat.jsonl"
MODEL = "gpt-4o-mini-2024-07-18"


def registry_of(settings: Settings) -> Registry:
    return Registry.load(default_path(settings.data_dir))


def launch(cli, *extra, code=0):
    return cli("tune", "launch", TRAIN, "--model", MODEL, "--interval", "0", *extra, code=code)


def job_id_of(output: str) -> str:
    return output.split("Started fine-tuning job ")[1].split()[0]


def test_launch_uploads_creates_and_registers(cli, provider, settings, tmp_path):
    val = tmp_path / "val.jsonl"  # a validation set may be small
    val.write_text("".join(TRAIN.read_text().splitlines(keepends=True)[:2]))
    result = launch(cli, "--val", val, "--epochs", "2",
                    "--batch-size", "4", "--lr-multiplier", "0.5", "--suffix", "tone", "--seed", "7")  # fmt: skip
    job_id = job_id_of(result.output)
    assert f"deskbot tune status {job_id} --watch" in result.output
    uploads = provider.calls(r"^/v1/files$", "POST")
    assert len(uploads) == 2
    assert [f.data for f in provider.state.files.values()] == [TRAIN.read_bytes(), val.read_bytes()]
    assert {f.purpose for f in provider.state.files.values()} == {"fine-tune"}
    body = provider.calls(r"^/v1/fine_tuning/jobs$", "POST")[0].json()
    assert body["method"] == {
        "type": "supervised",
        "supervised": {
            "hyperparameters": {"n_epochs": 2, "batch_size": 4, "learning_rate_multiplier": 0.5}
        },
    }
    assert (body["model"], body["suffix"], body["seed"]) == (MODEL, "tone", 7)
    assert body["validation_file"] and body["training_file"] != body["validation_file"]
    entry = registry_of(settings).find(job_id)
    assert entry.training_sha256 == hashlib.sha256(TRAIN.read_bytes()).hexdigest()
    assert (entry.base_model, entry.model, entry.suffix) == (MODEL, "", "tone")
    assert entry.hyperparameters == {
        "n_epochs": 2,
        "batch_size": 4,
        "learning_rate_multiplier": 0.5,
    }
    assert entry.launched_at


def test_status_watch_until_success_registers_the_model(cli, provider, settings):
    job_id = job_id_of(launch(cli).output)
    result = cli("tune", "status", job_id, "--watch", "--interval", "0")
    out = result.output
    for status in ("validating_files", "queued", "running", "succeeded"):
        assert f"Job {job_id}: {status}" in out
    assert "Step 3/3: training loss=0.6667 (train 0.6667, valid 0.7334)" in out
    assert out.count("Step 1/3") == 1  # each event once
    model = provider.state.jobs[job_id].fine_tuned_model
    assert f"TONE_MODEL={model}\n" in out
    entry = registry_of(settings).find(job_id)
    assert (entry.model, entry.status) == (model, "succeeded")
    assert entry.training_sha256 == hashlib.sha256(TRAIN.read_bytes()).hexdigest()
    assert entry.finished_at
    saved = json.loads(default_path(settings.data_dir).read_text())
    assert saved["models"][0]["model"] == model


def test_status_once_shows_the_current_state(cli, provider):
    job_id = job_id_of(launch(cli).output)
    result = cli("tune", "status", job_id)
    assert f"Job {job_id}: validating_files" in result.output
    assert "Created fine-tuning job" in result.output
    assert "TONE_MODEL" not in result.output


def test_job_launched_elsewhere_is_registered_with_the_remote_file_hash(cli, provider, settings):
    import openai

    client = openai.OpenAI(api_key=SECRET, base_url=provider.base_url, max_retries=0)
    file = client.files.create(file=("x.jsonl", TRAIN.read_bytes()), purpose="fine-tune")
    job = client.fine_tuning.jobs.create(model=MODEL, training_file=file.id)
    cli("tune", "status", job.id, "--watch", "--interval", "0")
    entry = registry_of(settings).find(job.id)
    assert entry.training_sha256 == hashlib.sha256(TRAIN.read_bytes()).hexdigest()
    assert entry.model.startswith(f"ft:{MODEL}:")


def test_dpo_files_launch_with_the_dpo_method(cli, provider):
    cli("tune", "launch", DATA / "valid" / "dpo.jsonl", "--model", "gpt-4.1-mini-2025-04-14",
        "--epochs", "1", "--interval", "0")  # fmt: skip
    body = provider.calls(r"^/v1/fine_tuning/jobs$", "POST")[0].json()
    assert body["method"] == {"type": "dpo", "dpo": {"hyperparameters": {"n_epochs": 1}}}


def test_launch_refuses_invalid_files_before_uploading(cli, provider):
    result = cli("tune", "launch", DATA / "invalid" / "no_assistant.jsonl", code=1)
    assert "[no_assistant]" in result.output and "Error:" in result.output
    assert provider.calls(r"^/v1/files") == []


def test_wrong_key_is_a_clear_401_without_the_key(cli, provider, settings):
    wrong = Settings(**{**settings.__dict__, "openai_api_key": SECRET + "-old"})
    result = cli("tune", "launch", TRAIN, "--interval", "0", code=1, settings=wrong)
    assert "rejected the API key (HTTP 401)" in result.output
    assert "Incorrect API key" not in result.output  # the provider's echo is never shown


@pytest.mark.parametrize("status", [400, 404])
def test_unknown_model(cli, provider, status):
    provider.state.unknown_model_status = status
    result = cli("tune", "launch", TRAIN, "--model", "gpt-9-2030-01-01", "--interval", "0", code=1)
    assert "cannot fine-tune 'gpt-9-2030-01-01'" in result.output
    assert f"(HTTP {status})" in result.output


def test_provider_refusal(cli, provider):
    provider.state.refuse = True
    result = launch(cli, code=1)
    assert "refused to create the fine-tuning job (HTTP 403)" in result.output
    assert "Fine-tuning is not available for this organization." in result.output


def test_file_still_processing(cli, provider):
    provider.state.file_processing_polls = 1000
    result = launch(cli, "--file-timeout", "0", code=1)
    assert "is still being processed by the provider" in result.output
    assert provider.state.jobs == {}


def test_file_not_ready_is_retried(cli, provider):
    provider.state.file_processing_polls = 2
    provider.state.not_ready_creates = 2
    launch(cli)
    assert len(provider.calls(r"^/v1/fine_tuning/jobs$", "POST")) == 3
    assert len(provider.calls(r"^/v1/files/file-\d+$", "GET")) == 3  # uploaded, uploaded, processed


def test_failed_job(cli, provider):
    provider.state.fail_job = "Training file has too few examples."
    job_id = job_id_of(launch(cli).output)
    result = cli("tune", "status", job_id, "--watch", "--interval", "0", code=1)
    assert f"Fine-tuning job {job_id} failed: Training file has too few examples." in result.output
    assert "TONE_MODEL" not in result.output


def test_unknown_job(cli):
    result = cli("tune", "status", "ftjob-nope", code=1)
    assert "No fine-tuning job ftjob-nope" in result.output


def test_unreachable_provider(cli):
    result = cli("tune", "status", "ftjob-1", "--base-url", "http://127.0.0.1:9/v1", code=1)
    assert "Cannot reach the fine-tuning API at http://127.0.0.1:9/v1" in result.output


def test_watch_timeout_stops_polling(cli, provider):
    job_id = job_id_of(launch(cli).output)
    result = cli("tune", "status", job_id, "--watch", "--interval", "0", "--timeout", "0")
    assert "succeeded" not in result.output
    assert len(provider.calls(rf"/v1/fine_tuning/jobs/{job_id}$")) == 1


def test_progress_bar_tracks_steps():
    lines: list[str] = []
    display = JobDisplay(lines.append, bar=True)
    for step in (1, 2, 3):
        data = {"step": step, "total_steps": 3, "train_loss": 1.0 / step}
        display.events([SimpleNamespace(created_at=0, message=f"Step {step}/3", data=data)])
    assert (display.bar.n, display.bar.total) == (3, 3)
    display.close()
    assert display.bar is None
