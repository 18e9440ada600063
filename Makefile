# iam-conformance: `make run` runs the suite against an embedded moto server; `make test` runs our own tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROFILE ?= standard

.PHONY: run test selftest determinism bench localstack mutation docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[moto,test]'
	touch $(STAMP)

# The suite against the embedded moto, gated by moto's baseline: exit 0 when only its known deviations show.
run: $(STAMP)
	$(BIN)/iam-conformance run --profile $(PROFILE) --baseline baselines/moto.json

# The architecture contracts (pyproject.toml [tool.importlinter]) first, then the tests.
test: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest tests -q -n 2

selftest: $(STAMP)
	$(BIN)/iam-conformance selftest

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
$(MUTATION_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,mutation]'
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

# Everything a run or a build leaves: the venv and every report (reports/.gitkeep stays).
clean:
	rm -rf $(VENV) build dist *.egg-info bench/results.json
	find reports -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
