"""The selftest's catalogue and runner, without running the whole selftest.

The catalogue's shape (size, names, requirement ids, categories), that faults really deviate from the reference
on the wire (a handful, probed over HTTP side by side with the reference), the runner's judging and summary
line, and one real suite run each against a fault and a conformant variant.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from botocore.credentials import Credentials

from conformance.certificates import new_certificate_pem
from conformance.client import IamClient, Identity
from conformance.reference import (ROOT_ACCESS_KEY, ROOT_SECRET_KEY, Flavour, IamError, ReferenceApp,
                                   ReferenceServer, Renderer, Store)
from conformance.selftest import main, runner
from conformance.selftest.faults import Fault, by_name, catalogue
from conformance.selftest.runner import RunResult, fault_verdict, run_suite
from conformance.selftest.variants import variants
from conformance.spec import CATEGORIES
from conformance.wire import read_error, read_listing, result_element, child, text

REQUIREMENTS = json.loads((Path(__file__).resolve().parents[1] / "schemas" / "requirements.json").read_text())
REQUIREMENT_IDS = {r["id"] for r in REQUIREMENTS["requirements"]}
ROOT = Identity("root", Credentials(ROOT_ACCESS_KEY, ROOT_SECRET_KEY))


# -- the catalogue -------------------------------------------------------------------------------------------
def test_at_least_thirty_faults_with_unique_names():
    names = [f.name for f in catalogue()]
    assert len(names) >= 30
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
        "element_order": {"page", "reversed"}, "namespace_prefix": {None, "iam"}, "xml_declaration": {False, True},
        "marker_style": {"plain", "exotic"}, "certificate_order": {"upload", "reverse"},
        "upload_date_precision": {"seconds", "millis"}, "result_username": {True, False},
        "extra_elements": {False, True},
    }.items():
        assert {getattr(f, attribute) for f in flavours} >= values, attribute
    assert any(f.page_cap == 1 for f in flavours)


# -- faults deviate on the wire: the same requests to the reference and to the fault -------------------------
def _seed(iam: IamClient, certificates: int = 2) -> tuple[str, list[str]]:
    name = "selftest-user"
    assert iam.call("CreateUser", {"UserName": name}).status == 200
    dates = []
    for _ in range(certificates):
        done = iam.call("UploadSigningCertificate", {"UserName": name, "CertificateBody": new_certificate_pem()})
        assert done.status == 200, done.body
        dates.append(text(child(child(result_element(done, "UploadSigningCertificate"), "Certificate"),
                                "UploadDate")))
    return name, dates


def _listing(iam: IamClient, **params: str):
    return iam.call("ListSigningCertificates", params)


def _statuses(iam, name, _):
    return [c.status for c in read_listing(_listing(iam, UserName=name)).certificates]


def _namespace(iam, name, _):
    return _listing(iam, UserName=name).root.tag


def _page_length(iam, name, _):
    return len(read_listing(_listing(iam, UserName=name, MaxItems="1")).certificates)


def _status_of(**params):
    def probe(iam, name, _):
        return iam.call("ListSigningCertificates", {"UserName": name, **params}).status
    return probe


def _absent_user(iam, name, _):
    exchange = _listing(iam, UserName="nobody-here")
    return exchange.status, read_error(exchange).message


def _get_status(iam, name, _):
    return iam.call("ListSigningCertificates", {"UserName": name}, method="GET").status


def _unsigned_status(iam, name, _):
    return iam.call("ListSigningCertificates", {"UserName": name}, identity=Identity.unsigned()).status


def _listed_upload_dates(iam, name, uploaded):
    return [c.upload_date for c in read_listing(_listing(iam, UserName=name)).certificates] == uploaded


def _error_type(iam, name, _):
    return read_error(_listing(iam, UserName="nobody-here")).type


def _content_type(iam, name, _):
    return _listing(iam, UserName=name).content_type


def _same_order_twice(iam, name, _):
    return read_listing(_listing(iam, UserName=name)).ids == read_listing(_listing(iam, UserName=name)).ids


PROBES = {
    "status_lower_case": _statuses,
    "wrong_namespace": _namespace,
    "max_items_ignored": _page_length,
    "unknown_marker_restarts": _status_of(Marker="never-issued"),
    "latin1_marker_crash": _status_of(Marker="never issued \u00e9"),
    "max_items_upper_bound_unchecked": _status_of(MaxItems="1001"),
    "not_found_message_generic": _absent_user,
    "absent_user_400": _absent_user,
    "get_ignores_query_string": _get_status,
    "unsigned_accepted": _unsigned_status,
    "upload_date_is_not_before": _listed_upload_dates,
    "type_receiver_on_4xx": _error_type,
    "json_content_type": _content_type,
    "order_alternates": _same_order_twice,
}


def _observe(app: ReferenceApp, probe) -> object:
    with ReferenceServer(app=app) as server:
        iam = IamClient(server.url, "us-east-1", ROOT)
        try:
            name, dates = _seed(iam)
            return probe(iam, name, dates)
        finally:
            iam.close()


@pytest.mark.parametrize("name", sorted(PROBES))
def test_fault_answers_differently_from_the_reference(name):
    item = by_name(name)
    reference = _observe(ReferenceApp(Flavour()), PROBES[name])
    faulty = _observe(item.build(), PROBES[name])
    assert faulty != reference, f"{name}: the probe saw the same answer {faulty!r} from both"


# -- the runner's judging ------------------------------------------------------------------------------------
def test_fault_verdicts():
    item = by_name("status_lower_case")
    assert fault_verdict(item, RunResult("x", 1, failed=["SHAPE-05", "PAG-06"])) == (
        True, "caught by SHAPE-05 (also PAG-06)")
    assert fault_verdict(item, RunResult("x", 1, failed=["PAG-06"])) == (
        False, "caught by unrelated requirement: PAG-06")
    assert fault_verdict(item, RunResult("x", 0))[0] is False
    assert fault_verdict(item, RunResult("x", 2, reason="target unreachable")) == (
        False, "NOT CAUGHT: incomplete: target unreachable")
    # a deviation reported by a run that was also incomplete is caught all the same
    assert fault_verdict(item, RunResult("x", 2, failed=["SHAPE-05"], reason="suite error"))[0] is True


def test_summary_line_and_exit_code(monkeypatch):
    fault_a, fault_b = by_name("wrong_namespace"), by_name("max_items_ignored")
    outcomes = {"wrong_namespace": RunResult("wrong_namespace", 1, failed=["SHAPE-03"]),
                "max_items_ignored": RunResult("max_items_ignored", 0),
                "page_sample": RunResult("page_sample", 1, failed=["PAG-04"], why={"PAG-04": "expected a; got b"}),
                "reordered_prefixed": RunResult("reordered_prefixed", 0)}
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
    assert lines[-1] == ("selftest: caught 1/2 faults on every one of 3 seed(s), 3 false positives on 2 conformant "
                         "variants")
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
