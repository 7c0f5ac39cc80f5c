"""A fake OpenAI fine-tuning API (files, fine-tuning jobs, models) for the real `openai` SDK.

    with FakeOpenAITuning(models=DEFAULT_MODELS) as fake:
        client = openai.OpenAI(api_key="sk-test", base_url=fake.base_url, max_retries=0)
        ...
        fake.state.jobs["ftjob-1"].status

`add_tuning_routes(service)` mounts the same routes on any FakeService (for
instance next to `tests.fakes.openai_chat.add_chat_routes`), and returns the
`TuningState` that drives them. A job moves validating_files -> queued -> running
(one metrics event per poll, with train and valid loss) -> succeeded, one step per
GET of the job. Failure knobs on the state:

- `api_keys`: only these keys are accepted; others get a 401 that echoes the key
  (as some proxies do; our output must still never show it);
- `refuse`: job creation answers 403 "fine-tuning is not available";
- `unknown_model_status`: 400 (OpenAI's answer) or 404 for models not in `models`
  or not fine-tunable;
- `file_processing_polls`: uploads stay "uploaded" for this many retrieves;
- `not_ready_creates`: the first N job creations answer 400 "file not ready";
- `fail_job`: jobs end "failed" with this error message instead of succeeding.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import unquote

from tests.fakes.http import FakeService, Reply, Request

DAY = 86_400
DEFAULT_MODELS = {
    "gpt-4o-mini-2024-07-18": {"fine_tunable": True},
    "gpt-4.1-mini-2025-04-14": {"fine_tunable": True},
    "gpt-4.1-2025-04-14": {"fine_tunable": True},
    "gpt-4o-mini": {},
}


def error(status: int, message: str, kind: str = "invalid_request_error", code=None, param=None):
    return Reply(
        status, {"error": {"message": message, "type": kind, "param": param, "code": code}}
    )


@dataclass
class FakeFile:
    id: str
    filename: str
    purpose: str
    data: bytes
    created_at: int
    polls_left: int = 0

    def body(self) -> dict:
        status = "uploaded" if self.polls_left > 0 else "processed"
        return {
            "object": "file",
            "id": self.id,
            "bytes": len(self.data),
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": status,
        }


@dataclass
class FakeJob:
    id: str
    model: str
    training_file: str
    validation_file: str | None
    method: dict
    suffix: str | None
    seed: int
    created_at: int
    status: str = "validating_files"
    polls: int = 0
    events: list[dict] = field(default_factory=list)  # oldest first
    fine_tuned_model: str | None = None
    error: dict | None = None
    trained_tokens: int | None = None
    finished_at: int | None = None


@dataclass
class TuningState:
    models: dict[str, dict] = field(
        default_factory=lambda: {name: dict(info) for name, info in DEFAULT_MODELS.items()}
    )
    api_keys: tuple[str, ...] | None = None
    refuse: bool = False
    unknown_model_status: int = 400
    file_processing_polls: int = 0
    not_ready_creates: int = 0
    fail_job: str | None = None
    steps: int = 3
    org: str = "fake-org"
    files: dict[str, FakeFile] = field(default_factory=dict)
    jobs: dict[str, FakeJob] = field(default_factory=dict)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # --- helpers ---------------------------------------------------------------------
    def authorize(self, request: Request) -> Reply | None:
        key = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if self.api_keys is not None and key not in self.api_keys:
            return error(401, f"Incorrect API key provided: {key}.", code="invalid_api_key")
        return None

    def event(self, job: FakeJob, message: str, data: dict | None = None, kind="message"):
        job.events.append(
            {
                "object": "fine_tuning.job.event",
                "id": f"ftevent-{next(self.ids)}",
                "created_at": int(time.time()),
                "level": "info",
                "message": message,
                "data": data or {},
                "type": kind,
            }
        )

    def job_body(self, job: FakeJob) -> dict:
        hyper = (job.method.get(job.method.get("type", "supervised")) or {}).get(
            "hyperparameters", {}
        )
        return {
            "object": "fine_tuning.job",
            "id": job.id,
            "model": job.model,
            "created_at": job.created_at,
            "finished_at": job.finished_at,
            "fine_tuned_model": job.fine_tuned_model,
            "organization_id": self.org,
            "result_files": [],
            "status": job.status,
            "validation_file": job.validation_file,
            "training_file": job.training_file,
            "hyperparameters": {
                "n_epochs": hyper.get("n_epochs", "auto"),
                "batch_size": hyper.get("batch_size", "auto"),
                "learning_rate_multiplier": hyper.get("learning_rate_multiplier", "auto"),
            },
            "method": job.method,
            "trained_tokens": job.trained_tokens,
            "error": job.error,
            "seed": job.seed,
            "estimated_finish": None,
            "integrations": [],
            "metadata": None,
        }

    def advance(self, job: FakeJob) -> None:
        """One poll's worth of progress."""
        if job.status in ("succeeded", "failed", "cancelled"):
            return
        job.polls += 1
        if job.status == "validating_files":
            job.status = "queued"
            self.event(job, "Files validated, moving job to queued state")
        elif job.status == "queued":
            job.status = "running"
            self.event(job, "Fine-tuning job started")
        elif job.status == "running":
            step = sum(1 for e in job.events if e["type"] == "metrics") + 1
            if step <= self.steps:
                loss = round(2.0 / step, 4)
                data = {
                    "step": step,
                    "total_steps": self.steps,
                    "train_loss": loss,
                    "valid_loss": round(loss * 1.1, 4),
                }
                self.event(job, f"Step {step}/{self.steps}: training loss={loss}", data, "metrics")
            else:
                self.finish(job)

    def finish(self, job: FakeJob) -> None:
        job.finished_at = int(time.time())
        if self.fail_job:
            job.status = "failed"
            job.error = {
                "code": "invalid_training_file",
                "message": self.fail_job,
                "param": "training_file",
            }
            self.event(job, f"Fine-tuning job failed: {self.fail_job}")
            return
        job.status = "succeeded"
        suffix = job.suffix or ""
        job.fine_tuned_model = f"ft:{job.model}:{self.org}:{suffix}:{job.id[-8:]}"
        job.trained_tokens = len(self.files[job.training_file].data) // 4 * 3
        self.models[job.fine_tuned_model] = {"owned_by": self.org}
        self.event(job, f"New fine-tuned model created: {job.fine_tuned_model}")
        self.event(job, "The job has successfully completed")


def _multipart(request: Request) -> dict[str, tuple[str | None, bytes]]:
    """name -> (filename, content) of a multipart/form-data body."""
    head = f"Content-Type: {request.headers.get('content-type', '')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts[name] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return parts


def _list(data: list) -> dict:
    return {"object": "list", "data": data, "has_more": False}


class TuningRoutes:
    """The request handlers, one method per endpoint, over one TuningState."""

    def __init__(self, state: TuningState) -> None:
        self.state = state

    def upload(self, request: Request) -> Reply:
        parts = _multipart(request)
        if "file" not in parts or "purpose" not in parts:
            return error(400, "file and purpose are required", param="file")
        filename, data = parts["file"]
        state = self.state
        file = FakeFile(
            f"file-{next(state.ids)}",
            filename or "upload.jsonl",
            parts["purpose"][1].decode(),
            data,
            int(time.time()),
            state.file_processing_polls,
        )
        state.files[file.id] = file
        return Reply(200, file.body())

    def get_file(self, request: Request) -> Reply:
        file = self.state.files.get(request.match.group(1))
        if file is None:
            return error(404, f"No such File object: {request.match.group(1)}", param="id")
        body = file.body()
        file.polls_left = max(0, file.polls_left - 1)
        return Reply(200, body)

    def file_content(self, request: Request) -> Reply:
        file = self.state.files.get(request.match.group(1))
        return Reply(200, file.data) if file else error(404, "No such File object")

    def _refusal(self, body: dict) -> Reply | None:
        state, model = self.state, body.get("model", "")
        if state.refuse:
            return error(
                403,
                "Fine-tuning is not available for this organization.",
                code="fine_tuning_unavailable",
            )
        if not state.models.get(model, {}).get("fine_tunable"):
            return error(
                state.unknown_model_status,
                f"Model {model} is not available for fine-tuning or does not exist.",
                code="model_not_available",
                param="model",
            )
        for key in ("training_file", "validation_file"):
            file_id = body.get(key)
            if file_id and file_id not in state.files:
                return error(400, f"Invalid file ID: {file_id}", param=key)
            if file_id and (state.not_ready_creates > 0 or state.files[file_id].polls_left > 0):
                state.not_ready_creates = max(0, state.not_ready_creates - 1)
                return error(
                    400,
                    f"File {file_id} is still being processed and is not ready "
                    "to be used for fine-tuning. Please try again later.",
                    code="file_not_ready",
                    param=key,
                )
        return None

    def create_job(self, request: Request) -> Reply:
        body = request.json() or {}
        if refusal := self._refusal(body):
            return refusal
        method = body.get("method") or {
            "type": "supervised",
            "supervised": {"hyperparameters": body.get("hyperparameters") or {}},
        }
        state = self.state
        job = FakeJob(
            f"ftjob-{next(state.ids):08d}",
            body["model"],
            body["training_file"],
            body.get("validation_file"),
            method,
            body.get("suffix"),
            body.get("seed") or 42,
            int(time.time()),
        )
        state.jobs[job.id] = job
        state.event(job, f"Created fine-tuning job: {job.id}")
        return Reply(200, state.job_body(job))

    def _job(self, request: Request) -> FakeJob | Reply:
        job = self.state.jobs.get(request.match.group(1))
        if job is None:
            return error(
                404,
                f"Could not find fine-tune: {request.match.group(1)}",
                code="fine_tune_not_found",
            )
        return job

    def get_job(self, request: Request) -> Reply:
        job = self._job(request)
        if isinstance(job, Reply):
            return job
        body = self.state.job_body(job)
        self.state.advance(job)  # the next poll sees the next state
        return Reply(200, body)

    def list_jobs(self, request: Request) -> Reply:
        jobs = reversed(self.state.jobs.values())
        return Reply(200, _list([self.state.job_body(j) for j in jobs]))

    def cancel_job(self, request: Request) -> Reply:
        job = self._job(request)
        if isinstance(job, Reply):
            return job
        job.status = "cancelled"
        self.state.event(job, "Fine-tuning job cancelled")
        return Reply(200, self.state.job_body(job))

    def events(self, request: Request) -> Reply:
        job = self._job(request)
        if isinstance(job, Reply):
            return job
        limit = int(request.arg("limit", "20"))
        return Reply(200, _list(list(reversed(job.events))[:limit]))

    def checkpoints(self, request: Request) -> Reply:
        job = self._job(request)
        if isinstance(job, Reply):
            return job
        data = [self._checkpoint(job, e) for e in job.events if e["type"] == "metrics"]
        return Reply(200, _list(list(reversed(data))))

    def _checkpoint(self, job: FakeJob, event: dict) -> dict:
        step = event["data"]["step"]
        return {
            "object": "fine_tuning.job.checkpoint",
            "id": f"ftckpt-{event['id']}",
            "created_at": event["created_at"],
            "fine_tuning_job_id": job.id,
            "fine_tuned_model_checkpoint": f"ft:{job.model}:{self.state.org}::ckpt-step-{step}",
            "step_number": step,
            "metrics": {k: event["data"][k] for k in ("step", "train_loss", "valid_loss")},
        }

    def _model(self, model_id: str) -> dict:
        info = self.state.models[model_id]
        return {
            "id": model_id,
            "object": "model",
            "created": info.get("created", 1_700_000_000),
            "owned_by": info.get("owned_by", "system"),
            "shutdown_date": info.get("shutdown_date"),
        }

    def list_models(self, request: Request) -> Reply:
        return Reply(200, _list([self._model(m) for m in self.state.models]))

    def get_model(self, request: Request) -> Reply:
        model_id = unquote(request.match.group(1))
        if model_id not in self.state.models:
            return error(
                404, f"The model '{model_id}' does not exist", code="model_not_found", param="model"
            )
        return Reply(200, self._model(model_id))

    def table(self) -> list[tuple[str, str, object]]:
        return [
            ("POST", r"/v1/files", self.upload),
            ("GET", r"/v1/files/([^/]+)", self.get_file),
            ("GET", r"/v1/files/([^/]+)/content", self.file_content),
            ("POST", r"/v1/fine_tuning/jobs", self.create_job),
            ("GET", r"/v1/fine_tuning/jobs", self.list_jobs),
            ("GET", r"/v1/fine_tuning/jobs/([^/]+)", self.get_job),
            ("POST", r"/v1/fine_tuning/jobs/([^/]+)/cancel", self.cancel_job),
            ("GET", r"/v1/fine_tuning/jobs/([^/]+)/events", self.events),
            ("GET", r"/v1/fine_tuning/jobs/([^/]+)/checkpoints", self.checkpoints),
            ("GET", r"/v1/models", self.list_models),
            ("GET", r"/v1/models/(.+)", self.get_model),
        ]


def add_tuning_routes(service: FakeService, state: TuningState | None = None) -> TuningState:
    """Mount /v1/files, /v1/fine_tuning/jobs and /v1/models on `service`."""
    state = state or TuningState()

    def guarded(handler):
        def wrapper(request: Request) -> Reply:
            return state.authorize(request) or handler(request)

        return wrapper

    for method, pattern, handler in TuningRoutes(state).table():
        service.route(method, pattern, guarded(handler))
    return state


class FakeOpenAITuning(FakeService):
    """One local server with the tuning routes and, for `tune eval`, the chat route."""

    def __init__(self, state: TuningState | None = None, chat_default=None) -> None:
        super().__init__()
        self.state = add_tuning_routes(self, state)
        from tests.fakes.openai_chat import ChatScript, add_chat_routes

        self.chat = add_chat_routes(self, ChatScript(default=chat_default))

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"
