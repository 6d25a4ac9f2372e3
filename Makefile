# Deepshard developer entry points. `make help` lists every target and variable.
#
# Variables:
#   PYTHON   interpreter used to create the virtual environment   (default: python3)
#   VENV     where the virtual environment lives                  (default: .venv)
#   PYTEST   extra pytest arguments, e.g. PYTEST="-k trie -x"     (default: none)
#   SPEC     chain specification read by `make inspect`           (default: the committed fixture)
#   DEVNET_ARGS extra options for `make run`, e.g. DEVNET_ARGS="--validators 1 --dir ./devnet"
#   NODE_ARGS extra options for `make node`, e.g. NODE_ARGS="--rpc-port 9955"

PYTHON ?= python3
VENV   ?= .venv
PYTEST ?=
SPEC   ?= tests/fixtures/chain_specs/rococo-asset-hub.raw.json
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install js-deps ipfs-js-deps clients-js-deps run node inspect test lint typecheck unit e2e slow browser bench weights fmt clean

help: ## Show this help: every target, then the variables above
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'
	@echo
	@grep -E '^#   ' $(MAKEFILE_LIST) | sed 's/^#/ /'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: 2.13.0 is the CPU build (a bare `torch` would pull a multi-GB CUDA one)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,ml,bench]'
	@touch $(STAMP)

install: $(STAMP) ## Create the virtual environment and install Deepshard with its dev tools and the ML extra (CPU torch)

JS_STAMP := tests/e2e/js/node_modules/.package-lock.json

$(JS_STAMP): tests/e2e/js/package-lock.json
	npm ci --prefix tests/e2e/js --no-audit --no-fund

js-deps: $(JS_STAMP) ## Install the pinned npm packages the end-to-end tests drive (@polkadot/api)

IPFS_JS_STAMP := tests/content/js/node_modules/.package-lock.json

$(IPFS_JS_STAMP): tests/content/js/package-lock.json
	npm ci --prefix tests/content/js --no-audit --no-fund

ipfs-js-deps: $(IPFS_JS_STAMP) ## Install the npm IPFS oracles (ipfs-unixfs-importer, kubo-rpc-client, Helia)

CLIENTS_JS_STAMP := tests/e2e/clients-js/node_modules/.package-lock.json

$(CLIENTS_JS_STAMP): tests/e2e/clients-js/package-lock.json
	npm ci --prefix tests/e2e/clients-js --no-audit --no-fund

clients-js-deps: $(CLIENTS_JS_STAMP) ## Install the pinned polkadot-api, dedot and api-sidecar for e2e

run: $(STAMP) ## The main job: deepshard devnet, a whole network through a training round
	$(BIN)/deepshard devnet $(DEVNET_ARGS)

node: $(STAMP) ## A single development node (deepshard node --dev) on ws://127.0.0.1:9944
	$(BIN)/deepshard node --dev $(NODE_ARGS)

inspect: $(STAMP) ## Inspect a raw chain spec: genesis state root and block hash (SPEC=file)
	$(BIN)/deepshard chain-spec inspect $(SPEC)

test: lint typecheck unit e2e ## Everything CI runs: lint, type check, unit tests, end-to-end tests

lint: $(STAMP) ## ruff lint and format check over every source root, tests and benchmarks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP) ## mypy --strict over every source root
	$(BIN)/mypy

unit: $(STAMP) ## The default pytest run (no slow, gpu, browser or e2e tests)
	$(BIN)/pytest -n auto $(PYTEST)

e2e: $(STAMP) $(JS_STAMP) $(IPFS_JS_STAMP) $(CLIENTS_JS_STAMP) ## End-to-end tests (not the slow ones): real node processes driven by real clients
	$(BIN)/pytest -m "e2e and not slow" $(PYTEST)

slow: $(STAMP) ## Only the tests marked slow
	$(BIN)/pytest -n auto -m slow $(PYTEST)

browser: $(STAMP) ## Headless Chromium (/usr/bin/chromium: apt-get install chromium) through the explorer's pages
	$(BIN)/pytest -m browser $(PYTEST)

bench: $(STAMP) ## Run every benchmark under bench/ and print its figures
	$(BIN)/python -m bench

WEIGHT_PALLETS ?= informants treasury balances system timestamp sudo licences
weights: $(STAMP) ## Re-measure the pallets' weights on this machine and rewrite their weights.py (WEIGHT_PALLETS=...)
	for pallet in $(WEIGHT_PALLETS); do $(BIN)/deepshard benchmark pallet --pallet $$pallet || exit 1; done

fmt: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
