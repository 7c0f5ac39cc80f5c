"""The ack Slack expects for a Socket Mode envelope, from Bolt's response."""

from __future__ import annotations

import json

from slack_bolt.response import BoltResponse
from slack_sdk.socket_mode.request import SocketModeRequest


def ack_for(request: SocketModeRequest, response: BoltResponse) -> dict | None:
    """`{"envelope_id", "payload"?}`; None when Bolt failed (no ack: Slack retries)."""
    if response.status != 200:
        return None
    ack: dict = {"envelope_id": request.envelope_id}
    body = response.body or ""
    if not body:
        return ack
    content_type = (response.headers.get("content-type") or [""])[0]
    if content_type.startswith("application/json"):
        ack["payload"] = json.loads(body)
    else:
        ack["payload"] = {"text": body}
    return ack
