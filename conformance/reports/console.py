"""The run's console table and verdict line, from the redacted result. Text a target sent is shown with its control
characters escaped: it never drives the terminal."""

from __future__ import annotations

from conformance.results.outcomes import STATUSES, Status, Verdict
from conformance.results.result import RunResult
from conformance.safety.terminal import neutralise

WIDTH = 220
GROUPED = 4  # untested requirements sharing a reason are listed on one line from this many


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
    # The news first: what fails the gate, then what the suite could not do, then the baseline's own news, then what
    # the baseline knows, then what was not judged.
    failed = result.of_status(Status.FAILED)
    for row in [r for r in failed if not r.known_deviation]:
        lines.append(f"  {'FAILED':<15} {row.id:<9} {row.title}")
        lines.append(f"  {'':<15} {'':<9} {row.failure_line}")
    for row in result.of_status(Status.ERROR):
        lines.append(f"  {'ERROR':<15} {row.id:<9} {row.reason}")
    strict = " (fails the gate: --strict-baseline)" if facts.strict_baseline else ""
    for drift in result.gate.drift:
        lines.append(
            f"  {'DRIFT':<15} {drift.id:<9} a known deviation that now fails otherwise than the baseline "
            f"recorded{strict}"
        )
        lines += [f"  {'':<15} {'':<9} now:      {seen}" for seen in drift.seen[:3]]
        lines += [f"  {'':<15} {'':<9} recorded: {old}" for old in drift.recorded[:3]]
    for requirement_id in result.gate.now_passing:
        lines.append(f"  {'now passing':<15} {requirement_id:<9} listed in the baseline, passed this run{strict}")
    for row in [r for r in failed if r.known_deviation]:
        lines.append(f"  {'known deviation':<15} {row.id:<9} {row.title}")
        lines.append(f"  {'':<15} {'':<9} {row.failure_line}")
    untested: dict[str, list[str]] = {}
    for row in result.of_status(Status.UNTESTED):
        untested.setdefault(row.reason or "untested", []).append(row.id)
    for reason, ids in untested.items():
        if len(ids) < GROUPED:
            lines += [f"  {'UNTESTED':<15} {requirement_id:<9} {reason}" for requirement_id in ids]
        else:  # (an interrupted run: every requirement not run, for one reason)
            lines.append(f"  {'UNTESTED':<15} {len(ids)} requirements: {reason}")
            lines += [f"    {', '.join(ids[i : i + 12])}" for i in range(0, len(ids), 12)]
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
        recorded = len(result.gate.unexpected) + len(result.gate.known)
        lines.append(f"  baseline written to {result.baseline_written} ({recorded} failed requirements)")
    elif facts.write_baseline:
        lines.append(f"  baseline not written to {facts.write_baseline}: an incomplete run is no baseline")
    lines.append(f"{result.request_count} requests in {result.duration_s} s; reports in {report_dir}/")
    lines.append(verdict_line(result))
    return [shown(line) for line in lines]


def verdict_line(result: RunResult) -> str:
    """The last line: verdict and gate together, so a passing gate never reads as a failure (nor the reverse); a
    partial run says so."""
    gate = result.gate_word
    also = "; also incomplete, see above" if result.besides_partial else ""
    asked = (
        f"; a partial run ({len(result.facts.selection)} of {len(result.requirements)} requirements asked for) "
        "never passes"
        if result.partial
        else ""
    )
    if result.verdict == Verdict.INCOMPLETE:
        if result.partial:
            return (
                f"verdict: incomplete — gate: partial ({len(result.facts.selection)} of {len(result.requirements)} "
                f"requirements asked for, none failed{also}; a partial run never passes the gate of the whole contract)"
            )
        return "verdict: incomplete — gate: fail (an incomplete run vouches for nothing it did not see)"
    unexpected, known = len(result.gate.unexpected), len(result.gate.known)
    if result.facts.baseline:
        return (
            f"verdict: {result.verdict} — gate: {gate} ({known} known deviations, {unexpected} unexpected"
            + (f", {len(result.gate.now_passing)} baseline entries now passing" if result.gate.now_passing else "")
            + (f", {len(result.gate.drift)} drifted" if result.gate.drift else "")
            + also
            + asked
            + ")"
        )
    return f"verdict: {result.verdict} — gate: {gate} ({unexpected} requirements failed, no baseline{also}{asked})"
