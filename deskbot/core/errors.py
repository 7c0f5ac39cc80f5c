"""Domain errors for deskbot, in one module.

The library raises these with a message that says what and where; only the
edges (CLI, Slack) turn them into user wording. Messages never carry secrets.
"""


class DeskbotError(Exception):
    """Base class: an expected failure with a message fit for the user."""


class ConfigError(DeskbotError):
    """A setting is missing or malformed (names the variable)."""


class SourceError(DeskbotError):
    """A source could not be read (names the source, file or page id)."""


class AuthError(SourceError):
    """A remote service rejected our credentials (401/403)."""


class SourceDeadlineError(SourceError):
    """A source spent its whole time budget waiting on its server (stops the whole run)."""


class DocumentError(DeskbotError):
    """One document could not be parsed (names the file or page id)."""


class IndexStateError(DeskbotError):
    """The index cannot be used as asked."""


class ModelMismatchError(IndexStateError):
    """The index was built with another embedding model or dimension."""


class IndexLockedError(IndexStateError):
    """Another process holds the embedded index."""


class EmbeddingModelError(DeskbotError):
    """The embedding model cannot be loaded (missing, or failed its checksum)."""


class OnnxExportError(EmbeddingModelError):
    """The embedding model could not be exported to ONNX, or the export does not match torch."""


class ModelError(DeskbotError):
    """The answering or tone model failed after retries."""


class TuneError(DeskbotError):
    """A tone-model toolkit step failed (names the file and line, job or model)."""


class ProviderError(TuneError):
    """A fine-tuning provider refused or failed a request (never carries the key)."""


class TeamsError(DeskbotError):
    """Microsoft Teams or Entra refused or failed a call (names the call, never a token)."""


class TeamsCredentialsRejected(TeamsError):
    """Microsoft Entra refused TEAMS_APP_ID/TEAMS_APP_PASSWORD/TEAMS_TENANT_ID (a setting to fix)."""


class ServiceUrlRefused(TeamsError):
    """An activity's serviceUrl is not an https host in TEAMS_SERVICE_URL_HOSTS."""
