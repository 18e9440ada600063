"""Classification of mutants, the score, and the human summary (pure functions over plain data).

Every mutant mutmut generated has one outcome:
- `killed`: the suite failed a requirement (the requests that killed it are kept: `killed_by`);
- `survived`: the suite passed, or could not run at all (an incomplete run is no kill, and no excuse either);
- `excluded`, with one reason each, counted by reason:
  - `equivalent`: no request tells the mutant from the reference: the probe's whole sequence got the same answers,
    or no request of the suite or the probe reaches the mutated function; the one-line `why` says which;
  - `outside the contract`: the probe tells it apart, but only where the page fixes nothing (the set-up actions'
    answers; listings that differ only through the state the set-up actions left, shown by serving the listings
    with the unmutated code; an error's wording on every differing listing; a hand-checked entry of
    mutation/accepted.json), or the mutated reference never starts (nothing answers, nothing to judge);
  - `timeout`: mutmut's time limit ended the mutant's run before the suite's verdict;
  - `suite error`: the harness itself crashed and left no verdict;
- `not_run`: the time budget ran out first (counted as survived: a mutant nobody measured is not caught).

Score = killed / (total - excluded), total = every mutant generated.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict

OUTCOMES = ("killed", "survived", "excluded", "not_run")
EXCLUSIONS = ("equivalent", "outside the contract", "timeout", "suite error")
MUTMUT_NO_TESTS = 33  # mutmut: no test reaches the function (neither the suite nor the probe calls it)
MUTMUT_TIMEOUTS = {36, -24, 24, 152, 255, -9}  # SIGXCPU from the CPU limit, SIGKILL after it
FORMULA = "killed / (total - excluded)"


def classify(mutmut_exit: int | None, record: dict | None) -> dict:
    """{outcome, exclusion, why} of one mutant from mutmut's exit code and the harness's record (None: no record).
    `exclusion` is one of EXCLUSIONS when the outcome is `excluded`, else None; `why` is one line."""
    if mutmut_exit is None:  # mutmut recorded no verdict: stopped at the budget, even if a record was begun
        return _outcome("not_run", "the time budget ran out before this mutant finished")
    if record is not None and record.get("startup_error"):
        return _outcome("excluded", NEVER_SERVES, "outside the contract") | {"startup_error": record["startup_error"]}
    suite = (record or {}).get("suite")
    if suite is not None:
        if suite["exit_code"] in (1, 2) and suite["failed"]:  # a deviation seen and reported (exit 2: and more)
            incomplete = " (in an incomplete run)" if suite["exit_code"] == 2 else ""
            return _outcome("killed", "failed " + ", ".join(suite["failed"]) + incomplete)
        if suite["exit_code"] == 2:
            why = suite.get("reason") or "exit 2"
            return _outcome("survived", f"the suite could not run, so it caught nothing: {why}")
        probe = (record or {}).get("probe")
        if probe is None:  # the record was written, the probe never reported: it hung or crashed
            how = "timed out" if mutmut_exit in MUTMUT_TIMEOUTS else f"ended with mutmut exit {mutmut_exit}"
            return _outcome("survived", f"the suite passed; the probe {how}, so nothing proves it equivalent")
        if probe.get("difference") is None and probe.get("finished"):
            return _outcome(
                "excluded",
                f"the probe's {probe['requests']} requests (every action, every parameter valid and invalid, GET and "
                "POST, every signer) got the same answers as from the reference, ids, dates and markers normalised",
                "equivalent",
            )
        return _outcome("survived", "the suite passed; the probe saw a difference")
    if mutmut_exit == MUTMUT_NO_TESTS:
        return _outcome("excluded", "no request of the suite or the probe reaches the mutated function", "equivalent")
    if mutmut_exit in MUTMUT_TIMEOUTS:
        return _outcome("excluded", "mutmut's time limit ended the run before the suite's verdict", "timeout")
    return _outcome("excluded", f"the harness ended with exit {mutmut_exit} and left no record", "suite error")


def _outcome(outcome: str, why: str, exclusion: str | None = None) -> dict:
    return {"outcome": outcome, "exclusion": exclusion, "why": why}


NEVER_SERVES = (
    "the mutated reference raises while it is built, before it serves any request (its error is in `startup_error`): "
    "there is no answer of any action to judge"
)
SET_UP_ONLY = (
    "its listings differ only through the state its other actions left: the probe's sequence with every "
    "ListSigningCertificates request served by the unmutated code gets exactly the mutant's answers, so the "
    "difference lies in the set-up actions (CreateUser, UploadSigningCertificate...), not in the page's action"
)
SUPPORT_ONLY = (
    "shows only in the answers of the actions the suite uses to set up and clean up (CreateUser, "
    "UploadSigningCertificate, CreateAccessKey...): the page is ListSigningCertificates' contract"
)
MESSAGE_ONLY = (
    "on every ListSigningCertificates answer that differs, only an error's Message differs (same status, same Code): "
    "IAM's contract is the code, not the wording"
)
_MESSAGE = re.compile(r"<((?:\w+:)?)Message>.*?</\1Message>", re.DOTALL)


def message_only(difference: dict) -> bool:
    expected, actual = difference.get("expected"), difference.get("actual")
    if not expected or not actual or expected["status"] != actual["status"]:
        return False
    return (
        _MESSAGE.sub("<Message/>", expected["body"]) == _MESSAGE.sub("<Message/>", actual["body"])
        and expected["body"] != actual["body"]
    )


def outside_contract(mutant: dict, accepted: dict[str, str]) -> str | None:
    """Why a survivor the probe told apart lies outside the contract, or None (it stays a survivor).
    `accepted`: "<function>: <change>" -> the reason, from mutation/accepted.json. Every differing
    ListSigningCertificates answer counts, not only the first."""
    if mutant.get("outcome") != "survived" or not (mutant.get("probe") or {}).get("difference"):
        return None
    probe = mutant["probe"]
    if not probe.get("listing_difference"):
        return SUPPORT_ONLY
    if probe.get("listing_message_only"):  # judged by the probe over every differing listing (mutation.probe)
        return MESSAGE_ONLY
    if (probe.get("listings_unmutated") or {}).get("same"):  # mutation/harness: listings served unmutated
        return SET_UP_ONLY
    return accepted.get(f"{mutant['function']}: {mutant.get('change', '')}")


def exclude_outside_contract(mutants: list[dict], accepted: dict[str, str]) -> None:
    """Survivors the probe told apart only outside the contract become exclusions, each with its reason."""
    for mutant in mutants:
        reason = outside_contract(mutant, accepted)
        if reason is not None:
            mutant.update(outcome="excluded", exclusion="outside the contract", why=reason)


def score(mutants: list[dict]) -> dict:
    """killed / (total - excluded), with every exclusion counted by reason."""
    outcomes = Counter(m["outcome"] for m in mutants)
    excluded = Counter(m["exclusion"] for m in mutants if m["outcome"] == "excluded")
    total, killed = len(mutants), outcomes["killed"]
    denominator = total - sum(excluded.values())
    return {
        "formula": FORMULA,
        "total": total,
        "killed": killed,
        "survived": outcomes["survived"],
        "not_run": outcomes["not_run"],
        "excluded": {reason: excluded.get(reason, 0) for reason in EXCLUSIONS},
        "denominator": denominator,
        "percent": round(100.0 * killed / denominator, 1) if denominator else None,
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


def score_line(scored: dict) -> str:
    """The score as `make mutation` prints it and the README shows it."""
    excluded = sum(scored["excluded"].values())
    return (
        f"mutation score: {scored['killed']}/({scored['total']} - {excluded}) = {scored['percent']}% "
        f"({scored['formula']})"
    )


def summary_lines(results: dict) -> list[str]:
    scored = results["score"]
    lines = [
        f"mutation: {results['tool']} over conformance/reference ({', '.join(results['files'])}); suite profile "
        f"{results['profile']}, seed {results['seed']}; `{results['command']}`",
        score_line(scored),
        f"  {scored['total']} mutants: {scored['killed']} killed, {scored['survived']} survived"
        + (f" ({scored['not_run']} not run within the budget, counted as survived)" if scored["not_run"] else "")
        + f", {sum(scored['excluded'].values())} excluded",
        "  excluded, by reason: " + ", ".join(f"{reason} {n}" for reason, n in scored["excluded"].items()),
    ]
    mutants = results["mutants"]
    outside = Counter(m["why"] for m in mutants if m.get("exclusion") == "outside the contract")
    if outside:
        lines.append("  outside the contract, by reason:")
        lines += [f"    {n} {why}" for why, n in outside.most_common()]
    equivalent = Counter(m["why"] for m in mutants if m.get("exclusion") == "equivalent")
    if equivalent:
        lines.append("  equivalent, by reason:")
        lines += [f"    {n} {why}" for why, n in equivalent.most_common()]
    survivors = [m for m in mutants if m["outcome"] == "survived"]
    by_function: dict[str, list[dict]] = defaultdict(list)
    for mutant in survivors:
        by_function[mutant["function"]].append(mutant)
    if survivors:
        lines.append(f"survivors: {len(survivors)}; by reference function:")
    for function, group in sorted(by_function.items(), key=lambda item: (-len(item[1]), item[0])):
        lines.append(f"  {function}: {len(group)}")
        for mutant in sorted(group, key=lambda m: m["number"]):
            probe = mutant.get("probe") or {}
            lines.append(f"    #{mutant['number']} {mutant.get('change', '')}")
            shown = probe.get("listing_difference") or probe.get("difference")
            lines.append(f"        {difference_line(shown) if shown else mutant['why']}")
    lines.append(
        f"wall time: {results['wall_seconds']:.0f} s (mutmut phase {results['mutmut_seconds']:.0f} s, "
        f"{results['workers']} workers); per mutant: median {results['per_mutant_seconds'].get('median')} s; probe: "
        f"{results['probe_requests']} requests, saw the difference on {results['probe_power']['seen']}/"
        f"{results['probe_power']['probed']} of a sample of killed mutants"
    )
    return lines
