"""The run's console table and verdict line, from the redacted result. Text a target sent is shown with its control
characters escaped: it never drives the terminal."""

from __future__ import annotations

from conformance.results.outcomes import STATUSES, Status, Verdict
from conformance.results.result import RunResult
from conformance.safety.terminal import neutralise

WIDTH = 220


def shown(text: str, width: int = WIDTH) -> str:
    """One line of `text` fit for a terminal: control characters escaped, then cut (after redaction: the caller's)."""
    safe = neutralise(text)
    return safe if len(safe) <= width else safe[: width - 1] + "…"


def console_lines(result: RunResult, report_dir: str) -> list[str]:
    """`result` already redacted; `report_dir`: where its reports are."""
    facts = result.facts
    caller = f" as {facts.caller}" if facts.caller else ""
    lines = [
        "",
        f"iam-conformance: ListSigningCertificates on {facts.target}{caller}",
        f"{'category':<12} " + " ".join(f"{status:>8}" for status in STATUSES),
    ]
    for category, count in result.counts.items():
        lines.append(f"{category:<12} " + " ".join(f"{count[status]:>8}" for status in STATUSES))
    for row in result.requirements:
        if row.status == Status.FAILED:
            mark = "known deviation" if row.known_deviation else "FAILED"
            lines.append(f"  {mark:<15} {row.id:<9} {row.title}")
            lines.append(f"  {'':<15} {'':<9} {row.failure_line}")
        elif row.status in (Status.ERROR, Status.UNTESTED):
            lines.append(f"  {row.status.upper():<15} {row.id:<9} {row.reason}")
    strict = " (fails the gate: --strict-baseline)" if facts.strict_baseline else ""
    for requirement_id in result.gate.now_passing:
        lines.append(f"  {'now passing':<15} {requirement_id:<9} listed in the baseline, passed this run{strict}")
    for drift in result.gate.drift:
        lines.append(
            f"  {'DRIFT':<15} {drift.id:<9} a known deviation that now fails otherwise than the baseline "
            f"recorded{strict}"
        )
        lines += [f"  {'':<15} {'':<9} now:      {seen}" for seen in drift.seen[:3]]
        lines += [f"  {'':<15} {'':<9} recorded: {old}" for old in drift.recorded[:3]]
    by_reason: dict[str, list[str]] = {}
    for row in result.of_status(Status.SKIPPED):
        by_reason.setdefault(row.reason or "skipped", []).append(row.id)
    for reason, ids in by_reason.items():  # the reason first: the list of ids is long under --read-only
        lines.append(f"  skipped ({reason}): {len(ids)} requirements")
        lines += [f"    {', '.join(ids[i : i + 12])}" for i in range(0, len(ids), 12)]
    if facts.pace_note:
        lines.append(f"  {facts.pace_note}")
    if result.retries or result.consistency_waits:
        waited = sum(w["seconds"] for w in result.consistency_waits)
        lines.append(
            f"  {result.retries} retries (Throttling/503), {waited:.1f} s waiting for IAM to catch up "
            f"({len(result.consistency_waits)} waits)"
        )
    for problem in result.cleanup_problems:
        lines.append(f"  cleanup left behind: {problem}")
    if result.kept_resources:
        lines.append(
            f"  kept (--keep-resources): {', '.join(result.kept_resources)}; remove them with "
            f"`iam-conformance cleanup --endpoint-url {facts.target}`"
        )
    for reason in result.incomplete_reasons:
        lines.append(f"  INCOMPLETE: {reason}")
    if result.baseline_written:
        failed = len(result.gate.unexpected) + len(result.gate.known)
        lines.append(f"  baseline written to {result.baseline_written} ({failed} failed requirements)")
    elif facts.write_baseline:
        lines.append(f"  baseline not written to {facts.write_baseline}: an incomplete run is no baseline")
    lines.append(f"{result.request_count} requests in {result.duration_s} s; reports in {report_dir}/")
    lines.append(verdict_line(result))
    return [shown(line) for line in lines]


def verdict_line(result: RunResult) -> str:
    """The last line: verdict and gate together, so a passing gate never reads as a failure (nor the reverse)."""
    gate = "pass" if result.gate_passed else "fail"
    if result.verdict == Verdict.INCOMPLETE:
        return "verdict: incomplete — gate: fail (an incomplete run vouches for nothing it did not see)"
    unexpected, known = len(result.gate.unexpected), len(result.gate.known)
    also = "; also incomplete, see above" if result.incomplete_reasons else ""
    if result.facts.baseline:
        return (
            f"verdict: {result.verdict} — gate: {gate} ({known} known deviations, {unexpected} unexpected"
            + (f", {len(result.gate.now_passing)} baseline entries now passing" if result.gate.now_passing else "")
            + (f", {len(result.gate.drift)} drifted" if result.gate.drift else "")
            + also
            + ")"
        )
    return f"verdict: {result.verdict} — gate: {gate} ({unexpected} requirements failed, no baseline{also})"
