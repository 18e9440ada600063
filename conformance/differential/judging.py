"""Contract differences: every judgment the recorded run made (conformance.recording) made again, by the same
registered check (conformance.checks.REGISTRY), on the new target's answers. A check that fails there is a
requirement the new answer breaks, the same the suite would fail; nothing is judged here that the suite's own checks
do not judge.

A judgment's arguments are rebuilt from the replay: exchanges by their seq, walks from the pages the replay got (the
pages the new target gave beyond the recording included, cut where the suite's walker would have stopped),
certificates as the replay uploaded them, the caller as the replay's credentials are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.checks import Judge, load_all
from conformance.checks.failures import Deviation
from conformance.checks.observations import UploadedCertificate, Walk
from conformance.contract.spec import operation
from conformance.differential.replay import Replayed, Replayer
from conformance.protocol.caller import Caller
from conformance.protocol.wire import Exchange, read_listing
from conformance.recording.format import RecordedJudgment
from conformance.recording.placeholders import Token, tokens
from conformance.world.walking import why_stop


class NotRebuilt(Exception):
    """A judgment whose arguments the replay cannot give (a request it did not send, a value of an unknown kind)."""


@dataclass(frozen=True)
class Judged:
    """A judgment made again: the deviation it found (None: it held, or had nothing to judge) and on which
    recorded request, or why it could not be made."""

    judgment: RecordedJudgment
    deviation: Deviation | None = None
    seq: int | None = None
    not_judged: str | None = None


class Rebuilder:
    def __init__(self, replayer: Replayer, caller: Callable[[], Caller]) -> None:
        self.replayer = replayer
        self.caller = caller
        self.replayed = {entry.recorded.seq: entry for entry in replayer.log}

    def _entry(self, seq: Any) -> Replayed:
        entry = self.replayed.get(seq) if isinstance(seq, int) else None
        if entry is None:
            raise NotRebuilt(f"request #{seq} was not replayed")
        return entry

    def exchange(self, seq: Any) -> Exchange:
        entry = self._entry(seq)
        if entry.exchange is None:
            raise NotRebuilt(f"request #{seq} was not sent ({entry.not_sent})")
        return entry.exchange

    def walk(self, wire: dict[str, Any]) -> Walk:
        """The walk the suite's walker would have made of the new target's pages."""
        pages: list[Exchange] = []
        for seq in wire.get("pages", []):
            entry = self._entry(seq)
            if entry.exchange is not None:
                pages += [entry.exchange, *entry.extra]
        walked = Walk(self.text(wire.get("user_name")), wire.get("max_items"))
        seen: set[str] = set()
        for page in pages:
            walked.pages.append(page)
            listing = read_listing(page)
            if listing is None or not listing.truncated:
                break
            walked.stopped_early = why_stop(listing, seen, len(walked.pages))
            if walked.stopped_early:
                break
            seen.add(str(listing.marker))
        else:  # every page said IsTruncated true and the walker would have gone on: the replay had no next page
            if pages:
                walked.stopped_early = "the replay sent no page after a truncated one"
        return walked

    def text(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return self.replayer.placeholders.restore(value, _as_written)

    def uploaded(self, wire: dict[str, Any]) -> UploadedCertificate:
        names = tokens(str(wire.get("certificate_id", "")))
        made = self.replayer.uploaded.get(names[0].name) if names else None
        status = str(wire.get("status", "Active"))
        if made is not None:
            return UploadedCertificate(
                made.certificate_id, made.body, status, made.upload_date, made.sent_at, made.answered_at
            )
        return UploadedCertificate(self.text(wire.get("certificate_id", "")), self.text(wire.get("body", "")), status)

    def value(self, wire: Any) -> Any:
        if wire is None or isinstance(wire, (bool, int, float)):
            return wire
        if isinstance(wire, str):
            return self.text(wire)
        if not isinstance(wire, dict) or len(wire) != 1:
            raise NotRebuilt("an argument of no known kind")
        ((tag, inner),) = wire.items()
        if tag == "exchange":
            return self.exchange(inner)
        if tag == "walk" and isinstance(inner, dict):
            return self.walk(inner)
        if tag == "uploaded" and isinstance(inner, dict):
            return self.uploaded(inner)
        if tag == "caller":
            return self.caller()
        if tag == "parameter" and inner in operation().parameters:
            return operation().parameters[inner]
        if tag == "map" and isinstance(inner, list):
            return {self.value(k): self.value(v) for k, v in inner}
        if tag == "set" and isinstance(inner, list):
            return {self.value(v) for v in inner}
        if tag == "list" and isinstance(inner, list):
            return [self.value(v) for v in inner]
        raise NotRebuilt(f"an argument of no known kind ({str(tag)[:40]})")


def _as_written(token: Token) -> str:
    """A placeholder the replay never bound: the check sees a value the target never gave, and says which."""
    return f"({token.name}: never given by the target)"


def judge_again(replayer: Replayer, caller: Callable[[], Caller]) -> list[Judged]:
    """Every recorded judgment, made again on the new answers."""
    registry = load_all()
    rebuilder = Rebuilder(replayer, caller)
    found = []
    for judgment in replayer.recording.judgments:
        check = registry.get(judgment.check)
        if judgment.unencodable or check is None:
            why = judgment.unencodable or f"no registered check {judgment.check!r} in this suite"
            found.append(Judged(judgment, not_judged=why))
            continue
        try:
            args = [rebuilder.value(a) for a in judgment.args]
            kwargs = {k: rebuilder.value(v) for k, v in judgment.kwargs.items()}
        except NotRebuilt as why:
            found.append(Judged(judgment, not_judged=str(why)))
            continue
        try:
            Judge()(check, *args, **kwargs)
        except Deviation as deviation:
            found.append(Judged(judgment, deviation, _seq_of(deviation, args, replayer)))
            continue
        except Exception as error:  # a check that cannot read what it was given: the suite's problem, said as such
            found.append(Judged(judgment, not_judged=f"the check raised {type(error).__name__}"))
            continue
        found.append(Judged(judgment))
    return found


def _seq_of(deviation: Deviation, args: list[Any], replayer: Replayer) -> int | None:
    """The recorded request the deviation is about: its evidence's, else the judgment's first exchange."""
    candidates = [deviation.exchange] if deviation.exchange is not None else []
    for arg in args:
        if isinstance(arg, Exchange):
            candidates.append(arg)
        elif isinstance(arg, Walk):
            candidates += arg.pages
        elif isinstance(arg, list):
            candidates += [a for a in arg if isinstance(a, Exchange)]
    for exchange in candidates:
        seq = replayer.seq_of(exchange)
        if seq is not None:
            return seq
    return None
