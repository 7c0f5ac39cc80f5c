"""Per-example checks of a fine-tuning JSONL line: chat (supervised) and DPO formats.

Each check appends `(level, code, message)` to a list; nothing here raises on odd
values (numbers, nulls, nested objects where text was expected), unlike the
well-known cookbook checker, which crashes on non-string content.
"""

from __future__ import annotations

from collections.abc import Mapping

Found = list[tuple[str, str, str]]  # (level, code, message)

ROLES = ("system", "user", "assistant", "tool", "function")  # function: legacy
EXAMPLE_KEYS = ("messages", "tools", "functions", "parallel_tool_calls")
MESSAGE_KEYS = ("role", "content", "name", "weight", "tool_calls", "tool_call_id", "function_call")
DPO_KEYS = ("input", "preferred_output", "non_preferred_output")
DPO_INPUT_KEYS = ("messages", "tools", "parallel_tool_calls")
PART_TYPES = {"text": ("system", "user", "assistant"), "image_url": ("user",)}


def kind_of(example: Mapping) -> str:
    """'dpo' when the example has any DPO key, else 'chat'."""
    return "dpo" if any(k in example for k in DPO_KEYS) else "chat"


def _unknown(keys, allowed, where: str, found: Found, code: str) -> None:
    extra = sorted(str(k) for k in keys if k not in allowed)
    if extra:
        found.append(("error", code, f"unknown key(s) {', '.join(extra)} {where}"))


def check_content(message: Mapping, n: int, found: Found) -> None:
    role = message.get("role")
    content = message.get("content")
    calls = message.get("tool_calls") or message.get("function_call")
    if isinstance(content, str):
        if not content.strip() and not (role == "assistant" and calls):
            found.append(("error", "missing_content", f"message {n} ({role}) has empty content"))
        return
    if content is None:
        if not (role == "assistant" and calls):
            found.append(("error", "missing_content", f"message {n} ({role}) has no content"))
        return
    if isinstance(content, list) and content:
        for part in content:
            if not (
                isinstance(part, Mapping) and role in PART_TYPES.get(str(part.get("type")), ())
            ):
                found.append(
                    ("error", "bad_content", f"message {n} ({role}) has an unusable content part")
                )
                return
            if part.get("type") == "text" and not isinstance(part.get("text"), str):
                found.append(("error", "bad_content", f"message {n} has a text part without text"))
                return
        return
    found.append(
        (
            "error",
            "bad_content",
            f"message {n} ({role}) content must be a string, not {type(content).__name__}",
        )
    )


def _check_tool_calls(message: Mapping, n: int, found: Found) -> None:
    calls = message.get("tool_calls")
    if calls is None:
        return
    if message.get("role") != "assistant":
        found.append(("error", "bad_tool_calls", f"message {n}: only assistants make tool_calls"))
        return
    ok = isinstance(calls, list) and all(
        isinstance(c, Mapping)
        and isinstance(c.get("id"), str)
        and isinstance(c.get("function"), Mapping)
        and isinstance(c["function"].get("name"), str)
        and isinstance(c["function"].get("arguments"), str)
        for c in calls
    )
    if not ok:
        found.append(
            (
                "error",
                "bad_tool_calls",
                f"message {n}: tool_calls must be a list of {{id, type, function: {{name, arguments}}}}",
            )
        )


def check_message(message: object, n: int, found: Found) -> None:
    """One message of `messages` (n counts from 1)."""
    if not isinstance(message, Mapping):
        found.append(("error", "message_not_object", f"message {n} is not a JSON object"))
        return
    _unknown(message, MESSAGE_KEYS, f"in message {n}", found, "message_unknown_key")
    role = message.get("role")
    if role not in ROLES:
        shown = "missing" if role is None else repr(role)
        found.append(
            ("error", "unknown_role", f"message {n} role is {shown}; use {', '.join(ROLES[:4])}")
        )
        return
    check_content(message, n, found)
    if "name" in message and not isinstance(message["name"], str):
        found.append(("error", "bad_name", f"message {n}: name must be a string"))
    if "weight" in message:
        weight = message["weight"]
        if isinstance(weight, bool) or weight not in (0, 1):
            found.append(("error", "bad_weight", f"message {n}: weight must be 0 or 1"))
        elif role != "assistant":
            found.append(
                ("error", "weight_not_assistant", f"message {n}: weight is only for assistant")
            )
    if role == "tool" and not isinstance(message.get("tool_call_id"), str):
        found.append(("error", "missing_tool_call_id", f"message {n}: tool needs tool_call_id"))
    _check_tool_calls(message, n, found)


def check_chat(example: Mapping, found: Found) -> list:
    """A supervised example; returns its messages (a list) when they can be counted."""
    _unknown(example, EXAMPLE_KEYS, "at the top level", found, "unknown_key")
    messages = example.get("messages")
    if not isinstance(messages, list) or not messages:
        what = "missing" if messages is None else "empty or not a list"
        found.append(("error", "missing_messages", f"messages is {what}"))
        return []
    for n, message in enumerate(messages, 1):
        check_message(message, n, found)
    assistants = [m for m in messages if isinstance(m, Mapping) and m.get("role") == "assistant"]
    if not assistants:
        found.append(("error", "no_assistant", "no assistant message to learn from"))
    elif all(m.get("weight") == 0 for m in assistants):
        found.append(("warning", "all_weight_zero", "every assistant message has weight 0"))
    if not any(isinstance(m, Mapping) and m.get("role") == "user" for m in messages):
        found.append(("warning", "no_user", "no user message"))
    return messages


def _check_output(example: Mapping, key: str, found: Found) -> list:
    output = example.get(key)
    if not (isinstance(output, list) and len(output) == 1 and isinstance(output[0], Mapping)):
        found.append(("error", "dpo_output", f"{key} must be a list of exactly one message"))
        return []
    message = output[0]
    if message.get("role") != "assistant":
        found.append(("error", "dpo_output", f"{key} must hold an assistant message"))
        return []
    sub: Found = []
    check_message(message, 1, sub)
    found.extend((lvl, code, f"{key}: {msg}") for lvl, code, msg in sub)
    return list(output)


def check_dpo(example: Mapping, found: Found) -> tuple[list, list, list]:
    """A preference example; returns (input messages, preferred, non-preferred)."""
    _unknown(example, DPO_KEYS, "at the top level", found, "unknown_key")
    data = example.get("input")
    messages = data.get("messages") if isinstance(data, Mapping) else None
    if not isinstance(messages, list) or not messages:
        found.append(("error", "dpo_input", "input must be an object with non-empty messages"))
        messages = []
    else:
        _unknown(data, DPO_INPUT_KEYS, "in input", found, "unknown_key")
        for n, message in enumerate(messages, 1):
            check_message(message, n, found)
        last = messages[-1]
        if isinstance(last, Mapping) and last.get("role") == "assistant":
            found.append(("error", "dpo_input", "input must end with a user message"))
    preferred = _check_output(example, "preferred_output", found)
    rejected = _check_output(example, "non_preferred_output", found)
    if preferred and rejected and preferred == rejected:
        found.append(("warning", "dpo_same_outputs", "preferred and non-preferred are identical"))
    return messages, preferred, rejected
