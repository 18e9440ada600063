"""The mutation-testing measurement (mutation/): its differential probe, its transport and its classification.

No mutmut run here (`make mutation` does that); these keep the parts it relies on honest.
"""

from __future__ import annotations

import json
import os
from datetime import UTC
from pathlib import Path

import pytest

from conformance.reference import Flavour, ReferenceApp, ReferenceServer
from conformance.selftest.faults import by_name
from mutation import probe, results
from mutation.normalise import Normaliser
from mutation.transport import ENDPOINT


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
    ("mutmut_exit", "record", "outcome", "exclusion"),
    [
        (1, _record(1, ["PAG-02"]), "killed", None),
        (0, _record(0), "excluded", "equivalent"),
        (0, _record(0, difference={"index": 3}), "survived", None),
        (0, _record(0, finished=False), "survived", None),  # no proof of equivalence
        (-24, {"suite": _record(0)["suite"]}, "survived", None),  # the probe hung: the wire differs
        (-24, {"suite": _record(1, ["ERR-01"])["suite"]}, "killed", None),  # the verdict came before the hang
        (2, _record(2), "survived", None),  # an incomplete run caught nothing: no excuse either
        (2, _record(2, ["AUTH-01"]), "killed", None),  # incomplete, but a deviation was seen and reported
        # nothing was served: no answer to judge (its error is kept beside the reason)
        (2, {"suite": None, "startup_error": "ValueError: Flavour.element_order"}, "excluded", "outside the contract"),
        (33, None, "excluded", "equivalent"),  # no test reaches the function
        (-24, None, "excluded", "timeout"),
        (-11, None, "excluded", "suite error"),
        (None, None, "not_run", None),
        (None, _record(2), "not_run", None),  # interrupted at the budget: its record holds no verdict
    ],
)
def test_classification(mutmut_exit, record, outcome, exclusion) -> None:
    found = results.classify(mutmut_exit, record)
    assert (found["outcome"], found["exclusion"]) == (outcome, exclusion)
    assert found["why"].strip() and "\n" not in found["why"]  # one line a reviewer can check


def _scored(**outcomes: int) -> dict:
    mutants = []
    for name, n in outcomes.items():
        outcome, _, exclusion = name.partition("__")
        mutants += [{"outcome": outcome, "exclusion": exclusion.replace("_", " ") or None}] * n
    return results.score(mutants)


def test_the_score_is_killed_over_total_less_the_exclusions_by_reason() -> None:
    scored = _scored(
        killed=90,
        survived=8,
        excluded__equivalent=30,
        excluded__outside_the_contract=5,
        excluded__timeout=1,
        excluded__suite_error=1,
        not_run=2,
    )
    assert (scored["killed"], scored["total"], scored["denominator"], scored["percent"]) == (90, 137, 100, 90.0)
    assert scored["excluded"] == {"equivalent": 30, "outside the contract": 5, "timeout": 1, "suite error": 1}
    assert scored["not_run"] == 2  # in the denominator: a mutant nobody measured is not caught
    assert _scored(excluded__equivalent=3)["percent"] is None
    assert results.score_line(scored) == "mutation score: 90/(137 - 37) = 90.0% (killed / (total - excluded))"


def test_mutant_names_and_diffs_read_as_source() -> None:
    assert (
        results.function_of("conformance.reference.app.xǁReferenceAppǁpage_size__mutmut_3")
        == "app.ReferenceApp.page_size"
    )
    assert results.function_of("conformance.reference.sigv4.x_check_scope__mutmut_12") == "sigv4.check_scope"
    diff = "--- a\n+++ a\n@@ -1,2 +1,2 @@\n def f():\n-    return a < b\n+    return a <= b"
    assert results.changed_lines(diff) == "return a < b => return a <= b"


def _survivor(probe: dict) -> dict:
    return {"outcome": "survived", "function": "app.f", "change": "a => b", "probe": probe}


def test_survivors_outside_the_contract_say_why_and_leave_the_score() -> None:
    listing = {"label": "x", "request": "POST Action=ListSigningCertificates, ..."}
    support = _survivor({"difference": {"label": "CreateUser"}, "listing_difference": None})
    worded = _survivor({"difference": listing, "listing_difference": listing, "listing_message_only": True})
    # The first differing listing differs in wording, a later one in its code: inside the contract.
    recoded = _survivor({"difference": listing, "listing_difference": listing, "listing_message_only": False})
    assert results.outside_contract(support, {}) == results.SUPPORT_ONLY
    assert results.outside_contract(worded, {}) == results.MESSAGE_ONLY
    assert results.outside_contract(recoded, {}) is None
    # Its listings, served by the unmutated code, got exactly the mutant's answers: only the state differed.
    set_up = _survivor({"difference": listing, "listing_difference": listing, "listings_unmutated": {"same": True}})
    own = _survivor({"difference": listing, "listing_difference": listing, "listings_unmutated": {"same": False}})
    assert results.outside_contract(set_up, {}) == results.SET_UP_ONLY
    assert results.outside_contract(own, {}) is None
    assert results.outside_contract(recoded, {"app.f: a => b": "a legal variation"}) == "a legal variation"
    assert results.outside_contract({"outcome": "killed", "function": "app.f", "change": "a => b"}, {"x": "y"}) is None

    mutants = [{"outcome": "killed", "exclusion": None}] * 8 + [dict(support), dict(recoded)]
    results.exclude_outside_contract(mutants, {})
    assert mutants[8]["exclusion"] == "outside the contract" and mutants[8]["why"] == results.SUPPORT_ONLY
    assert mutants[9]["outcome"] == "survived"
    assert results.score(mutants)["percent"] == round(100 * 8 / 9, 1)


def test_message_only_judges_the_whole_bodies_of_every_differing_listing() -> None:
    error = "<ErrorResponse><Error><Code>{}</Code><Message>{}</Message></Error></ErrorResponse>"
    same_code = {
        "expected": {"status": "400", "body": error.format("C", "a")},
        "actual": {"status": "400", "body": error.format("C", "b")},
    }
    other_code = {
        "expected": {"status": "400", "body": error.format("C", "a")},
        "actual": {"status": "400", "body": error.format("D", "a")},
    }
    assert results.message_only(same_code) and not results.message_only(other_code)
    comparison = probe.Comparison([], exhaustive=True)
    comparison.expected = {}
    for first, second in (("C", "C"), ("C", "D")):  # a wording difference, then one of the code
        step = lambda code, message: probe.Step(
            "x", "POST Action=ListSigningCertificates,", "400", "text/xml", "r", error.format(code, message)
        )  # noqa: E731
        comparison._note(probe.Difference(0, step(first, "a"), step(second, "b")))
    assert comparison.differing_listings == 2 and comparison.listing_message_only is False


def test_every_accepted_survivor_names_a_function_a_change_and_a_reason() -> None:
    accepted = json.loads((Path(results.__file__).parent / "accepted.json").read_text())["accepted"]
    # a change reads "old => new", or is the line a mutant removed
    assert accepted and all(e["function"] and e["change"].strip() and len(e["reason"]) > 20 for e in accepted)
    assert len({(e["function"], e["change"]) for e in accepted}) == len(accepted)


def test_the_probes_request_lists_run_no_two_values_together() -> None:
    """A missing comma in a list of values sends two of them as one (Python joins adjacent strings): no value list of
    the probe may hold strings written side by side."""
    import io
    import tokenize

    skipped = (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)
    for name in ("probe_sequence.py", "probe_steps.py"):
        source = (Path(probe.__file__).parent / name).read_text(encoding="utf-8")
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type not in skipped]
        for before, first, second in zip(tokens, tokens[1:], tokens[2:], strict=False):
            joined = first.type == second.type == tokenize.STRING and before.string in ",([{"
            assert not joined, f"{name}:{first.start[0]}: {first.string} {second.string} run together"


def test_every_part_of_the_probe_sends_requests_the_reference_serves() -> None:
    """The probe judges mutants by what they answer: each part of it must reach the answers it is about (a listing
    served by POST and by GET, by name and by each signer's own key, a page resumed from a Marker), not only
    refusals."""
    import re

    steps = probe.run_probe(ReferenceApp(Flavour())).steps
    listings = [s for s in steps if "Action=ListSigningCertificates" in s.request and s.status == "200"]
    for method in ("POST", "GET"):
        assert any(s.request.startswith(method) and "UserName=" in s.request for s in listings), method
        assert any(s.request.startswith(method) and "Marker=<Marker" in s.request for s in listings), method
    for signer in ("root", "alice", "bob"):
        assert any(s.request.endswith(f"as {signer}") for s in listings), signer
    assert any(re.search(r"<IsTruncated>true</IsTruncated>", s.body) for s in listings)
    assert len({s.label for s in steps}) > 200


def test_listings_unmutated_selects_no_mutant_for_listings_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from mutation.transport import listings_unmutated, session_for

    seen: list[tuple[str, str | None]] = []

    def app(environ, start_response):
        body = environ["wsgi.input"].read().decode()
        seen.append((environ.get("QUERY_STRING", "") + body, os.environ.get("MUTANT_UNDER_TEST")))
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [b"<ok/>"]

    monkeypatch.setenv("MUTANT_UNDER_TEST", "conformance.reference.app.x_f__mutmut_1")
    session = session_for(listings_unmutated(app))
    session.post(ENDPOINT, data={"Action": "CreateUser", "UserName": "a"})
    session.post(ENDPOINT, data={"Action": "ListSigningCertificates", "UserName": "a"})
    session.get(ENDPOINT, params={"Action": "ListSigningCertificates"})
    session.post(ENDPOINT, data={"Action": "DeleteUser", "UserName": "a"})
    assert [mutant for _, mutant in seen] == ["conformance.reference.app.x_f__mutmut_1", "", "", seen[0][1]]
    assert "UserName=a" in seen[1][0]  # the body the wrapper read still reaches the app
    assert os.environ["MUTANT_UNDER_TEST"] == "conformance.reference.app.x_f__mutmut_1"
