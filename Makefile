# iam-conformance: `make run` runs the suite against an embedded moto server; `make test` runs our own tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROFILE ?= standard

.PHONY: run test unit checks selftest determinism bench localstack mutation docs clean lock drift

LOCK := requirements/dev.txt

# Every environment installs from a lock (requirements/*.txt, hashes of every file): the same packages on every
# machine, whatever was released since. The package itself goes in last, editable, built by the locked backend.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The locks, refreshed to the newest releases the package's ranges admit (uv: one universal lock, with the hashes of
# every file of every pinned version, for Python 3.11+ on any platform; pip installs it). Run it when pyproject.toml's
# dependencies change, or to take new releases on purpose once `make drift` has shown what they change.
LOCK_VENV := .venv-lock
COMPILE = $(LOCK_VENV)/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --no-header --upgrade
lock:
	$(PYTHON) -m venv --clear $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --require-hashes --no-deps -r requirements/lock-tool.txt
	$(COMPILE) pyproject.toml --extra dev -o requirements/dev.txt
	$(COMPILE) pyproject.toml --extra dev --extra mutation -c requirements/dev.txt -o requirements/mutation.txt
	rm -rf $(LOCK_VENV)

# What today's newest releases would change (not a gate): a venv of the newest versions of everything, its tests, and
# a run against the embedded moto beside the same run from the locked venv; see tools/drift.py.
drift: $(STAMP)
	$(BIN)/python tools/drift.py

# The suite against the embedded moto, gated by moto's baseline: exit 0 when only its known deviations show.
run: $(STAMP)
	$(BIN)/iam-conformance run --profile $(PROFILE) --baseline moto

# Lint, format, types and the architecture contracts (pyproject.toml) first, then the tests, unit and integration.
test: $(STAMP) checks
	$(BIN)/python -m pytest tests -q -n 2

# The tests that need no server, subprocess or network: seconds, for the edit-run loop.
unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q -n 2

checks: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Its output is kept in reports/selftest.txt (docs/proving.md shows its last line); the exit code is selftest's.
selftest: $(STAMP)
	mkdir -p reports
	set -o pipefail; $(BIN)/iam-conformance selftest | tee reports/selftest.txt

# 20 runs against the conformant reference, each with a fresh Hypothesis seed: one verdict.
determinism: $(STAMP)
	$(BIN)/python -m conformance.selftest.determinism --runs 20

# The standard profile against the reference beside its floor, and -n 1 vs -n 2 on loopback and 100 ms away
# (see bench/bench.py; about 5 minutes); figures in bench/results.json.
bench: $(STAMP)
	$(BIN)/python bench/bench.py

# Mutation testing of the reference (mutation/): mutmut mutates conformance/reference, the suite (standard profile,
# fixed seed) runs against every mutant, a differential probe decides equivalence. Results in mutation/results.json,
# a summary on stdout; budget 29 minutes on 2 cores.
MUTATION_STAMP := $(VENV)/.mutation-installed
$(MUTATION_STAMP): $(STAMP) requirements/mutation.txt
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/mutation.txt
	touch $(MUTATION_STAMP)

mutation: $(MUTATION_STAMP)
	$(BIN)/python -m mutation

# The suite against a LocalStack you started (docker run --rm -p 4566:4566 localstack/localstack, or
# examples/localstack-host-mode.sh), gated by that version's baseline. LocalStack accepts any key: test/test.
LOCALSTACK_URL ?= http://localhost:4566/
LOCALSTACK_VERSION ?= 2026.3.0
localstack: $(STAMP)
	AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test $(BIN)/iam-conformance run --endpoint-url $(LOCALSTACK_URL) \
	  --baseline localstack-$(LOCALSTACK_VERSION) --report-dir reports/localstack

# The README's screenshots (docs/*.png) from real runs in headless Chromium (apt-get install chromium): the embedded
# moto with its baseline, the reference with one fault, and the matrix over them and the conformant reference. With
# DOCS_LOCALSTACK_URL (a LocalStack 2026.3.0 you started), the matrix gets its column too. Reports in reports/docs/.
DOCS_LOCALSTACK_URL ?=
docs: $(STAMP)
	$(BIN)/python docs/screenshots.py $(if $(DOCS_LOCALSTACK_URL),--localstack-url $(DOCS_LOCALSTACK_URL))
	$(BIN)/python docs/generate.py

# Everything a run or a build leaves: the venv and every report (reports/.gitkeep stays).
clean:
	rm -rf $(VENV) .venv-drift .venv-lock build dist *.egg-info bench/results.json
	find reports -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
