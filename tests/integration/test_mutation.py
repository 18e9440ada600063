"""The mutation-testing measurement (mutation/): its differential probe, its transport and its classification.

No mutmut run here (`make mutation` does that); these keep the parts it relies on honest.
"""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import pytest

from conformance.reference import Flavour, ReferenceApp, ReferenceServer
from conformance.selftest.faults import by_name
from mutation import probe, results
from mutation.normalise import Normaliser


def test_probe_sees_no_difference_between_two_fresh_references() -> None:
    assert probe.compare(lambda: ReferenceApp(Flavour()), lambda: ReferenceApp(Flavour())) is None


def test_probe_sees_a_page_size_off_by_one() -> None:
    difference = probe.compare(lambda: ReferenceApp(Flavour()), by_name("page_size_off_by_one").build)
    assert difference is not None
    assert "Action=ListSigningCertificates" in difference.expected.request
    assert "MaxItems=1" in difference.expected.request
    assert difference.expected.body != difference.actual.body
    shown = difference.as_dict()
    assert "<IsTruncated>true</IsTruncated>" in shown["expected"]["body"]
    assert "<IsTruncated>false</IsTruncated>" in shown["actual"]["body"]


def test_exhaustive_probe_finds_every_differing_listing() -> None:
    """For survivors the probe goes on past the first difference: how many answers differ, and the first one on
    a ListSigningCertificates call, are what the survivor list shows."""
    baseline = probe.run_probe(ReferenceApp(Flavour()))
    found = probe.run_probe(by_name("page_size_off_by_one").build(), expected=baseline.steps, exhaustive=True)
    assert found.finished and found.listing_difference is not None
    assert found.difference.index == found.listing_difference.index  # the first difference is a listing
    assert found.differing > 10  # every MaxItems walk, POST and GET, differs
    assert found.summary()["differing_requests"] == found.differing


def test_in_process_transport_answers_as_the_socket_server_does() -> None:
    """The suite and the probe reach mutants without sockets; that must not change a single answer."""
    in_process = probe.run_probe(ReferenceApp(Flavour()))
    with ReferenceServer(Flavour()) as server:
        over_loopback = probe.run_probe(None, expected=in_process.steps, url=server.url)
    assert over_loopback.difference is None
    assert len(over_loopback.steps) == len(in_process.steps) > 200


def test_normaliser_keeps_identity_and_form_of_volatile_values() -> None:
    from datetime import datetime

    normaliser = Normaliser(datetime.now(UTC))
    normaliser.register("CertificateId", "A" * 32)
    normaliser.register("CertificateId", "B" * 31)  # not the reference's form: stays as it is
    normaliser.register("Marker", "x" * 321)  # beyond the page's 320 characters
    normaliser.scan("<Renamed>AIDA" + "C" * 17 + "</Renamed>")  # found by its shape, whatever the element
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = normaliser.text(f"{'A' * 32} {'A' * 32} {'B' * 31} {'x' * 321} AIDA{'C' * 17} {now} 2010-05-08T00:00:00Z")
    assert text == (
        f"<CertificateId-1> <CertificateId-1> {'B' * 31} <Marker-1 invalid: 321 chars> <UserId-1> "
        "<nowZ> 2010-05-08T00:00:00Z"
    )


def test_instant_waits_skip_sleeps_on_the_monotonic_clock_only() -> None:
    import time

    from mutation.suite_run import instant_waits

    real_sleep, real_monotonic = time.sleep, time.monotonic
    with instant_waits():
        before, wall_before = time.monotonic(), time.time()
        time.sleep(30)
        assert time.monotonic() - before >= 30  # the suite's bounded waits see their time pass
        assert time.time() - wall_before < 5  # dates and signatures keep the real clock
    assert (time.sleep, time.monotonic) == (real_sleep, real_monotonic)


def _record(exit_code: int, failed=(), difference=None, finished=True) -> dict:
    suite = {"exit_code": exit_code, "failed": list(failed), "reason": None, "seconds": 1.0}
    return {"suite": suite, "probe": {"requests": 262, "finished": finished, "difference": difference}}


@pytest.mark.parametrize(
    ("mutmut_exit", "record", "status"),
    [
        (1, _record(1, ["PAG-02"]), "killed"),
        (0, _record(0), "survived_equivalent"),
        (0, _record(0, difference={"index": 3}), "survived_non_equivalent"),
        (0, _record(0, finished=False), "survived_non_equivalent"),  # no proof of equivalence
        (-24, {"suite": _record(0)["suite"]}, "survived_non_equivalent"),  # the probe hung: the wire differs
        (-24, {"suite": _record(1, ["ERR-01"])["suite"]}, "killed"),  # the verdict came before the hang
        (2, _record(2), "incomplete"),
        (
            2,
            _record(2, ["AUTH-01"]),
            "killed",
        ),  # incomplete, but a deviation was seen and reported: the gate fails on it
        (2, {"suite": None, "startup_error": "ValueError: Flavour.element_order"}, "incomplete"),
        (33, None, "survived_equivalent"),  # no test reaches the function
        (-24, None, "timeout"),
        (-11, None, "error"),
        (None, None, "not_run"),
        (None, _record(2), "not_run"),  # interrupted at the budget: its record holds no verdict
    ],
)
def test_classification(mutmut_exit, record, status) -> None:
    assert results.classify(mutmut_exit, record)[0] == status


def test_score_leaves_equivalent_incomplete_and_unrun_mutants_out() -> None:
    counts = {
        "killed": 90,
        "survived_equivalent": 30,
        "survived_non_equivalent": 8,
        "incomplete": 5,
        "timeout": 1,
        "error": 1,
        "not_run": 7,
    }
    scored = results.score(counts)
    assert (scored["killed"], scored["denominator"], scored["percent"]) == (90, 100, 90.0)
    assert results.score({"survived_equivalent": 3})["percent"] is None


def test_mutant_names_and_diffs_read_as_source() -> None:
    assert (
        results.function_of("conformance.reference.app.xǁReferenceAppǁpage_size__mutmut_3")
        == "app.ReferenceApp.page_size"
    )
    assert results.function_of("conformance.reference.sigv4.x_check_scope__mutmut_12") == "sigv4.check_scope"
    diff = "--- a\n+++ a\n@@ -1,2 +1,2 @@\n def f():\n-    return a < b\n+    return a <= b"
    assert results.changed_lines(diff) == "return a < b => return a <= b"


def _survivor(wire: str | None, expected: dict | None = None, actual: dict | None = None, **extra) -> dict:
    probe = {
        "difference": {"label": "x"},
        "listing_difference": {"expected": expected, "actual": actual} if expected else None,
    }
    return {
        "status": "survived_non_equivalent",
        "function": "app.f",
        "change": "a => b",
        "wire": wire,
        "probe": probe,
        **extra,
    }


def test_survivors_outside_the_contract_say_why_and_leave_the_contract_score() -> None:
    error = "<ErrorResponse><Error><Code>ValidationError</Code><Message>{}</Message></Error></ErrorResponse>"
    worded = _survivor(
        "ListSigningCertificates",
        {"status": 400, "body": error.format("Invalid Marker.")},
        {"status": 400, "body": error.format("invalid marker.")},
    )
    recoded = _survivor(
        "ListSigningCertificates",
        {"status": 400, "body": error.format("m")},
        {"status": 400, "body": error.format("m").replace("ValidationError", "Validation")},
    )
    restatused = _survivor(
        "ListSigningCertificates",
        {"status": 400, "body": error.format("m")},
        {"status": 401, "body": error.format("m")},
    )
    support = _survivor("other actions only")
    assert results.outside_contract(support, {}) == results.SUPPORT_ONLY
    assert results.outside_contract(worded, {}) == results.MESSAGE_ONLY
    assert results.outside_contract(recoded, {}) is None and results.outside_contract(restatused, {}) is None
    assert results.outside_contract(recoded, {"app.f: a => b": "a legal variation"}) == "a legal variation"
    assert results.outside_contract({"status": "killed"}, {"app.f: a => b": "x"}) is None

    mutants = [{"status": "killed"}] * 8 + [
        {**support, "outside_contract": results.SUPPORT_ONLY},
        {**recoded, "outside_contract": None},
        {"status": "timeout"},
    ]
    scored = results.contract_score(mutants)
    assert (scored["killed"], scored["denominator"], scored["percent"]) == (8, 10, 80.0)


def test_every_accepted_survivor_names_a_function_a_change_and_a_reason() -> None:
    accepted = json.loads((Path(results.__file__).parent / "accepted.json").read_text())["accepted"]
    assert accepted and all(e["function"] and " => " in e["change"] and len(e["reason"]) > 20 for e in accepted)
    assert len({(e["function"], e["change"]) for e in accepted}) == len(accepted)
