"""The mutation score anyone can recompute: from the committed per-mutant results (mutation/results.json, written by
`make mutation`), the score, every exclusion by reason and the line README.md shows.

Skipped, saying so, while no results file of a run of every mutant is committed.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from mutation import results

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "mutation" / "results.json"
GOAL_PERCENT = 98.0


@pytest.fixture(scope="module")
def committed() -> dict:
    if not RESULTS.is_file():
        pytest.skip("no mutation/results.json committed yet: `make mutation` writes it (a run of every mutant)")
    found: dict = json.loads(RESULTS.read_text(encoding="utf-8"))
    if found.get("partial"):
        pytest.skip("mutation/results.json holds a run of some mutants only: commit the one `make mutation` writes")
    return found


def test_the_score_is_recomputed_from_the_mutants_themselves(committed: dict) -> None:
    mutants = committed["mutants"]
    scored = results.score(mutants)
    assert scored == committed["score"]
    assert scored["total"] == len(mutants) and scored["not_run"] == 0, "a run that measured every mutant"
    assert scored["percent"] is not None and scored["percent"] >= GOAL_PERCENT, results.score_line(scored)


def test_every_mutant_says_what_it_was_and_what_became_of_it(committed: dict) -> None:
    assert committed["tool"].startswith("mutmut ") and committed["command"].startswith("python -m mutation")
    assert committed["seeds"] and committed["seed"]
    for mutant in committed["mutants"]:
        assert mutant["id"] and mutant["diff"] and mutant["outcome"] in results.OUTCOMES, mutant["id"]
        assert mutant["why"].strip() and "\n" not in mutant["why"], mutant["id"]  # one line a reviewer checks
        if mutant["outcome"] == "excluded":
            assert mutant["exclusion"] in results.EXCLUSIONS, mutant["id"]
        else:
            assert mutant["exclusion"] is None, mutant["id"]
        if mutant["outcome"] == "killed":  # the requests that killed it
            assert mutant["failed"] and mutant["killed_by"], mutant["id"]


def test_the_readme_shows_the_recomputed_score(committed: dict) -> None:
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate
    spec.loader.exec_module(generate)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    region = re.search(r"<!-- generated: mutation-score -->\n(.*?)<!-- /generated -->", readme, re.S)
    assert region is not None and region.group(1) == generate.block("mutation-score", generate.mutation_score())
