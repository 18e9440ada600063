"""What the owner of a run learns while it runs, from every process: one TestRecord per test (merged from its
phases' reports), the totals (requests, retries, waits, cleanup), and why the run may not be complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.results.outcomes import STATUSES, Status

# When one test's phases (or one requirement's tests) disagree, the strongest status says what they showed.
STRENGTH: dict[Status, int] = {status: len(STATUSES) - rank for rank, status in enumerate(STATUSES)}


@dataclass
class TestRecord:
    nodeid: str
    requirement: str | None
    status: Status = Status.UNTESTED
    reason: str | None = "not run"
    judged: int = 0
    nothing_to_judge: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    deviations: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    finished: bool = False  # its teardown was reported (or it was skipped): it ran to its end
    _has_verdict: bool = False

    def add_phase(self, when: str, phase: dict[str, Any]) -> None:
        self.judged += phase.get("judged", 0)
        self.nothing_to_judge += [r for r in phase.get("nothing_to_judge", []) if r not in self.nothing_to_judge]
        self.notes += [n for n in phase.get("notes", []) if n not in self.notes]
        self.checks += [c for c in phase.get("checks", []) if c not in self.checks]
        self.deviations += phase.get("deviations", [])
        self.errors += phase.get("errors", [])
        outcome = phase.get("outcome")
        if outcome is not None and (not self._has_verdict or STRENGTH[Status(outcome)] > STRENGTH[self.status]):
            self.status, self.reason, self._has_verdict = Status(outcome), phase.get("reason"), True
        if when == "teardown" or outcome == "skipped":
            self.finished = True

    def crashed(self, why: str) -> None:
        self.errors.append(why)
        if STRENGTH[Status.ERROR] > STRENGTH[self.status] or not self._has_verdict:
            self.status, self.reason, self._has_verdict = Status.ERROR, why, True
        self.finished = True


@dataclass
class RunRecord:
    tests: dict[str, TestRecord] = field(default_factory=dict)
    collected: set[str] = field(default_factory=set)
    requests: int = 0
    cleanup_requests: int = 0
    retries: list[dict[str, Any]] = field(default_factory=list)
    waits: list[dict[str, Any]] = field(default_factory=list)
    cleanup_problems: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    gave_up: str | None = None
    crashes: list[str] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)  # the suite's own bugs, caught by pytest
    interrupted: str | None = None
    could_not_run: str | None = None
    preflight_notes: list[str] = field(default_factory=list)
    preflight_ms: float | None = None  # the preflight's round trip, connection included

    def add_stats(self, stats: dict[str, Any]) -> None:
        self.requests += stats.get("requests", 0)
        self.cleanup_requests += stats.get("cleanup_requests", 0)
        self.retries += stats.get("retries", [])
        self.waits += stats.get("waits", [])
        self.cleanup_problems += stats.get("cleanup_problems", [])
        self.kept += stats.get("kept", [])
        self.gave_up = self.gave_up or stats.get("gave_up")

    def add_report(self, nodeid: str, when: str, payload: dict[str, Any]) -> None:
        stats = payload.get("stats", {})
        self.add_stats(stats)
        test = self.tests.setdefault(nodeid, TestRecord(nodeid, payload.get("requirement")))
        test.requests += stats.get("test_requests", stats.get("requests", 0)) - stats.get("cleanup_requests", 0)
        test.add_phase(when, payload)

    def add_crash(self, nodeid: str, why: str) -> None:
        self.crashes.append(why)
        self.tests.setdefault(nodeid, TestRecord(nodeid, None)).crashed(why)

    def not_finished(self) -> list[str]:
        """Tests collected (or started) that never ran to their end."""
        started = {nodeid for nodeid, test in self.tests.items() if not test.finished}
        return sorted(started | (self.collected - set(self.tests)))
