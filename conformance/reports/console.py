"""The run's console table and verdict line, from the redacted summary. Text a target sent is shown with its control
characters escaped: it never drives the terminal."""

from __future__ import annotations

from conformance.config.settings import RunSettings
from conformance.reports.writer import failure_line
from conformance.results.outcomes import STATUSES
from conformance.safety.redaction import Redactor
from conformance.safety.terminal import neutralise

WIDTH = 220


def shown(text: str, width: int = WIDTH) -> str:
    """One line of `text` fit for a terminal: control characters escaped, then cut (after redaction: the caller's)."""
    safe = neutralise(text)
    return safe if len(safe) <= width else safe[: width - 1] + "…"


def console_lines(raw_summary: dict, settings: RunSettings, redactor: Redactor) -> list[str]:
    data = redactor.redact_data(raw_summary)
    caller = f" as {data['caller']}" if data.get("caller") else ""
    lines = [
        "",
        f"iam-conformance: ListSigningCertificates on {data['target']}{caller}",
        f"{'category':<12} " + " ".join(f"{status:>8}" for status in STATUSES),
    ]
    for category, count in data["counts"].items():
        lines.append(f"{category:<12} " + " ".join(f"{count[status]:>8}" for status in STATUSES))
    for row in data["requirements"]:
        if row["status"] == "failed":
            mark = "known deviation" if row["known_deviation"] else "FAILED"
            lines.append(f"  {mark:<15} {row['id']:<9} {row['title']}")
            lines.append(f"  {'':<15} {'':<9} {failure_line(row)}")
        elif row["status"] in ("error", "untested"):
            lines.append(f"  {row['status'].upper():<15} {row['id']:<9} {row['reason']}")
    for requirement_id in data["baseline_entries_now_passing"]:
        strict = " (fails the gate: --strict-baseline)" if data["strict_baseline"] else ""
        lines.append(f"  {'now passing':<15} {requirement_id:<9} listed in the baseline, passed this run{strict}")
    for drift in data.get("baseline_drift") or ():
        strict = " (fails the gate: --strict-baseline)" if data["strict_baseline"] else ""
        lines.append(
            f"  {'DRIFT':<15} {drift['id']:<9} a known deviation that now fails otherwise than the baseline "
            f"recorded{strict}"
        )
        lines += [f"  {'':<15} {'':<9} now:      {seen['text']}" for seen in drift["seen"][:3]]
        lines += [f"  {'':<15} {'':<9} recorded: {old['text']}" for old in drift["recorded"][:3]]
    by_reason: dict[str, list[str]] = {}
    for row in data["requirements"]:
        if row["status"] == "skipped":
            by_reason.setdefault(row["reason"] or "skipped", []).append(row["id"])
    for reason, ids in by_reason.items():  # the reason first: the list of ids is long under --read-only
        lines.append(f"  skipped ({reason}): {len(ids)} requirements")
        lines += [f"    {', '.join(ids[i : i + 12])}" for i in range(0, len(ids), 12)]
    if data.get("pace_note"):
        lines.append(f"  {data['pace_note']}")
    if data["retries"] or data["consistency_waits"]:
        waited = sum(w["seconds"] for w in data["consistency_waits"])
        lines.append(
            f"  {data['retries']} retries (Throttling/503), {waited:.1f} s waiting for IAM to catch up "
            f"({len(data['consistency_waits'])} waits)"
        )
    for problem in data["cleanup_problems"]:
        lines.append(f"  cleanup left behind: {problem}")
    if data.get("kept_resources"):
        lines.append(
            f"  kept (--keep-resources): {', '.join(data['kept_resources'])}; remove them with "
            f"`iam-conformance cleanup --endpoint-url {data['target']}`"
        )
    for reason in data["incomplete_reasons"]:
        lines.append(f"  INCOMPLETE: {reason}")
    if data.get("baseline_written"):
        failed = len(data["unexpected_failures"]) + len(data["known_deviations"])
        lines.append(f"  baseline written to {data['baseline_written']} ({failed} failed requirements)")
    elif settings.write_baseline:
        lines.append(f"  baseline not written to {settings.write_baseline}: an incomplete run is no baseline")
    lines.append(f"{data['request_count']} requests in {data['duration_s']} s; reports in {settings.report_dir}/")
    lines.append(verdict_line(data))
    return [shown(line) for line in lines]


def verdict_line(data: dict) -> str:
    """The last line: verdict and gate together, so a passing gate never reads as a failure (nor the reverse)."""
    if data["verdict"] == "incomplete":
        return "verdict: incomplete — gate: fail (an incomplete run vouches for nothing it did not see)"
    unexpected, known = len(data["unexpected_failures"]), len(data["known_deviations"])
    if data["baseline"]:
        return (
            f"verdict: {data['verdict']} — gate: {data['gate']} ({known} known deviations, {unexpected} unexpected"
            + (
                f", {len(data['baseline_entries_now_passing'])} baseline entries now passing"
                if data["baseline_entries_now_passing"]
                else ""
            )
            + (f", {len(data['baseline_drift'])} drifted" if data.get("baseline_drift") else "")
            + ")"
        )
    return f"verdict: {data['verdict']} — gate: {data['gate']} ({unexpected} requirements failed, no baseline)"
