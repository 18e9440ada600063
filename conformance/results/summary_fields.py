"""The fields of a summary.json read back, each checked for the type schemas/summary.schema.json gives it and every
string neutralised (conformance.results.summary_file and the report's details read through it)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conformance.errors import ConformanceError
from conformance.safety.terminal import neutralise


class SummaryError(ConformanceError, ValueError):
    """A summary that cannot be read or is not one; the command exits 2 with this one-line reason."""


class Fields:
    """The fields the readers use, each checked for the type the schema gives it; every string neutralised."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def _wrong(self, name: str, value: object, wanted: str) -> SummaryError:
        return SummaryError(f"{self.file}: '{name}' is {kind_of(value)}, not {wanted}: not an iam-conformance summary")

    def text(self, holder: dict[str, Any], name: str, allowed: Sequence[str] = (), newlines: bool = False) -> str:
        value = holder.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self._wrong(name, value, "a string")
        if allowed and value not in allowed:
            raise SummaryError(f"{self.file}: '{name}' is {neutralise(value)[:40]!r}, not one of {', '.join(allowed)}")
        return neutralise(value, keep_newlines=newlines)

    def texts(self, holder: dict[str, Any], name: str) -> list[str]:
        return [self.text({name: item}, name) for item in self.items(holder, name)]

    def mapping(self, holder: dict[str, Any], name: str) -> dict[str, Any]:
        value = holder.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self._wrong(name, value, "an object")
        return value

    def items(self, holder: dict[str, Any], name: str) -> list[Any]:
        value = holder.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._wrong(name, value, "an array")
        return value

    def integer(self, holder: dict[str, Any], name: str) -> int | None:
        value = holder.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._wrong(name, value, "an integer")
        return value

    def number(self, holder: dict[str, Any], name: str) -> float | None:
        value = holder.get(name)
        if value is None:
            return None
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise self._wrong(name, value, "a number")
        return float(value)

    def flag(self, holder: dict[str, Any], name: str) -> bool:
        value = holder.get(name)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self._wrong(name, value, "a boolean")
        return value


def kind_of(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(type(value), "a number")
