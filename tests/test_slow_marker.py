"""`slow` means something: a test that loads the embedding model without the mark fails."""

from __future__ import annotations

from pathlib import Path

CONFTEST = Path(__file__).resolve().parent / "conftest.py"

TESTS = """
import sys
import types

import pytest


def test_fast_but_loads_the_model():
    sys.modules["sentence_transformers"] = types.ModuleType("sentence_transformers")


@pytest.mark.slow
def test_marked_and_loads_the_model():
    sys.modules["onnxruntime"] = types.ModuleType("onnxruntime")


def test_fast_and_light():
    assert "json" in sys.modules
"""


def test_an_unmarked_test_that_loads_the_model_fails(pytester):
    pytester.makeconftest(CONFTEST.read_text())
    pytester.makepyfile(test_guard=TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        ["*test_fast_but_loads_the_model loads the embedding model (sentence_transformers*"]
    )
