"""The run owner's part of a recording: every process's share merged in one order, normalised once in that order
(placeholders bound on first sight), redacted with the run's Redactor first, then written.

The order: what the owner did before the tests (the population it made for its xdist workers), then each process's
exchanges in the order they completed there (an answer completes after whatever it depended on), the processes one
after the other by name (they never share what they create), then what the owner did after the tests (removing its
population, sweeping the run's path). The same run always merges the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from conformance.recording.format import (
    Manifest,
    RecordedExchange,
    RecordedJudgment,
    Recording,
    RecordingError,
    SignerKind,
)
from conformance.recording.normalise import Normaliser, RawExchange
from conformance.recording.placeholders import Kind, Placeholders
from conformance.safety.redaction import Redactor

OWNER_BEFORE, OWNER_AFTER = "owner-before", "owner-after"  # the owner's own share, before and after the tests


def _order(process: str) -> tuple[int, list[Any]]:
    rank = 0 if process == OWNER_BEFORE else 2 if process == OWNER_AFTER else 1
    return rank, [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", process)]


def raw_exchange(wire: dict[str, Any]) -> RawExchange:
    signer = wire["signer"]
    return RawExchange(
        action=wire["action"],
        method=wire["method"],
        params=dict(wire["params"]),
        signer_kind=SignerKind(signer["kind"]),
        signer_label=signer["label"],
        signer_key=signer.get("key"),
        signing=wire.get("signing"),
        status=int(wire["status"]),
        content_type=wire.get("content_type"),
        request_id_header=wire.get("request_id_header"),
        body=wire["body"],
        truncated=bool(wire.get("truncated")),
    )


class Assembler:
    """Collects every process's share as the reports bring it (`add`), then builds the recording (`build`)."""

    def __init__(self) -> None:
        self._exchanges: dict[str, list[dict[str, Any]]] = {}
        self._judgments: list[dict[str, Any]] = []

    def add(self, exchanges: Sequence[dict[str, Any]], judgments: Sequence[dict[str, Any]] = ()) -> None:
        for wire in exchanges:
            self._exchanges.setdefault(str(wire["process"]), []).append(wire)
        self._judgments += list(judgments)

    @property
    def empty(self) -> bool:
        return not self._exchanges

    def build(
        self, manifest: Callable[[dict[str, int], int, int], Manifest], run_id: str, caller_key: str, redactor: Redactor
    ) -> Recording:
        """The recording; `manifest(placeholder counts, exchanges, judgments)` says what was recorded."""
        placeholders = Placeholders(run_id)
        if caller_key:
            placeholders.token(Kind.ACCESS_KEY, caller_key)  # the caller's own key id: always ⟦access-key-1⟧
        normaliser = Normaliser(placeholders)
        seq_of: dict[tuple[str, int], int] = {}
        exchanges: list[RecordedExchange] = []
        for process in sorted(self._exchanges, key=_order):
            for wire in sorted(self._exchanges[process], key=lambda w: int(w["seq"])):
                raw = raw_exchange(redactor.redact_data(wire))
                seq_of[(process, int(wire["seq"]))] = len(exchanges) + 1
                request = normaliser.request(raw)
                answer = normaliser.answer(raw)
                test = wire.get("test")
                exchanges.append(RecordedExchange(len(exchanges) + 1, test, str(wire.get("phase")), request, answer))
        judgments = [self._judgment(redactor.redact_data(j), seq_of, normaliser) for j in self._judgments]
        return Recording(
            manifest(placeholders.counts, len(exchanges), len(judgments)), tuple(exchanges), tuple(judgments)
        )

    def _judgment(
        self, wire: dict[str, Any], seq_of: dict[tuple[str, int], int], normaliser: Normaliser
    ) -> RecordedJudgment:
        def decode(value: Any) -> Any:
            if isinstance(value, str):
                return normaliser.placeholders.text(value)
            if not isinstance(value, dict):
                return value
            ((tag, inner),) = value.items()
            if tag == "exchange":
                return {"exchange": ref(inner)}
            if tag == "walk":
                return {
                    "walk": {
                        **inner,
                        "user_name": decode(inner["user_name"]),
                        "pages": [ref(page) for page in inner["pages"]],
                        "stopped_early": decode(inner["stopped_early"]),
                    }
                }
            if tag == "uploaded":
                kinds = {"body": Kind.CERTIFICATE_BODY, "upload_date": Kind.DATE}
                return {
                    "uploaded": {
                        k: v
                        if v is None or k == "status"
                        else normaliser.placeholders.token(kinds[k], v)
                        if k in kinds
                        else decode(v)
                        for k, v in inner.items()
                    }
                }
            if tag == "caller":
                return {"caller": {k: decode(v) for k, v in inner.items()}}
            if tag == "parameter":
                return value
            if tag == "map":
                return {"map": [[decode(k), decode(v)] for k, v in inner]}
            if tag == "set":  # in a stable order: a set's own order is the process's hashing
                return {"set": sorted((decode(v) for v in inner), key=lambda v: json.dumps(v, sort_keys=True))}
            return {tag: [decode(v) for v in inner]}  # list

        def ref(pair: list[Any]) -> int:
            found = seq_of.get((str(pair[0]), int(pair[1])))
            if found is None:
                raise RecordingError(f"a judgment of {wire['test']} names an exchange no process reported")
            return found

        try:
            args = [decode(a) for a in wire.get("args", [])]
            kwargs = {k: decode(v) for k, v in wire.get("kwargs", {}).items()}
            unencodable = wire.get("unencodable")
        except RecordingError as exc:
            args, kwargs, unencodable = [], {}, str(exc)
        return RecordedJudgment(
            test=wire["test"],
            requirement=wire.get("requirement"),
            check=wire["check"],
            args=args,
            kwargs=kwargs,
            verdict=wire["verdict"],
            unencodable=unencodable,
        )
