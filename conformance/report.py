"""The run's verdict: per-requirement status, summary.json, report.html and the console table."""
from __future__ import annotations

import datetime
import json
import os
import platform
import time
from dataclasses import dataclass
from importlib.metadata import version

import jinja2

from conformance import baseline as baselines
from conformance import junit
from conformance.redaction import redact
from conformance.spec import CATEGORIES, operation, requirements

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("conformance", "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True
)


@dataclass(frozen=True)
class Verdict:
    verdict: str  # conformant | nonconformant
    gate: baselines.Gate
    requirements: list[dict]

    @property
    def exit_code(self) -> int:
        return self.gate.exit_code


def requirement_rows(outcomes: dict[str, dict], expected_failures: dict[str, str]) -> list[dict]:
    """One row per catalogued requirement: failed if any of its tests failed, passed if any passed."""
    rows = []
    for requirement in requirements().values():
        mine = [o for o in outcomes.values() if o["requirement"] == requirement.id]
        statuses = {o["status"] for o in mine}
        status = "failed" if "failed" in statuses else "passed" if "passed" in statuses else "skipped"
        rows.append({
            "id": requirement.id,
            "category": requirement.category,
            "status": status,
            "title": requirement.title,
            "source": requirement.source,
            "tests": len(mine),
            "known_deviation": expected_failures.get(requirement.id) if status == "failed" else None,
            "failures": [{"message": o["message"], "evidence": o["evidence"]} for o in mine if o["status"] == "failed"],
            # Where to read more: the HTML section and the junit testcases of this requirement.
            "evidence_pointers": {"html": f"report.html#{requirement.id}", "junit": f"junit.xml#{requirement.id}"},
        })
    return rows


def evaluate(run) -> Verdict:
    baseline = baselines.load(run.baseline_path)
    rows = requirement_rows(run.outcomes, baseline.expected_failures if baseline else {})
    result = baselines.gate({r["id"]: r["status"] for r in rows}, baseline, strict=run.strict_baseline)
    verdict = "nonconformant" if any(r["status"] == "failed" for r in rows) else "conformant"
    return Verdict(verdict, result, rows)


def summary(run, verdict: Verdict) -> dict:
    return {
        "verdict": verdict.verdict,
        "gate": "pass" if verdict.exit_code == 0 else "fail",
        "operation": operation().operation,
        "target": run.target_label,
        "versions": {"suite": version("iam-conformance"), "api": operation().api_version,
                     "python": platform.python_version(), "hypothesis": version("hypothesis")},
        "hypothesis_seed": os.environ.get("IAM_CONFORMANCE_SEED", "pytest default"),
        "started": datetime.datetime.fromtimestamp(run.started, datetime.timezone.utc).isoformat(timespec="seconds"),
        "duration_s": round(time.time() - run.started, 2),
        "request_count": run.request_count,
        "retries": len(run.retries),
        "retry_log": run.retries[:200],
        "consistency_waits": run.waits[:200],
        "aborted": run.gave_up,
        "baseline": run.baseline_path,
        "strict_baseline": run.strict_baseline,
        "unexpected_failures": verdict.gate.unexpected,
        "known_deviations": verdict.gate.known,
        "baseline_entries_now_passing": verdict.gate.now_passing,
        "cleanup_problems": run.cleanup_problems,
        "counts": counts_by_category(verdict.requirements),
        "requests_by_category": requests_by_category(run),
        "requirements": verdict.requirements,
    }


def requests_by_category(run) -> dict[str, int]:
    """Requests per category; what no test sent (session cleanup, the preflight) is 'outside tests'."""
    catalogue = requirements()
    counts = {c: 0 for c in CATEGORIES}
    for outcome in run.outcomes.values():
        counts[catalogue[outcome["requirement"]].category] += outcome.get("requests", 0)
    counts["outside tests"] = max(0, run.request_count - sum(counts.values()))
    return counts


def counts_by_category(rows: list[dict]) -> dict[str, dict[str, int]]:
    counts = {c: {"passed": 0, "failed": 0, "skipped": 0} for c in CATEGORIES}
    for row in rows:
        counts[row["category"]][row["status"]] += 1
    return counts


def write_all(run, config) -> Verdict:
    verdict = evaluate(run)
    run.verdict = verdict
    run.report_dir.mkdir(parents=True, exist_ok=True)
    data = summary(run, verdict)
    (run.report_dir / "summary.json").write_text(redact(json.dumps(data, indent=2, ensure_ascii=False)),
                                                 encoding="utf-8")
    html = _TEMPLATES.get_template("report.html.j2").render(summary=data, categories=CATEGORIES)
    (run.report_dir / "report.html").write_text(redact(html), encoding="utf-8")
    junit.write(run.report_dir / "junit.xml", run.outcomes, set(verdict.gate.known), data["duration_s"])
    redact_files(run.report_dir / "junit.xml", *(run.report_dir / "allure-results").glob("*"))
    if run.write_baseline:
        baselines.write(run.write_baseline, run.target_label, first_failure_lines(verdict.requirements))
    run.summary = data
    return verdict


def redact_files(*paths) -> None:
    """Reports written by other libraries (JUnit here, Allure) pass the same redaction afterwards."""
    for path in paths:
        if path.is_file() and path.suffix in (".xml", ".json", ".txt"):
            text = path.read_text(encoding="utf-8", errors="replace")
            if redact(text) != text:
                path.write_text(redact(text), encoding="utf-8")


def failure_line(row: dict) -> str:
    """A failed requirement in one line: its first failure's broken expectation."""
    evidence = (row["failures"][0]["evidence"] or {}) if row["failures"] else {}
    return f"expected {evidence.get('expected')}; got {evidence.get('actual')}" if evidence else row["title"]


def first_failure_lines(rows: list[dict]) -> dict[str, str]:
    """id -> one-line reason, for --write-baseline."""
    return {row["id"]: failure_line(row)[:300] for row in rows if row["status"] == "failed"}


def console_lines(run) -> list[str]:
    data, verdict = run.summary, run.verdict
    lines = ["", f"iam-conformance: ListSigningCertificates on {data['target']}",
             f"{'category':<12} {'passed':>6} {'failed':>6} {'skipped':>7}"]
    for category, count in data["counts"].items():
        lines.append(f"{category:<12} {count['passed']:>6} {count['failed']:>6} {count['skipped']:>7}")
    for row in verdict.requirements:
        if row["status"] != "failed":
            continue
        mark = "known deviation" if row["known_deviation"] else "FAILED"
        lines.append(f"  {mark:<15} {row['id']:<9} {row['title']}")
        lines.append(f"  {'':<15} {'':<9} {failure_line(row)[:220]}")
    for requirement_id in verdict.gate.now_passing:
        strict = " (fails the gate: --strict-baseline)" if verdict.gate.strict else ""
        lines.append(f"  {'now passing':<15} {requirement_id:<9} listed in the baseline, passed this run{strict}")
    if data["aborted"]:
        lines.append(f"  could not finish: {data['aborted']}")
    if data["retries"] or data["consistency_waits"]:
        waited = sum(w["seconds"] for w in data["consistency_waits"])
        lines.append(f"  {data['retries']} retries (Throttling/503), {waited:.1f} s waiting for new entities")
    for problem in data["cleanup_problems"]:
        lines.append(f"  cleanup left behind: {problem}")
    lines.append(f"verdict: {data['verdict']} ({len(verdict.gate.unexpected)} unexpected failures, "
                 f"{len(verdict.gate.known)} known deviations); {data['request_count']} requests in "
                 f"{data['duration_s']} s; reports in {run.report_dir}/")
    return [redact(line) for line in lines]
