"""How Slack's Web API reads a request, for the fake Slack: arguments, streamed text, Block Kit.

Block Kit is checked with slack_sdk's own block models, which carry Slack's limits
(a button value at most 2,000 characters, a section's text at most 3,000, …).
"""

from __future__ import annotations

import json

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from tests.fakes.http import Request


def block_problems(blocks) -> list[str]:
    """What Slack would refuse in `blocks` (slack_sdk's Block Kit models check the limits)."""
    if not blocks:
        return []
    if not isinstance(blocks, list) or len(blocks) > 50:
        return ["blocks must be a list of at most 50"]
    problems = []
    for n, block in enumerate(Block.parse_all(blocks)):
        try:
            if block is None:
                raise SlackObjectFormationError(f"unknown block type {blocks[n].get('type')!r}")
            block.to_dict()  # validates the block and everything in it
        except SlackObjectFormationError as exc:
            problems.append(f"[{n}] {exc}")
    return problems


def arguments(request: Request) -> dict:
    """Arguments as Slack reads them: query string, form body (JSON-encoded fields) or JSON."""
    args: dict = {k: v[-1] for k, v in request.query.items()}
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        args.update(request.json() or {})
    elif request.body:
        args.update(request.form())
    for key in ("blocks", "chunks", "prompts", "metadata", "attachments"):
        if isinstance(args.get(key), str) and args[key][:1] in "[{":
            args[key] = json.loads(args[key])
    return args


def stream_text(args: dict) -> str:
    text = args.get("markdown_text") or ""
    for chunk in args.get("chunks") or []:
        if chunk.get("type") == "markdown_text":
            text += chunk.get("text", "")
    return text
