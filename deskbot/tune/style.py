"""Style markers of a support reply, the offline signals `tune eval` compares.

Each marker is a yes/no per reply; a set of replies gets the share that has it:
- greeting: opens with a salutation ("Hi Sam,", "Hello!", "Good morning");
- sign-off: closes with one ("Cheers,", "Best regards", "Have a great day", "— Sam");
- second person: speaks to the reader ("you", "your", "you're");
- exclamation: at least one "!";
- emoji: a pictograph, or a Slack-style :shortcode:.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MARKERS = ("greeting", "sign-off", "second person", "exclamation", "emoji")

_GREETING = re.compile(
    r"^\s*(hi|hello|hey|hiya|dear|good (morning|afternoon|evening)|greetings|thanks for "
    r"(reaching out|contacting|getting in touch|your (message|question)))\b",
    re.I,
)
_SIGN_OFF = re.compile(
    r"(?:^|[.!?]\s+)(cheers|best( regards| wishes)?|kind regards|regards|thanks( again)?|"
    r"thank you|have a (great|good|nice|lovely) (day|week|weekend|one)|take care|all the best|"
    r"happy to help|let (me|us) know if[^\n]*?)[\s!.,:)\-–—]*([\w .'’-]{0,40})?\s*$"
    r"|^\s*[-–—]\s*\w+\s*$",
    re.I | re.M,
)
_SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself|you're|you'll|you've|you'd)\b", re.I)
_EMOJI = re.compile(
    "[\U0001f300-\U0001faff\u2600-\u27bf\U0001f000-\U0001f2ff\u2b50\u2b55\u2705\u274c]"
    r"|:[a-z0-9_+-]{2,30}:"
)


def markers(text: str) -> dict[str, bool]:
    """Which markers `text` shows."""
    tail = "\n".join(text.strip().splitlines()[-3:])
    return {
        "greeting": bool(_GREETING.search(text)),
        "sign-off": bool(_SIGN_OFF.search(tail)),
        "second person": bool(_SECOND_PERSON.search(text)),
        "exclamation": "!" in text,
        "emoji": bool(_EMOJI.search(text)),
    }


def rates(texts: Sequence[str]) -> dict[str, float]:
    """Share of `texts` with each marker (0.0 for an empty list)."""
    if not texts:
        return dict.fromkeys(MARKERS, 0.0)
    found = [markers(t) for t in texts]
    return {name: sum(f[name] for f in found) / len(found) for name in MARKERS}


def style_distance(a: dict[str, float], b: dict[str, float]) -> float:
    """Mean absolute gap between two marker-rate profiles (0 = same style mix)."""
    return sum(abs(a[m] - b[m]) for m in MARKERS) / len(MARKERS)
