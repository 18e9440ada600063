"""The report folder's bound: whatever a target made the run see, a run's reports take at most REPORT_FOLDER_BYTES.

Every value is bounded already (conformance.safety.bounds); what can still grow is how many there are. When the
reports would not fit, the evidence of failures is cut, the least useful first (a requirement's later failures
before its first), then allure-results' files are left out, and the result says what was shortened.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

from conformance.results.result import Failure, RequirementResult, RunResult

REPORT_FOLDER_BYTES = 8 << 20
NOTES_ROOM = 64 << 10  # kept free for the notes of what was shortened
ESSENTIAL = ("check", "kind", "expected", "actual", "signature")  # what a failure keeps of its evidence at least
MOST_FAILURES = 10  # per requirement, when even their essentials do not fit
_BOUND = f"the report folder is bounded to {REPORT_FOLDER_BYTES >> 20} MiB"


def size(documents: Mapping[str, str] | Sequence[tuple[str, str]]) -> int:
    pairs = documents.items() if isinstance(documents, Mapping) else documents
    return sum(len(text.encode("utf-8", "surrogatepass")) for _, text in pairs)


def fit(
    result: RunResult, render: Callable[[RunResult], dict[str, str]], room: int
) -> tuple[RunResult, dict[str, str]]:
    """`result` and its documents (`render(result)`), shortened until they take at most `room` bytes (or as short
    as they get: the first failure of each requirement keeps its essentials)."""
    documents = render(result)
    for keep in (3, 1, 0):
        if size(documents) <= room:
            break
        result = _essentials_only(result, keep)
        documents = render(result)
    if size(documents) > room:
        result = _fewer_failures(result)
        documents = render(result)
    return result, documents


def within(files: list[tuple[str, str]], room: int) -> tuple[list[tuple[str, str]], int]:
    """The files that fit in `room` bytes, in order; and how many were left out."""
    kept, used = [], 0
    for name, text in files:
        cost = len(text.encode("utf-8", "surrogatepass"))
        if used + cost <= room:
            kept.append((name, text))
            used += cost
    return kept, len(files) - len(kept)


def noted(result: RunResult, note: str) -> RunResult:
    return dataclasses.replace(result, shortened=(*result.shortened, note))


def _essentials_only(result: RunResult, keep: int) -> RunResult:
    cut = 0

    def shortened(row: RequirementResult) -> RequirementResult:
        nonlocal cut
        failures = []
        for n, failure in enumerate(row.failures):
            essential = {k: v for k, v in failure.evidence.items() if k in ESSENTIAL}
            if n >= keep and essential != dict(failure.evidence):
                failure, cut = Failure(failure.message, essential), cut + 1
            failures.append(failure)
        return dataclasses.replace(row, failures=tuple(failures))

    rows = tuple(shortened(row) for row in result.requirements)
    kept = f"all but the first {keep} of each requirement" if keep else "every failure"
    note = f"evidence of {cut} failures ({kept}) cut to its check, expected and actual: {_BOUND}"
    return noted(dataclasses.replace(result, requirements=rows), note) if cut else result


def _fewer_failures(result: RunResult) -> RunResult:
    left_out = sum(max(0, len(row.failures) - MOST_FAILURES) for row in result.requirements)
    rows = tuple(dataclasses.replace(row, failures=row.failures[:MOST_FAILURES]) for row in result.requirements)
    note = f"{left_out} failures left out (the first {MOST_FAILURES} of each requirement kept): {_BOUND}"
    return noted(dataclasses.replace(result, requirements=rows), note) if left_out else result


def allure_note(left_out: int, of: int) -> str:
    return f"{left_out} of {of} allure-results files left out: {_BOUND}"
