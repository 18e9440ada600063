"""`iam-conformance compare OLD NEW`: what changed between two runs, for gating a release on the last one.

A regression is a requirement that passed in OLD and fails (or errs) in NEW, known deviation or not: a baseline
says what a target is allowed to fail, not what it may stop doing. Exit 0 without regressions, 1 with, 2 when an
input cannot be read or NEW is incomplete (what it did not reach may have regressed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from conformance.errors import ExitCode
from conformance.results.summary_file import Row, RunSummary

EXIT_NO_REGRESSION, EXIT_REGRESSION, EXIT_CANNOT_TELL = ExitCode.OK, ExitCode.NONCONFORMANT, ExitCode.INCOMPLETE
FAILING = ("failed", "error")
NOT_JUDGED = ("skipped", "untested")
# Kinds of change, in the order they are listed; "changed" is every other status change (skipped -> failed, ...).
KINDS = ("regressed", "fixed", "lost coverage", "new", "removed", "changed")


@dataclass(frozen=True)
class Change:
    kind: str
    id: str
    title: str
    old: Row | None  # None: not in OLD's catalogue
    new: Row | None  # None: not in NEW's catalogue

    @property
    def transition(self) -> str:
        return f"{self.old.status if self.old else 'absent'} -> {self.new.status if self.new else 'absent'}"

    @property
    def detail(self) -> str:
        """NEW's side of it: its first failure or its reason, and whether NEW's baseline lists it."""
        row = cast(Row, self.new or self.old)  # a change is in one run at least
        known = " (a known deviation in NEW's baseline)" if self.new and self.new.known_deviation else ""
        return f"{row.detail}{known}" if row.detail else known.strip()


def classify(old: str | None, new: str | None) -> str | None:
    """The kind of change from status `old` to status `new` (None: absent from that run); None when unchanged."""
    if old == new:
        return None
    if old is None:
        return "new"
    if new is None:
        return "removed"
    if old == "passed" and new in FAILING:
        return "regressed"
    if old in FAILING and new == "passed":
        return "fixed"
    if old == "passed" and new in NOT_JUDGED:
        return "lost coverage"
    return "changed"


@dataclass(frozen=True)
class Comparison:
    old: RunSummary
    new: RunSummary
    changes: tuple[Change, ...]  # in KINDS order, then in NEW's catalogue order
    unchanged: int

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def exit_code(self) -> int:
        if self.of("regressed"):  # a regression seen is the news, even in a run that could not finish
            return EXIT_REGRESSION
        return EXIT_CANNOT_TELL if self.new.incomplete else EXIT_NO_REGRESSION

    @property
    def conclusion(self) -> str:
        regressions = len(self.of("regressed"))
        incomplete = f"NEW is incomplete ({'; '.join(self.new.incomplete_reasons) or 'verdict incomplete'})"
        if regressions:
            found = f"{regressions} regression{'s' if regressions > 1 else ''}"
            return f"{found}; {incomplete}: there may be more" if self.new.incomplete else found
        if self.new.incomplete:
            return f"{incomplete}: what it did not reach may have regressed, so no regression can be ruled out"
        return "no regressions"


def compare(old: RunSummary, new: RunSummary) -> Comparison:
    ids = list(new.rows) + [i for i in old.rows if i not in new.rows]
    found = []
    for requirement_id in ids:
        before, after = old.rows.get(requirement_id), new.rows.get(requirement_id)
        kind = classify(before.status if before else None, after.status if after else None)
        if kind:
            title = cast(Row, after or before).title  # every id is in one run at least
            found.append(Change(kind, requirement_id, title, before, after))
    changes = tuple(sorted(found, key=lambda c: KINDS.index(c.kind)))  # stable: catalogue order within a kind
    return Comparison(old, new, changes, unchanged=len(ids) - len(changes))


def console_lines(comparison: Comparison) -> list[str]:
    lines = [f"OLD: {comparison.old.described}", f"NEW: {comparison.new.described}"]
    for change in comparison.changes:
        detail = f" — {change.detail}" if change.detail else ""
        lines.append(f"{change.kind:<13} {change.id:<9} {change.transition:<20} {change.title}{detail}"[:400])
    totals = ", ".join(f"{len(comparison.of(kind))} {kind}" for kind in KINDS)
    lines.append(f"compare: {totals}; {comparison.unchanged} unchanged — {comparison.conclusion}")
    return lines
