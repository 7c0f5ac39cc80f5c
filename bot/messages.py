"""Every user-visible sentence in one place.

Each front end (CLI, Slack, simulator) takes its wording from here. Sections are
owned by the feature that uses them; keep each message short and actionable.
"""

# --- index / ingest ------------------------------------------------------------------
INDEX_EMPTY = "The index is empty. Run `deskbot ingest ./path/to/wiki` (or `make demo`) first."
INDEX_LOCKED = (
    "The index at {path} is in use by another deskbot process (pid {pid}). "
    "Stop that process, or reindex from Slack with /reindex while the bot runs."
)
MODEL_MISMATCH = (
    "The index was built with embedding model {stored} ({stored_dim} dimensions) but "
    "EMBEDDING_MODEL is {current} ({current_dim} dimensions). Reindex with "
    "`deskbot ingest --rebuild` or set EMBEDDING_MODEL back to {stored}."
)
NO_SOURCES = (
    "No source given and DESKBOT_SOURCES is empty. Try `deskbot ingest ./wiki` or "
    "`deskbot ingest confluence:SPACEKEY`, or set DESKBOT_SOURCES in .env."
)

# --- answers -------------------------------------------------------------------------

# --- slack ---------------------------------------------------------------------------

# --- tune ----------------------------------------------------------------------------

# --- simulate ------------------------------------------------------------------------
