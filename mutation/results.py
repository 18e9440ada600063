"""Classification of mutants, the score, and the human summary (pure functions over plain data).

Per mutant: `killed` (the suite failed a requirement), `survived_equivalent` (the suite passed and the probe saw
no difference on the wire), `survived_non_equivalent` (the suite passed and the probe saw one, or could not
prove there is none), `incomplete` (the suite could not run: exit 2, or the reference did not start),
`timeout`, `error` (the harness crashed), `not_run` (the time budget ran out first).
Score = killed / (measured - equivalent - incomplete), measured = every mutant except `not_run`; timeouts and
errors stay in the denominator (a mutant nobody classified is not counted as caught).

Outside the contract: a non-equivalent survivor whose difference the page does not constrain, with the reason
(`outside_contract`): it shows only in the answers of the set-up actions (CreateUser, UploadSigningCertificate...),
only in an error's Message (IAM fixes codes, not wording), or it is one of the hand-checked entries of
mutation/accepted.json (a legal variation of the page, a leniency on purpose). The contract score leaves them out:
killed / (killed + survivors without a reason + timeouts + errors). No survivor is silent: each is either counted
against the contract score or listed with its reason.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict

STATUSES = ("killed", "survived_equivalent", "survived_non_equivalent", "incomplete", "timeout", "error", "not_run")
MUTMUT_NO_TESTS = 33  # mutmut: no test reaches the function (neither the suite nor the probe calls it)
MUTMUT_TIMEOUTS = {36, -24, 24, 152, 255, -9}  # SIGXCPU from the CPU limit, SIGKILL after it


def classify(mutmut_exit: int | None, record: dict | None) -> tuple[str, str]:
    """(status, note) of one mutant from mutmut's exit code and the harness's record (None: no record)."""
    if mutmut_exit is None:  # mutmut recorded no verdict: stopped at the budget, even if a record was begun
        return "not_run", "the time budget ran out before this mutant finished"
    if record is not None and record.get("startup_error"):
        return "incomplete", f"the reference did not start: {record['startup_error']}"
    suite = (record or {}).get("suite")
    if suite is not None:
        if suite["exit_code"] == 1:
            return "killed", "failed " + ", ".join(suite["failed"])
        if suite["exit_code"] == 2 and suite["failed"]:  # deviations seen and reported, in a run that also stopped
            return "killed", "failed " + ", ".join(suite["failed"]) + " (in an incomplete run)"
        if suite["exit_code"] == 2:
            return "incomplete", f"the suite could not run: {suite.get('reason') or 'exit 2'}"
        probe = record.get("probe")
        if probe is None:  # the record was written, the probe never reported: it hung or crashed
            how = "timed out" if mutmut_exit in MUTMUT_TIMEOUTS else f"ended with mutmut exit {mutmut_exit}"
            return "survived_non_equivalent", f"the suite passed; the probe {how} (no equivalence proof)"
        if probe.get("difference") is None and probe.get("finished"):
            return "survived_equivalent", f"the probe's {probe['requests']} requests saw no difference"
        return "survived_non_equivalent", "the suite passed; the probe saw a difference"
    if mutmut_exit == MUTMUT_NO_TESTS:
        return "survived_equivalent", "unreached: neither the suite nor the probe calls this function"
    if mutmut_exit in MUTMUT_TIMEOUTS:
        return "timeout", "the per-mutant time limit ended the suite run"
    return "error", f"the harness ended with exit {mutmut_exit} and left no record"


def score(counts: dict[str, int]) -> dict:
    measured = sum(n for status, n in counts.items() if status != "not_run")
    denominator = measured - counts.get("survived_equivalent", 0) - counts.get("incomplete", 0)
    killed = counts.get("killed", 0)
    return {
        "killed": killed,
        "denominator": denominator,
        "percent": round(100.0 * killed / denominator, 1) if denominator else None,
        "formula": "killed / (measured - survived_equivalent - incomplete)",
    }


SUPPORT_ONLY = (
    "shows only in the answers of the actions the suite uses to set up and clean up (CreateUser, "
    "UploadSigningCertificate, CreateAccessKey...): the page is ListSigningCertificates' contract"
)
MESSAGE_ONLY = "only an error's Message differs (same status, same Code): IAM's contract is the code, not the wording"
_MESSAGE = re.compile(r"<((?:\w+:)?)Message>.*?</\1Message>", re.DOTALL)


def _message_only(difference: dict) -> bool:
    expected, actual = difference.get("expected"), difference.get("actual")
    if not expected or not actual or expected["status"] != actual["status"]:
        return False
    return (
        _MESSAGE.sub("<Message/>", expected["body"]) == _MESSAGE.sub("<Message/>", actual["body"])
        and expected["body"] != actual["body"]
    )


def outside_contract(mutant: dict, accepted: dict[str, str]) -> str | None:
    """Why a non-equivalent survivor lies outside the contract, or None (it counts against the contract score).
    `accepted`: "<function>: <change>" -> the reason, from mutation/accepted.json."""
    if mutant.get("status") != "survived_non_equivalent":
        return None
    if mutant.get("wire") == "other actions only":
        return SUPPORT_ONLY
    shown = (mutant.get("probe") or {}).get("listing_difference")
    if shown and _message_only(shown):
        return MESSAGE_ONLY
    return accepted.get(f"{mutant['function']}: {mutant.get('change', '')}")


def contract_score(mutants: list[dict]) -> dict:
    killed = sum(1 for m in mutants if m["status"] == "killed")
    against = sum(
        1
        for m in mutants
        if m["status"] in ("timeout", "error")
        or (m["status"] == "survived_non_equivalent" and not m.get("outside_contract"))
    )
    denominator = killed + against
    return {
        "killed": killed,
        "denominator": denominator,
        "percent": round(100.0 * killed / denominator, 1) if denominator else None,
        "formula": "killed / (killed + survivors inside the contract + timeouts + errors)",
    }


def function_of(mutant: str) -> str:
    """`conformance.reference.app.xǁReferenceAppǁpage_size__mutmut_3` -> `app.ReferenceApp.page_size`."""
    module, _, generated = re.sub(r"__mutmut_\d+$", "", mutant).rpartition(".")
    name = generated[2:] if generated.startswith("x_") else generated[1:].replace("ǁ", ".").strip(".")
    return f"{module.rpartition('.')[2]}.{name}"


def changed_lines(diff: str) -> str:
    """The mutation in one line: the removed and added source lines of mutmut's function diff."""
    lines = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    return " => ".join(" ".join(line[1:].split()) for line in lines)[:240]


def durations(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    return {
        "count": len(values),
        "mean": round(statistics.fmean(values), 3),
        "median": round(statistics.median(values), 3),
        "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 3),
        "max": round(ordered[-1], 3),
    }


def wire_scope(probe: dict | None) -> str | None:
    """Where a survivor's difference shows: on ListSigningCertificates answers (the page's operation) or only
    on the supporting actions the suite uses for setup (CreateUser, UploadSigningCertificate...)."""
    if not probe or not probe.get("difference"):
        return None
    return "ListSigningCertificates" if probe.get("listing_difference") else "other actions only"


def difference_line(difference: dict | None) -> str:
    """'<label>: expected <status> [<code>], got <status> [<code>]' for the summary."""
    if not difference:
        return "no difference recorded"

    def brief(step: dict | None) -> str:
        if step is None:
            return "no answer"
        code = re.search(r"<Code>(.*?)</Code>", step["body"])
        return f"{step['status']}" + (f" {code.group(1)}" if code else "")

    expected, actual = difference.get("expected"), difference.get("actual")
    said = f"{difference.get('label', '')}: expected {brief(expected)}, got {brief(actual)}"
    if expected and actual and (expected["status"], brief(expected)) == (actual["status"], brief(actual)):
        said += " (the bodies differ)"
    return said + (f" [{difference['reason']}]" if difference.get("reason") else "")


def summary_lines(results: dict) -> list[str]:
    counts, scored = results["counts"], results["score"]
    power = results["probe_power"]
    lines = [
        f"mutation: {results['tool']} over conformance/reference ({', '.join(results['files'])}); suite "
        f"profile {results['profile']}, seed {results['seed']}",
        f"mutants: {sum(counts.values())} ({counts.get('not_run', 0)} not run within the budget)",
        "  " + ", ".join(f"{status} {counts.get(status, 0)}" for status in STATUSES if status != "not_run"),
        f"wall time: {results['wall_seconds']:.0f} s (mutmut phase {results['mutmut_seconds']:.0f} s, "
        f"{results['workers']} workers); per mutant: median {results['per_mutant_seconds'].get('median')} s, "
        f"mean {results['per_mutant_seconds'].get('mean')} s, max {results['per_mutant_seconds'].get('max')} s",
        *(
            f"  invocation {i}: {run['wall_seconds']:.0f} s, {run['measured_after']} mutants measured after it, mean "
            f"load average {run['mean_load_average']}"
            for i, run in enumerate(results.get("invocations", []), start=1)
        ),
        f"probe: {results['probe_requests']} requests; on a sample of killed mutants it saw a difference for "
        f"{power['seen']}/{power['probed']}",
        f"score: {scored['killed']}/{scored['denominator']} = {scored['percent']}% ({scored['formula']})",
    ]
    contract = results.get("contract_score")
    if contract:
        lines.append(
            f"contract score: {contract['killed']}/{contract['denominator']} = {contract['percent']}% "
            f"({contract['formula']})"
        )
    survivors = [m for m in results["mutants"] if m["status"] == "survived_non_equivalent"]
    reasons = Counter(m["outside_contract"] for m in survivors if m.get("outside_contract"))
    if reasons:
        lines.append(f"outside the contract: {sum(reasons.values())} survivors, by reason:")
        lines += [f"  {n} {reason}" for reason, n in reasons.most_common()]
    inside = [m for m in survivors if not m.get("outside_contract")]
    by_function: dict[str, list[dict]] = defaultdict(list)
    for mutant in inside:
        by_function[mutant["function"]].append(mutant)
    if inside:
        lines.append(f"survivors inside the contract: {len(inside)}; by reference function:")
    for function, group in sorted(by_function.items(), key=lambda item: (-len(item[1]), item[0])):
        lines.append(f"  {function}: {len(group)}")
        for mutant in sorted(group, key=lambda m: m["number"]):
            probe = mutant.get("probe") or {}
            lines.append(f"    #{mutant['number']} {mutant.get('change', '')}")
            shown = probe.get("listing_difference") or probe.get("difference")
            lines.append(f"        {difference_line(shown) if shown else mutant['note']}")
    others = Counter(m["status"] for m in results["mutants"] if m["status"] in ("incomplete", "timeout", "error"))
    if others:
        lines.append(
            "incomplete, timeouts and errors: "
            + ", ".join(f"{k} {v}" for k, v in sorted(others.items()))
            + " (listed in results.json)"
        )
    return lines
