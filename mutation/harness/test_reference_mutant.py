"""The test mutmut runs once per mutant: the conformance suite against the (mutated) reference, then the probe.

mutmut forks this process per mutant and selects the mutant through MUTANT_UNDER_TEST; the reference is built
here, in the same process, so its trampolines see the selection. The test fails exactly when the suite finds a
failed requirement (mutmut: killed), passes when the suite passes (survived), and ends the session with exit 2
when the suite could not run (incomplete). What the runner needs beyond that verdict goes to a record file per
mutant in $MUTATION_RECORDS: the suite's exit code and failed requirements, then for a survivor the probe's
differences (the first overall, the first on a ListSigningCertificates call, how many of those and whether they
differ only in wording, and whether the same sequence with the listings served by the unmutated code gets the
mutant's answers); a run that could not finish without a deviation is probed as a survivor is. The record is
written before the probe starts, so a probe that hangs (mutmut's timeout) keeps the verdict.

mutmut's own phases use other values of MUTANT_UNDER_TEST: "" (the clean run: the suite must pass and the probe
must agree with the baseline, else the measurement itself is unsound), "stats" (which reference functions the
suite and the probe reach) and "fail" (every mutated function raises: the test must fail).
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

import pytest
from mutmut.mutation.trampoline import get_mutant_under_test

from mutation import probe
from mutation.suite_run import run_suite
from mutation.transport import listings_unmutated

MUTMUT_PHASES = ("", "stats", "fail")
# Killed mutants need no probe for their verdict; one in this many (a fixed choice by name) gets one anyway, to
# measure how often the probe sees what the suite caught: the evidence that "the probe saw nothing" means much.
PROBE_KILLED_SAMPLE = 4


def _build():
    from conformance.reference import Flavour, ReferenceApp, app, render, sigv4, store

    # Measuring the unmutated package by mistake would make every mutant survive: refuse it.
    assert "mutants" in Path(app.__file__).parts, f"the reference was imported from {app.__file__}, not mutants/"
    # mutmut forks each mutant from a process that already ran the reference: a functools cache filled there
    # (parameters_for) would answer without ever calling the mutated function behind it.
    for module in (app, render, sigv4, store):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
    return ReferenceApp(Flavour())


def _write(path: Path, record: dict) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    partial.replace(path)


def test_suite_verdict_on_mutated_reference() -> None:
    mutant = get_mutant_under_test()
    baseline = probe.load_steps(json.loads(Path(os.environ["MUTATION_BASELINE"]).read_text(encoding="utf-8")))
    try:
        app = _build()
    except Exception as exc:  # e.g. a mutated Flavour check refusing the default Flavour: nothing to serve
        if mutant in MUTMUT_PHASES:
            raise
        _write(
            Path(os.environ["MUTATION_RECORDS"]) / f"{mutant}.json",
            {"suite": None, "startup_error": f"{type(exc).__name__}: {exc}"[:300]},
        )
        pytest.exit("the reference did not start", returncode=2)
    outcome = run_suite(app)
    if mutant in MUTMUT_PHASES:
        if mutant != "fail":
            assert outcome.exit_code == 0, f"the suite fails on the unmutated reference: {outcome}"
            checked = probe.run_probe(_build(), expected=baseline)
            assert checked.difference is None, f"the probe is not deterministic: {checked.summary()}"
        assert outcome.exit_code == 0
        return
    record_path = Path(os.environ["MUTATION_RECORDS"]) / f"{mutant}.json"
    record = {"suite": outcome.as_dict()}
    _write(record_path, record)
    if outcome.exit_code == 0 or not outcome.failed:
        # A survivor (an incomplete run caught nothing either): every difference the probe can find, whether any
        # lies on a ListSigningCertificates answer, and whether those differ only in wording.
        whole = probe.run_probe(_build(), expected=baseline, exhaustive=True)
        record["probe"] = whole.summary()
        if whole.listing_difference is not None:
            # Whether the listings differ by themselves, or only through the state the other actions left: the same
            # sequence again, every ListSigningCertificates request served by the unmutated code, compared with
            # the mutant's own answers.
            own = probe.run_probe(listings_unmutated(_build()), expected=whole.steps, exhaustive=True)
            record["probe"]["listings_unmutated"] = {
                # the same answers, and a sequence that broke off (an answer it needed was missing) broke off alike
                "same": own.difference is None and own.problem == whole.problem,
                "difference": own.difference.as_dict() if own.difference else None,
            }
    elif outcome.exit_code == 1 and zlib.crc32(mutant.encode()) % PROBE_KILLED_SAMPLE == 0:
        record["probe"] = probe.run_probe(_build(), expected=baseline).summary()  # does the probe see it too?
    _write(record_path, record)
    if outcome.exit_code == 2:
        pytest.exit(f"the suite could not run: {outcome.reason}", returncode=2)
    assert outcome.exit_code == 0, f"requirements failed: {outcome.failed}"
