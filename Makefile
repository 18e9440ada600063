# iam-conformance: `make run` runs the suite against an embedded moto server; `make test` runs our own tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROFILE ?= standard

.PHONY: run test selftest clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The suite against the embedded moto, gated by moto's baseline: exit 0 when only its known deviations show.
run: $(STAMP)
	$(BIN)/iam-conformance run --profile $(PROFILE) --baseline baselines/moto.json

test: $(STAMP)
	$(BIN)/python -m pytest tests -q

selftest: $(STAMP)
	$(BIN)/iam-conformance selftest

clean:
	rm -rf $(VENV) reports/*.json reports/*.html
