"""Scrub personal data and secrets from conversation text before it leaves the building.

Replaced with placeholders, in this order (so a card number is never half-taken
for a phone number):
- [SECRET]: API keys and tokens (sk-…, xox?-…, xapp-…, AKIA…/ASIA…, ghp_…,
  github_pat_…, glpat-…, JWTs), `Bearer …` credentials and `password: …` values;
- [EMAIL]: e-mail addresses;
- [CARD]: 13-19 digit numbers, spaced or dashed, that pass the Luhn check;
- [PHONE]: 9-15 digit numbers written like phone numbers (a leading +, separators
  between digit groups, or a leading 0); dates, IP addresses and bare ids are kept.

URLs are kept: the links an agent gives are part of the answer.
"""

from __future__ import annotations

import re
from collections import Counter

_SECRETS = re.compile(
    r"\b(?:sk-[A-Za-z0-9_-]{16,}|xox[abposr]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}"
    r"|glpat-[A-Za-z0-9_-]{20,}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{12,}")
_PASSWORD = re.compile(
    r"(?i)\b(password|passwd|pwd|passcode|pin)(\s*(?:is|:|=)\s*)(?!\[)[^\s,;]{3,}"
)
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_CARD = re.compile(r"(?<![\w.-])\d(?:[ -]?\d){12,18}(?![\w-])")
_PHONE = re.compile(r"(?<![\w.+/-])(?:\+|00)?\(?\d[\d\s().-]{6,}\d(?![\w/-])")
_DATE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(match: re.Match, counts: Counter) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if 13 <= len(digits) <= 19 and luhn_ok(digits):
        counts["card"] += 1
        return "[CARD]"
    return match.group(0)


def _phone(match: re.Match, counts: Counter) -> str:
    text = match.group(0).strip()
    digits = re.sub(r"\D", "", text)
    if _DATE.match(text) or _IPV4.match(text) or not 9 <= len(digits) <= 15:
        return match.group(0)
    shaped = text[0] == "+" or text.startswith("00") or re.search(r"\d[\s().-]+\d", text)
    if not shaped and not (text[0] == "0" and 10 <= len(digits) <= 11):
        return match.group(0)
    counts["phone"] += 1
    return match.group(0).replace(text, "[PHONE]")


def scrub(text: str, counts: Counter | None = None) -> str:
    """`text` with PII and secrets replaced; `counts` (if given) gets one tally per kind."""
    counts = counts if counts is not None else Counter()

    def secret(_m: re.Match) -> str:
        counts["secret"] += 1
        return "[SECRET]"

    text = _SECRETS.sub(secret, text)
    text = _BEARER.sub(lambda m: (secret(m), f"{m.group(1)} [SECRET]")[1], text)
    text = _PASSWORD.sub(lambda m: (secret(m), f"{m.group(1)}{m.group(2)}[SECRET]")[1], text)

    def email(_m: re.Match) -> str:
        counts["email"] += 1
        return "[EMAIL]"

    text = _EMAIL.sub(email, text)
    text = _CARD.sub(lambda m: _card(m, counts), text)
    return _PHONE.sub(lambda m: _phone(m, counts), text)
