"""The compact byte automaton gives py3langid's transitions, and refuses a table it is not."""

from __future__ import annotations

import random
from array import array

import numpy as np
import pytest
from py3langid.langid import MODEL_DIR, MODEL_FILE
from py3langid.modelio import load_model

from ingest.langid_automaton import Transitions


@pytest.fixture(scope="module")
def model():
    _, _, _, nextmove, rows, _ = load_model(MODEL_DIR / MODEL_FILE)
    return nextmove, rows


def dense(nextmove, rows) -> np.ndarray:
    table = np.asarray(nextmove).reshape(-1, 256)
    return table[np.asarray(rows)]


def test_every_transition_tried_matches_py3langids_table(model):
    nextmove, rows = model
    moves = Transitions.from_table(nextmove, rows)
    table = dense(nextmove, rows)
    rng = random.Random(3)
    states = [0, 1, len(rows) - 1] + [rng.randrange(len(rows)) for _ in range(800)]
    for state in states:  # whole rows: every byte from these states
        assert [moves[state << 8 | b] for b in range(256)] == table[state].tolist()
    for _ in range(50_000):
        state, byte = rng.randrange(len(rows)), rng.randrange(256)
        assert moves[state << 8 | byte] == table[state, byte]


def test_walking_text_visits_the_same_states(model):
    nextmove, rows = model
    moves = Transitions.from_table(nextmove, rows)
    rowbase = [r << 8 for r in rows]
    text = "Wie verbinde ich mich mit dem VPN? 日本語 Ünïcödé — ok.".encode() * 20
    state = mine = 0
    for byte in text:
        state = nextmove[rowbase[state] + byte]
        mine = moves[mine << 8 | byte]
        assert mine == state


def test_a_table_that_is_not_that_automaton_is_refused(model):
    nextmove, rows = model
    broken = array(nextmove.typecode, nextmove)
    table = np.asarray(broken).reshape(-1, 256)
    row, byte = int(rows[5000]), 200
    broken[row * 256 + byte] = (table[row, byte] + 1) % len(rows)
    with pytest.raises(ValueError):
        Transitions.from_table(broken, rows)
