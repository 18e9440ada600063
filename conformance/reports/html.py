"""HTML pages, from templates/: the run's report.html, the compare page and the matrix. Every template escapes
everything (the results quote what targets sent)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance.config.caches import template_bytecode
from conformance.results.result import RunResult
from conformance.results.summary_file import STATUSES, Row, RunSummary, read_document

# A value longer than this (a PEM body, a Marker, a response body) is shown cut, with its length and a way to see it
# whole.
LONG_VALUE_CHARS = 160

if TYPE_CHECKING:
    import jinja2

    from conformance.results.compare import Comparison


def template(name: str, *, strict: bool = True) -> jinja2.Template:
    """A template of conformance/templates, HTML-escaped everywhere (summaries quote what targets sent). `strict`:
    an undefined name fails the rendering (the run's own report reads optional members leniently)."""
    import jinja2

    from conformance.reports.precompiled import OPTIONS, Precompiled

    environment = jinja2.Environment(
        loader=Precompiled(),  # compiled ahead of time; compiled here (its bytecode cached) when edited since
        **OPTIONS,
        undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
        bytecode_cache=template_bytecode(),
    )
    return environment.get_template(name)


def report_page(result: RunResult) -> str:
    """report.html of a run (its result already redacted), from its summary.json document read back as `report`
    reads one: one rendering whether the run writes it or `iam-conformance report` renders it later."""
    return summary_page(read_document(result.to_summary(), Path("summary.json")))


@dataclass(frozen=True)
class ReportView:
    """report.html's sections, the news first: what fails the gate, the suite's own errors, the baseline's news
    (drift, entries now passing), the known deviations, then everything else."""

    run: RunSummary
    unexpected: tuple[Row, ...]
    errors: tuple[Row, ...]
    drifted: tuple[Row, ...]
    now_passing: tuple[Row, ...]
    known: tuple[Row, ...]
    rest: tuple[Row, ...]
    counts: dict[str, int]

    @classmethod
    def of(cls, run: RunSummary) -> ReportView:
        rows = list(run.rows.values())
        failed = [r for r in rows if r.status == "failed"]
        drift = {d.id for d in run.details.drift}
        now_passing = set(run.details.now_passing)
        counts = {status: sum(1 for r in rows if r.status == status) for status in STATUSES}
        counts["unexpected"] = sum(1 for r in failed if not r.known_deviation)
        counts["known"] = len(failed) - counts["unexpected"]
        return cls(
            run=run,
            unexpected=tuple(r for r in failed if not r.known_deviation),
            errors=tuple(r for r in rows if r.status == "error"),
            drifted=tuple(r for r in failed if r.known_deviation and r.id in drift),
            now_passing=tuple(r for r in rows if r.id in now_passing),
            known=tuple(r for r in failed if r.known_deviation),
            rest=tuple(r for r in rows if r.status not in ("failed", "error")),
            counts=counts,
        )


def summary_page(run: RunSummary) -> str:
    """report.html of a finished run, from its summary (conformance.results.summary_file)."""
    return template("report.html.j2").render(v=ReportView.of(run), statuses=STATUSES, long=LONG_VALUE_CHARS)


def compare_page(comparison: Comparison) -> str:
    from conformance.results.compare import KINDS  # not loaded by a run, which renders report.html only

    return template("compare.html.j2").render(c=comparison, kinds=KINDS)


def matrix_page(matrix: dict[str, Any]) -> str:
    return template("matrix.html.j2").render(m=matrix, statuses=STATUSES)
