"""The selftest's catalogue and runner, without running the whole selftest.

The catalogue's shape (size, names, requirement ids, categories), that every fault really deviates from the
reference on the wire (its probe in catalogue_probes, run over HTTP side by side with the reference), the runner's
judging and summary line, and one real suite run each against a fault and a conformant variant.
"""

from __future__ import annotations

import functools
import io
import json
from pathlib import Path

import pytest
from support import catalogue_probes, catalogue_probes_unlisted
from support.catalogue_probes import ROOT, observe

from conformance.contract.spec import CATEGORIES
from conformance.protocol.client import IamClient
from conformance.reference import Flavour, IamError, ReferenceApp, ReferenceServer, Renderer, Store
from conformance.selftest import main, runner
from conformance.selftest.faults import Fault, by_name, catalogue
from conformance.selftest.runner import RunResult, fault_verdict, run_suite
from conformance.selftest.variants import variants

PROBES = {**catalogue_probes.PROBES, **catalogue_probes_unlisted.PROBES}
REQUIREMENTS = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "requirements.json").read_text())
REQUIREMENT_IDS = {r["id"] for r in REQUIREMENTS["requirements"]}


# -- the catalogue -------------------------------------------------------------------------------------------
def test_at_least_a_hundred_faults_with_unique_names():
    names = [f.name for f in catalogue()]
    assert len(names) >= 100
    assert len(set(names)) == len(names)
    assert all(name.isidentifier() for name in names)


def test_every_expected_id_is_a_catalogued_requirement():
    for item in catalogue():
        assert item.expected, item.name
        assert item.expected <= REQUIREMENT_IDS, (item.name, item.expected - REQUIREMENT_IDS)
        assert item.primary in item.expected


def test_every_category_is_represented():
    assert {f.category for f in catalogue()} == set(CATEGORIES)
    categories = {r["id"]: r["category"] for r in REQUIREMENTS["requirements"]}
    assert {categories[i] for f in catalogue() for i in f.expected} == set(CATEGORIES)


def test_descriptions_are_one_line():
    for item in catalogue():
        assert item.description.strip() and "\n" not in item.description, item.name


@pytest.mark.parametrize("item", catalogue(), ids=lambda f: f.name)
def test_each_fault_builds_a_fresh_app_that_overrides_the_reference(item: Fault):
    app, again = item.build(), item.build()
    assert isinstance(app, ReferenceApp)
    assert app.store is not again.store  # every run starts from an empty account
    overridden = (type(app) is not ReferenceApp, type(app.renderer) is not Renderer, type(app.store) is not Store)
    assert sum(overridden) == 1, f"{item.name} must change exactly one part of the reference"


def test_conformant_variants_cover_every_legal_choice():
    found = variants()
    assert len(found) >= 5 and len({v.name for v in found}) == len(found)
    flavours = [v.flavour for v in found]
    for attribute, values in {
        "element_order": {"page", "reversed"},
        "namespace_prefix": {None, "iam"},
        "xml_declaration": {False, True},
        "marker_style": {"plain", "exotic"},
        "certificate_order": {"upload", "reverse"},
        "upload_date_precision": {"seconds", "millis"},
        "result_username": {True, False},
        "extra_elements": {False, True},
        "front_end_faults": {False, True},
        "validate_first": {False, True},
    }.items():
        assert {getattr(f, attribute) for f in flavours} >= values, attribute
    assert any(f.page_cap == 1 for f in flavours)


# -- faults deviate on the wire: the same requests to the reference and to the fault -------------------------
def _observed(app: ReferenceApp, probe) -> object:
    with ReferenceServer(app=app) as server:
        iam = IamClient(server.url, "us-east-1", ROOT)
        try:
            return observe(iam, probe)
        finally:
            iam.close()


@functools.cache
def _reference_answer(probe, flavour: Flavour) -> object:
    first, again = _observed(ReferenceApp(flavour), probe), _observed(ReferenceApp(flavour), probe)
    # A probe that saw something random would tell any two servers apart, faulty or not.
    assert first == again, f"the probe is not deterministic against the reference: {first!r} vs {again!r}"
    return first


def test_every_fault_has_a_wire_probe():
    assert set(PROBES) == {f.name for f in catalogue()}


@pytest.mark.parametrize("item", catalogue(), ids=lambda f: f.name)
def test_fault_answers_differently_from_the_reference(item: Fault):
    app = item.build()
    reference = _reference_answer(PROBES[item.name], app.flavour)  # the same legal flavour the fault runs under
    faulty = _observed(app, PROBES[item.name])
    assert faulty != reference, f"{item.name}: the probe saw the same answer {faulty!r} from both"


# -- the runner's judging ------------------------------------------------------------------------------------
def test_fault_verdicts():
    item = by_name("status_lower_case")
    assert fault_verdict(item, RunResult("x", 1, failed=["SHAPE-05", "PAG-06"])) == (
        True,
        "caught by SHAPE-05 (also PAG-06)",
    )
    assert fault_verdict(item, RunResult("x", 1, failed=["PAG-06"])) == (
        False,
        "caught by unrelated requirement: PAG-06",
    )
    assert fault_verdict(item, RunResult("x", 0))[0] is False
    assert fault_verdict(item, RunResult("x", 2, reason="target unreachable")) == (
        False,
        "NOT CAUGHT: incomplete: target unreachable",
    )
    # a deviation reported by a run that was also incomplete is caught all the same
    assert fault_verdict(item, RunResult("x", 2, failed=["SHAPE-05"], reason="suite error"))[0] is True


def test_summary_line_and_exit_code(monkeypatch):
    fault_a, fault_b = by_name("wrong_namespace"), by_name("max_items_ignored")
    outcomes = {
        "wrong_namespace": RunResult("wrong_namespace", 1, failed=["SHAPE-03"]),
        "max_items_ignored": RunResult("max_items_ignored", 0),
        "page_sample": RunResult("page_sample", 1, failed=["PAG-04"], why={"PAG-04": "expected a; got b"}),
        "reordered_prefixed": RunResult("reordered_prefixed", 0),
    }
    monkeypatch.setattr(runner, "catalogue", lambda: [fault_a, fault_b])
    monkeypatch.setattr(runner, "variants", lambda: variants()[:2])
    seen_seeds = []

    def run_suite(name, build, report_dir, profile, seed=None, **options):
        seen_seeds.append(seed)
        return outcomes[name]

    monkeypatch.setattr(runner, "run_suite", run_suite)
    out = io.StringIO()
    assert runner.run_selftest(workers=2, out=out, seeds=3) == 1
    lines = out.getvalue().splitlines()
    assert lines[-1] == (
        "selftest: caught 1/2 faults on every one of 3 seed(s), 3 false positives on 2 conformant variants"
    )
    assert sorted(set(seen_seeds)) == [1, 2, 3] and len(seen_seeds) == 4 * 3
    assert any("page_sample" in line and "PAG-04: expected a; got b" in line for line in lines)
    assert any(line.startswith("max_items_ignored") and "0/3 seeds" in line and "NOT CAUGHT" in line for line in lines)
    assert any("missed on seed(s) 1, 2, 3" in line for line in lines)


def test_main_rejects_bad_options():
    with pytest.raises(SystemExit) as exited:
        main(["--profile", "nope"])
    assert exited.value.code == 2


# -- real suite runs (a few seconds each) --------------------------------------------------------------------
def test_one_fault_is_caught_and_one_variant_is_clean(tmp_path):
    item = by_name("status_lower_case")
    caught = run_suite(item.name, item.build, tmp_path / "fault")
    assert caught.reason is None and caught.exit_code == 1
    assert fault_verdict(item, caught)[0], caught.failed
    variant = next(v for v in variants() if v.name == "short_pages_exotic_markers")
    clean = run_suite(variant.name, variant.build, tmp_path / "variant")
    assert (clean.exit_code, clean.failed, clean.reason) == (0, [], None), clean.why


class _RefusesEveryone(ReferenceApp):
    def authenticate(self, request, body):
        raise IamError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")


def test_a_run_that_cannot_start_reports_why(tmp_path):
    result = run_suite("refuses", lambda: _RefusesEveryone(Flavour()), tmp_path / "refused")
    assert result.exit_code == 2 and result.failed == []
    assert "credentials refused" in result.reason
