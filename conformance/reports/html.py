"""HTML pages, from templates/: the run's report.html, the compare page and the matrix. Every template escapes
everything (the results quote what targets sent)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.config.caches import template_bytecode
from conformance.contract.spec import CATEGORIES
from conformance.results.compare import KINDS, Comparison
from conformance.results.result import RunResult
from conformance.results.summary_file import STATUSES

if TYPE_CHECKING:
    import jinja2


def template(name: str, *, strict: bool = True) -> jinja2.Template:
    """A template of conformance/templates, HTML-escaped everywhere (summaries quote what targets sent). `strict`:
    an undefined name fails the rendering (the run's own report reads optional members leniently)."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("conformance.reports", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
        bytecode_cache=template_bytecode(),
    )
    return environment.get_template(name)


def report_page(result: RunResult) -> str:
    """report.html of a run (its result already redacted), from the result's JSON form."""
    return template("report.html.j2", strict=False).render(summary=result.to_summary(), categories=CATEGORIES)


def compare_page(comparison: Comparison) -> str:
    return template("compare.html.j2").render(c=comparison, kinds=KINDS)


def matrix_page(matrix: dict[str, Any]) -> str:
    return template("matrix.html.j2").render(m=matrix, statuses=STATUSES)
