# iam-conformance: `make run` runs the suite against an embedded moto server; `make test` runs our own tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROFILE ?= standard

.PHONY: run test selftest determinism bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The suite against the embedded moto, gated by moto's baseline: exit 0 when only its known deviations show.
run: $(STAMP)
	$(BIN)/iam-conformance run --profile $(PROFILE) --baseline baselines/moto.json

test: $(STAMP)
	$(BIN)/python -m pytest tests -q -n 2

selftest: $(STAMP)
	$(BIN)/iam-conformance selftest

# 20 runs against the conformant reference, each with a fresh Hypothesis seed: one verdict.
determinism: $(STAMP)
	$(BIN)/python -m conformance.selftest.determinism --runs 20

# The standard profile against the reference beside its floor (see bench/bench.py); figures in bench/results.json.
bench: $(STAMP)
	$(BIN)/python bench/bench.py --repeat 3

clean:
	rm -rf $(VENV) reports/*.json reports/*.html
