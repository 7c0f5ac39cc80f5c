"""Settings: the one place that reads the environment.

Everything below the entry points receives a `Settings` (or the few values it
needs) as arguments. `.env` in the working directory is read through
python-dotenv; real environment variables win over it.

Secrets are kept out of `repr()` so a logged Settings never shows them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import overload

from deskbot.core import messages
from deskbot.core.errors import ConfigError

DEFAULT_ESCALATION = "the help desk (#it-help)"
TEAMS_LOGIN_URL = "https://login.microsoftonline.com"
TEAMS_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
# Hosts (and their subdomains) a Teams activity's serviceUrl may name: the Bot Connector
# endpoints of the public cloud, GCC, GCC High and DoD. https only.
TEAMS_SERVICE_URL_HOSTS = (
    "smba.trafficmanager.net",
    "smba.infra.gcc.teams.microsoft.com",
    "smba.infra.gov.teams.microsoft.us",
    "smba.infra.dod.teams.microsoft.us",
)


def _split(value: str | None) -> tuple[str, ...]:
    """Comma- or space-separated list -> tuple, empty items dropped."""
    if not value:
        return ()
    return tuple(item for item in value.replace(",", " ").split() if item)


def _bool(name: str, value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    text = value.strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(messages.SETTING_NOT_BOOL.format(name=name, value=value))


def _number(name: str, value: str | None, default: float | None, kind: type = float):
    if value is None or value.strip() == "":
        return default
    try:
        return kind(value)
    except ValueError:
        raise ConfigError(
            messages.SETTING_NOT_NUMBER.format(name=name, kind=kind.__name__, value=value)
        ) from None


def _auto_bool(name: str, value: str | None) -> bool | None:
    """true/false, or None for "auto" (unset)."""
    if value is None or value.strip().lower() in ("", "auto"):
        return None
    return _bool(name, value, False)


@overload
def _fraction(name: str, value: str | None, default: float) -> float: ...
@overload
def _fraction(name: str, value: str | None, default: None) -> float | None: ...
def _fraction(name: str, value: str | None, default: float | None) -> float | None:
    number = _number(name, value, default)
    if number is not None and not 0.0 <= number <= 1.0:
        raise ConfigError(messages.SETTING_NOT_FRACTION.format(name=name, value=value))
    return number


def _language(name: str, value: str | None) -> str | None:
    """An ISO 639-1 code such as en, pt, es (lower-cased)."""
    if value is None:
        return None
    code = value.strip().lower()
    if len(code) != 2 or not code.isalpha():
        raise ConfigError(messages.SETTING_NOT_LANGUAGE.format(name=name, value=value))
    return code


def _choice(name: str, value: str | None, choices: tuple[str, ...]) -> str:
    """One of `choices` (case-insensitive); unset means the first."""
    if value is None:
        return choices[0]
    if value.lower() not in choices:
        raise ConfigError(
            messages.SETTING_NOT_CHOICE.format(name=name, choices=", ".join(choices), value=value)
        )
    return value.lower()


def _channel_sources(value: str | None) -> dict[str, tuple[str, ...]]:
    """`C123=confluence:HR|./wiki/hr;C456=confluence:ENG` -> {channel: (source, ...)}."""
    result: dict[str, tuple[str, ...]] = {}
    for entry in (value or "").split(";"):
        entry = entry.strip()
        if not entry:
            continue
        channel, sep, sources = entry.partition("=")
        if not sep or not channel.strip() or not sources.strip():
            raise ConfigError(messages.CHANNEL_SOURCES_BAD_ENTRY.format(entry=entry))
        result[channel.strip()] = tuple(s.strip() for s in sources.split("|") if s.strip())
    return result


def _teams(get) -> dict:
    """The TEAMS_* settings; allowed tenants default to the bot's own tenant."""
    tenant = (get("TEAMS_TENANT_ID") or "").lower() or None
    hosts = _split(get("TEAMS_SERVICE_URL_HOSTS"))
    personal = get("TEAMS_ALLOW_DMS")
    return {
        "teams_app_id": get("TEAMS_APP_ID"),
        "teams_app_password": get("TEAMS_APP_PASSWORD"),
        "teams_tenant_id": tenant,
        "teams_login_url": (get("TEAMS_LOGIN_URL") or TEAMS_LOGIN_URL).rstrip("/"),
        "teams_openid_metadata_url": get("TEAMS_OPENID_METADATA_URL") or TEAMS_OPENID_METADATA_URL,
        "teams_service_url_hosts": tuple(h.lower() for h in hosts) or TEAMS_SERVICE_URL_HOSTS,
        "teams_allowed_tenant_ids": tuple(
            t.lower() for t in _split(get("TEAMS_ALLOWED_TENANT_IDS"))
        )
        or ((tenant,) if tenant else ()),
        "teams_allowed_channel_ids": _split(get("TEAMS_ALLOWED_CHANNEL_IDS")),
        "teams_admin_aad_ids": tuple(i.lower() for i in _split(get("TEAMS_ADMIN_AAD_IDS"))),
        "teams_escalation_channel": get("TEAMS_ESCALATION_CHANNEL"),
        "teams_rsc_followups": _bool("TEAMS_RSC_FOLLOWUPS", get("TEAMS_RSC_FOLLOWUPS"), False),
        "teams_allow_dms": (
            _bool("TEAMS_ALLOW_DMS", personal, True) if (personal or "").strip() else None
        ),
        "teams_port": _number("TEAMS_PORT", get("TEAMS_PORT"), 3978, int),
    }


@dataclass(frozen=True)
class Settings:
    # storage
    data_dir: Path = Path("data")
    qdrant_path: Path = Path("data/qdrant")
    qdrant_url: str | None = None
    qdrant_api_key: str | None = field(default=None, repr=False)
    collection: str = "deskbot"
    # embeddings
    embedding_model: str | None = None  # None: bundled offline MiniLM if installed, else hub name
    embedding_batch_size: int = 64
    embedding_multilingual: bool | None = None  # None: judged from the model's name
    embedding_backend: str = (
        "onnx"  # onnx (ONNX Runtime, no torch) or torch (sentence-transformers)
    )
    models_dir: Path = Path("data/models")  # where the model's ONNX export is kept
    # sources
    sources: tuple[str, ...] = ()
    confluence_url: str | None = None
    confluence_email: str | None = None
    confluence_api_token: str | None = field(default=None, repr=False)
    confluence_pat: str | None = field(default=None, repr=False)
    confluence_exclude_labels: tuple[str, ...] = ("archived",)
    source_deadline_seconds: float = 600.0  # waiting on one network source per run; 0: none
    # retrieval
    top_k: int = 8
    score_threshold: float = 0.2  # hard floor on the best dense cosine
    coverage_threshold: float | None = None  # None: the shipped bot/data/coverage.json value
    reranker_model: str | None = None
    wiki_language: str | None = None  # None: detected at ingest, stored with the index
    # answering model (any OpenAI-compatible endpoint)
    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = None
    answer_model: str = "gpt-4.1-mini"
    llm_timeout: float = 30.0
    llm_max_retries: int = 2
    # tone model (optional)
    tone_model: str | None = None
    tone_base_url: str | None = None
    tone_api_key: str | None = field(default=None, repr=False)
    tone_examples: Path | None = None
    prices_file: Path | None = None
    escalation_text: str = DEFAULT_ESCALATION
    # bot store
    db_path: Path = Path("data/deskbot.sqlite3")
    # Slack
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_api_url: str | None = None
    admin_user_ids: tuple[str, ...] = ()
    allowed_channel_ids: tuple[str, ...] = ()
    allow_dms: bool = True
    channel_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    answer_thread_followups: bool = False
    escalation_channel: str | None = None
    escalation_usergroup: str | None = None
    reindex_command: str = "/reindex"
    port: int = 3000
    # serving process (deskbot serve)
    health_port: int | None = None  # Socket Mode's /healthz (HTTP mode serves it on PORT)
    shutdown_grace: float = 20.0  # seconds answers in flight get after SIGTERM/SIGINT
    control_socket: Path | None = None  # default: DESKBOT_DATA_DIR/run/deskbot.sock
    # Microsoft Teams
    teams_app_id: str | None = None
    teams_app_password: str | None = field(default=None, repr=False)
    teams_tenant_id: str | None = None
    teams_login_url: str = TEAMS_LOGIN_URL
    teams_openid_metadata_url: str = TEAMS_OPENID_METADATA_URL
    teams_service_url_hosts: tuple[str, ...] = TEAMS_SERVICE_URL_HOSTS
    teams_allowed_tenant_ids: tuple[str, ...] = ()  # from_env: TEAMS_TENANT_ID when unset
    teams_allowed_channel_ids: tuple[str, ...] = ()
    teams_admin_aad_ids: tuple[str, ...] = ()
    teams_escalation_channel: str | None = None
    teams_rsc_followups: bool = False
    teams_allow_dms: bool | None = None  # personal chats; None: as ALLOW_DMS (teams_personal_chats)
    teams_port: int = 3978
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
        """Read settings from `environ` (default: os.environ plus ./.env)."""
        if environ is None:
            if dotenv:
                from dotenv import load_dotenv

                load_dotenv(Path.cwd() / ".env", override=False)
            environ = os.environ
        env = {k: v for k, v in environ.items() if v is not None}

        def get(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value and value.strip() else None

        data_dir = Path(get("DESKBOT_DATA_DIR") or "data")
        exclude = get("CONFLUENCE_EXCLUDE_LABELS")
        return cls(
            data_dir=data_dir,
            qdrant_path=Path(get("QDRANT_PATH") or data_dir / "qdrant"),
            qdrant_url=get("QDRANT_URL"),
            qdrant_api_key=get("QDRANT_API_KEY"),
            collection=get("QDRANT_COLLECTION") or "deskbot",
            embedding_model=get("EMBEDDING_MODEL"),
            embedding_batch_size=_number(
                "EMBEDDING_BATCH_SIZE", get("EMBEDDING_BATCH_SIZE"), 64, int
            ),
            embedding_multilingual=_auto_bool(
                "EMBEDDING_MULTILINGUAL", get("EMBEDDING_MULTILINGUAL")
            ),
            embedding_backend=_choice(
                "EMBEDDING_BACKEND", get("EMBEDDING_BACKEND"), ("onnx", "torch")
            ),
            models_dir=Path(get("EMBEDDING_CACHE_DIR") or data_dir / "models"),
            sources=_split(get("DESKBOT_SOURCES")),
            confluence_url=get("CONFLUENCE_URL"),
            confluence_email=get("CONFLUENCE_EMAIL"),
            confluence_api_token=get("CONFLUENCE_API_TOKEN"),
            confluence_pat=get("CONFLUENCE_PAT"),
            confluence_exclude_labels=_split(exclude) if exclude is not None else ("archived",),
            source_deadline_seconds=_number(
                "SOURCE_DEADLINE_SECONDS", get("SOURCE_DEADLINE_SECONDS"), 600.0
            ),
            top_k=_number("RETRIEVAL_TOP_K", get("RETRIEVAL_TOP_K"), 8, int),
            score_threshold=_fraction(
                "RETRIEVAL_SCORE_THRESHOLD", get("RETRIEVAL_SCORE_THRESHOLD"), 0.2
            ),
            coverage_threshold=_fraction("COVERAGE_THRESHOLD", get("COVERAGE_THRESHOLD"), None),
            reranker_model=get("RERANKER_MODEL"),
            wiki_language=_language("WIKI_LANGUAGE", get("WIKI_LANGUAGE")),
            openai_api_key=get("OPENAI_API_KEY"),
            openai_base_url=get("OPENAI_BASE_URL"),
            answer_model=get("ANSWER_MODEL") or "gpt-4.1-mini",
            llm_timeout=_number("LLM_TIMEOUT", get("LLM_TIMEOUT"), 30.0),
            llm_max_retries=_number("LLM_MAX_RETRIES", get("LLM_MAX_RETRIES"), 2, int),
            tone_model=get("TONE_MODEL"),
            tone_base_url=get("TONE_BASE_URL"),
            tone_api_key=get("TONE_API_KEY"),
            tone_examples=Path(v) if (v := get("TONE_EXAMPLES")) else None,
            prices_file=Path(v) if (v := get("PRICES_FILE")) else None,
            escalation_text=get("ESCALATION_TEXT") or DEFAULT_ESCALATION,
            db_path=Path(get("DESKBOT_DB") or data_dir / "deskbot.sqlite3"),
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_api_url=get("SLACK_API_URL"),
            admin_user_ids=_split(get("ADMIN_USER_IDS")),
            allowed_channel_ids=_split(get("ALLOWED_CHANNEL_IDS")),
            allow_dms=_bool("ALLOW_DMS", get("ALLOW_DMS"), True),
            channel_sources=_channel_sources(get("CHANNEL_SOURCES")),
            answer_thread_followups=_bool(
                "ANSWER_THREAD_FOLLOWUPS", get("ANSWER_THREAD_FOLLOWUPS"), False
            ),
            escalation_channel=get("ESCALATION_CHANNEL"),
            escalation_usergroup=get("ESCALATION_USERGROUP"),
            reindex_command=get("REINDEX_COMMAND") or "/reindex",
            port=_number("PORT", get("PORT"), 3000, int),
            health_port=_number("HEALTH_PORT", get("HEALTH_PORT"), None, int),
            shutdown_grace=_number("SHUTDOWN_GRACE_SECONDS", get("SHUTDOWN_GRACE_SECONDS"), 20.0),
            control_socket=Path(v) if (v := get("CONTROL_SOCKET")) else None,
            **_teams(get),
            log_level=(get("LOG_LEVEL") or "INFO").upper(),
        )

    @property
    def control_socket_path(self) -> Path:
        """Where `deskbot serve` listens for the CLI (a Unix socket in an owner-only folder)."""
        return self.control_socket or self.data_dir / "run" / "deskbot.sock"

    @property
    def teams_personal_chats(self) -> bool:
        """Whether Teams personal chats are answered: TEAMS_ALLOW_DMS, else ALLOW_DMS."""
        return self.allow_dms if self.teams_allow_dms is None else self.teams_allow_dms

    def secrets(self) -> tuple[str, ...]:
        """Every secret value set, for log redaction."""
        return tuple(
            value
            for f in fields(self)
            if not f.repr and isinstance(value := getattr(self, f.name), str) and value
        )
