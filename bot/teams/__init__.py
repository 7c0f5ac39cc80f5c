"""deskbot on Microsoft Teams (Microsoft 365 Agents SDK), imported only when Teams runs.

server.py (HTTP endpoint, gate, start/stop) -> app.py (wiring) -> events.py (routing)
-> answering.py / actions.py / commands.py (work, in background turns) -> deliver.py
(streamed or one message) with cards.py, text.py, escalation.py; auth.py checks inbound
tokens, tokens.py and connector.py make outgoing calls; manifest.py builds the app package.
"""
