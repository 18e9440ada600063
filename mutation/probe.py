"""The differential probe: one fixed request sequence, answers normalised, compared step by step.

A surviving mutant counts as equivalent only if this probe sees no difference on the wire between it and the
unmutated reference. The sequence (`mutation.probe_sequence`) is broader than the suite's own requests. Each
answer is reduced to (status, Content-Type, request-id header, body) with what legitimately differs between
two runs replaced by placeholders numbered in order of first appearance, so identity is kept (the same
certificate id twice is the same placeholder twice):

- ids, request ids and secrets (CertificateId, UserId, AccessKeyId, SecretAccessKey, RequestId): placeholder
  when the value has the reference's form; otherwise the raw value stays in, so a changed format shows. Values
  are found by their shape anywhere in an answer (not only in their element), so an element renamed or dropped
  in one answer does not leave its value unnormalised in every later answer;
- markers: opaque, so only whether one satisfies the page's constraints (1-320 chars of \\u0020-\\u00FF) is kept;
- dates: ISO dates within the probe's run become `<now>` (their fraction digits kept as a count), SigV4
  timestamps, today's credential-scope day and hex signatures (echoed in some error messages) are replaced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from mutation.normalise import Difference, Diverged, Step
from mutation.results import message_only

LIST_REQUEST = "Action=ListSigningCertificates,"


class Comparison:
    """Steps of a run matched to the reference's by label and occurrence (so a page missing from one walk does
    not shift every later step), the first difference overall and the first on a ListSigningCertificates call."""

    def __init__(self, expected: list[Step] | None, exhaustive: bool) -> None:
        self.expected: dict[tuple[str, int], tuple[int, Step]] = {}
        for index, (key, step) in enumerate(zip(_keys(expected or []), expected or [], strict=False)):
            self.expected[key] = (index, step)
        self.active = expected is not None
        self.exhaustive = exhaustive
        self.seen: Counter[str] = Counter()
        self.first: Difference | None = None
        self.first_listing: Difference | None = None
        self.differing = 0
        self.differing_listings = 0
        self.listing_message_only = True  # every differing ListSigningCertificates answer differs in wording only

    def observe(self, steps: list[Step]) -> None:
        if not self.active:
            return
        step = steps[-1]
        self.seen[step.label] += 1
        index, expected = self.expected.get((step.label, self.seen[step.label]), (len(steps) - 1, None))
        if expected == step:
            return
        reason = "" if expected is not None else "a request the reference's sequence does not make"
        self._note(Difference(index, expected, step, reason))

    def _note(self, difference: Difference) -> None:
        self.differing += 1
        self.first = self.first or difference
        request = (difference.expected or difference.actual).request
        # A call the run never made (the sequence broke off) says nothing about how the target answers it.
        if LIST_REQUEST in request and difference.actual is not None:
            self.first_listing = self.first_listing or difference
            self.differing_listings += 1
            # Every differing listing is judged, not only the first: one that differs in its status or code after
            # one that differs in wording is a difference of the contract.
            whole = {"expected": _whole(difference.expected), "actual": _whole(difference.actual)}
            self.listing_message_only = self.listing_message_only and message_only(whole)
        if not self.exhaustive:
            raise Diverged(difference)

    def finish(self, reason: str = "") -> None:
        """Reference steps the run never made count as differences (why: `reason`, else the sequence ended)."""
        if not self.active:
            return
        made = {(label, n) for label, count in self.seen.items() for n in range(1, count + 1)}
        for key, (index, step) in sorted(self.expected.items(), key=lambda item: item[1][0]):
            if key not in made:
                self._note(Difference(index, step, None, reason or "the mutant's sequence ended before this"))


def _whole(step: Step | None) -> dict | None:
    """A step's status and whole body (a Difference's excerpts are cut where the bodies part)."""
    return None if step is None else {"status": step.status, "body": step.body}


def _keys(steps: list[Step]) -> list[tuple[str, int]]:
    seen: Counter[str] = Counter()
    keys = []
    for step in steps:
        seen[step.label] += 1
        keys.append((step.label, seen[step.label]))
    return keys


@dataclass
class ProbeResult:
    steps: list[Step]
    difference: Difference | None  # the first request whose answer differs
    finished: bool  # the sequence ran to its end, or stopped at a difference it was asked to stop at
    listing_difference: Difference | None = None  # the first differing ListSigningCertificates call
    differing: int = 0  # differing steps (exhaustive runs count them all)
    problem: str = ""  # why the sequence stopped early, when it did
    differing_listings: int = 0  # differing ListSigningCertificates answers (exhaustive runs count them all)
    listing_message_only: bool = False  # each of them differs only in an error's Message

    def summary(self) -> dict:
        return {
            "requests": len(self.steps),
            "finished": self.finished,
            "differing_requests": self.differing,
            "difference": self.difference.as_dict() if self.difference else None,
            "listing_difference": self.listing_difference.as_dict() if self.listing_difference else None,
            "differing_listings": self.differing_listings,
            "listing_message_only": self.listing_message_only,
            "problem": self.problem,
        }


def run_probe(
    app: Callable | None, expected: list[Step] | None = None, url: str | None = None, exhaustive: bool = False
) -> ProbeResult:
    """Send the probe's sequence to `app` (in-process; or to the server at `url`) and compare each answer with
    `expected` (the reference's steps): stop at the first difference, or with `exhaustive` go on to the end."""
    from mutation.probe_sequence import Prober
    from mutation.probe_steps import walk

    comparison = Comparison(expected, exhaustive)
    prober = Prober(app, check=comparison.observe, url=url)
    problem = ""
    try:
        walk(prober)
        comparison.finish()
    except Diverged:
        pass
    except Exception as exc:  # the sequence could not go on (an answer it needs is missing or unreadable)
        problem = f"the probe could not go on: {type(exc).__name__}: {exc}"[:300]
        try:
            comparison.finish(problem)
        except Diverged:
            pass
    finally:
        prober.close()
    finished = not problem or comparison.first is not None
    message_only_everywhere = comparison.differing_listings > 0 and comparison.listing_message_only
    return ProbeResult(
        prober.steps,
        comparison.first,
        finished,
        comparison.first_listing,
        comparison.differing,
        problem,
        comparison.differing_listings,
        message_only_everywhere,
    )


def compare(build_reference: Callable[[], Callable], build_other: Callable[[], Callable]) -> Difference | None:
    """The first difference the probe sees between two fresh apps, or None."""
    baseline = run_probe(build_reference())
    if baseline.problem:
        raise RuntimeError(f"the probe cannot run against the reference: {baseline.problem}")
    return run_probe(build_other(), expected=baseline.steps).difference


def load_steps(raw: list[dict]) -> list[Step]:
    return [Step(**item) for item in raw]
