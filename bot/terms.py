"""Key terms of a question: lower-case words minus the filler (for heuristics, not search)."""

from __future__ import annotations

import re

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+#.-]*[A-Za-z0-9+#]|[A-Za-z0-9]")

STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before
    being below between both but by can cannot could did do does doing done down during each
    else few for from further get gets got had has have having he her here hers him his how
    i if in into is it its itself just let me more most my no nor not now of off on once
    only or other our ours out over own please same she should so some such than thank thanks
    that the their theirs them then there these they this those through to too under until
    up us very was we were what when where which while who whom why will with would you your
    yours hi hello hey ok okay need want wanted tell know like one still anyone someone
    something anything way use using""".split()
)


def key_terms(text: str) -> list[str]:
    """Distinct content words of `text`, lower-cased, in order of appearance."""
    seen: list[str] = []
    for word in WORD.findall(text):
        lowered = word.lower()
        if lowered not in STOPWORDS and lowered not in seen:
            seen.append(lowered)
    return seen
