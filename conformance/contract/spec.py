"""The contract as objects: parameters.json and requirements.json from schemas/, loaded once.

Everything that needs a bound (MaxItems 1-1000, UserName's pattern, ...) or a requirement's wording reads it
here; nothing else in the package restates them.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, overload

# The query protocol's shared front end answers an Action (or Version) it does not know itself, before IAM sees the
# request, in its own fault namespace: recorded for SES and STS (fixtures/recorded/awsfault-ses-invalid-action.xml,
# awsfault-sts-invalid-action.xml), and IAM answers an unknown Action with the same code and message (fog368, body not
# kept). An error of these codes may come in that namespace, the envelope being the same; every other error is IAM's.
FRONT_END_NAMESPACE = "http://webservices.amazon.com/AWSFault/2005-15-09"
FRONT_END_CODES = frozenset({"InvalidAction", "MissingAction"})
CATEGORIES = ("shape", "pagination", "parameters", "errors", "identity", "protocol", "auth")
# What a requirement stands on: a real IAM response of this action seen (fixtures/recorded/), the page or AWS
# documentation saying so, or real IAM seen doing it for other actions or other query services.
EVIDENCE_LEVELS = ("recorded", "documented", "analogy")
# The constraint kinds whose value is an integer (a length or a bound); a pattern's value is the page's regex.
IntegerKind = Literal["min_length", "max_length", "minimum", "maximum"]


@functools.cache  # where the package lies does not change while it runs
def data_dir(name: str) -> Path:
    """A top-level data folder (schemas, fixtures, baselines): the source checkout's, else the wheel's copy."""
    package = Path(__file__).resolve().parent.parent  # conformance/, this module being conformance/contract/spec.py
    for candidate in (package.parent / name, package / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"data folder {name!r} not found beside the conformance package")


def page_regex(pattern: str) -> re.Pattern[str]:
    """The page's pattern as a whole-value Python regex; AWS's \\w is ASCII."""
    return re.compile(pattern, re.ASCII)


@dataclass(frozen=True)
class Constraint:
    kind: str  # min_length | max_length | pattern | minimum | maximum
    value: int | str
    source: str

    def violated_by(self, value: str | int) -> bool:
        # Lengths and patterns constrain strings, minimum and maximum integers: the parameter's type says which.
        if self.kind == "min_length":
            return len(cast(str, value)) < cast(int, self.value)
        if self.kind == "max_length":
            return len(cast(str, value)) > cast(int, self.value)
        if self.kind == "pattern":
            return page_regex(cast(str, self.value)).fullmatch(cast(str, value)) is None
        if self.kind == "minimum":
            return cast(int, value) < cast(int, self.value)
        if self.kind == "maximum":
            return cast(int, value) > cast(int, self.value)
        raise ValueError(f"unknown constraint kind {self.kind!r}")


@dataclass(frozen=True)
class Parameter:
    name: str  # wire name, e.g. MaxItems
    member: str  # the name IAM's validation messages use, e.g. maxItems
    type: str  # string | integer
    required: bool
    source: str
    constraints: tuple[Constraint, ...]
    default: int | None = None
    default_source: str | None = None

    def constraint(self, kind: str) -> Constraint | None:
        return next((c for c in self.constraints if c.kind == kind), None)

    @overload
    def bound(self, kind: IntegerKind) -> int | None: ...
    @overload
    def bound(self, kind: Literal["pattern"]) -> str | None: ...
    @overload
    def bound(self, kind: str) -> int | str | None: ...
    def bound(self, kind: str) -> int | str | None:
        found = self.constraint(kind)
        return None if found is None else found.value

    def limit(self, kind: IntegerKind) -> int:
        """An integer bound the page gives this parameter (MaxItems' minimum, UserName's max_length, ...)."""
        found = self.bound(kind)
        if found is None:
            raise ValueError(f"parameter {self.name} has no {kind} constraint")
        return found

    @property
    def regex(self) -> re.Pattern[str] | None:
        pattern = self.bound("pattern")
        return None if pattern is None else page_regex(pattern)

    def violations(self, raw: str) -> list[Constraint]:
        """Constraints the wire value `raw` breaks. A non-integer for an integer parameter breaks its type,
        reported as a pseudo-constraint of kind 'type'."""
        value: int | str | None = parse_integer(raw) if self.type == "integer" else raw
        if value is None:
            return [Constraint("type", "integer", "Type: Integer")]
        return [c for c in self.constraints if c.violated_by(value)]


_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)


def parse_integer(raw: str) -> int | None:
    """An integer parameter's wire value as the one reading the whole project uses: optional sign and ASCII digits
    (Python's int() would also take '1_000', ' 5' or non-ASCII digits, which no AWS integer parser is known to)."""
    return int(raw) if _INTEGER.fullmatch(raw) else None


@dataclass(frozen=True)
class Requirement:
    id: str
    category: str
    title: str
    source: str
    evidence: str  # one of EVIDENCE_LEVELS
    evidence_source: str  # the fixture, page sentence or recording it stands on

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"requirement {self.id}: unknown category {self.category!r}")
        if self.evidence not in EVIDENCE_LEVELS:
            raise ValueError(f"requirement {self.id}: evidence {self.evidence!r} is not one of {EVIDENCE_LEVELS}")
        if not self.evidence_source.strip():
            raise ValueError(f"requirement {self.id}: evidence_source is empty")


@dataclass(frozen=True)
class OperationSpec:
    operation: str
    api_version: str
    namespace: str
    parameters: dict[str, Parameter]
    response: dict[str, Parameter]
    botocore_differences: tuple[dict[str, Any], ...] = field(default=())
    certificates_per_user: int = 2  # IAM's quota (recorded: 409 LimitExceeded at the third upload)


def _parameter(name: str, raw: dict[str, Any]) -> Parameter:
    return Parameter(
        name=name,
        member=raw["member"],
        type=raw["type"],
        required=raw["required"],
        source=raw["source"],
        constraints=tuple(Constraint(**c) for c in raw["constraints"]),
        default=raw.get("default"),
        default_source=raw.get("default_source"),
    )


@functools.cache
def operation() -> OperationSpec:
    raw = json.loads((data_dir("schemas") / "parameters.json").read_text(encoding="utf-8"))
    return OperationSpec(
        operation=raw["operation"],
        api_version=raw["api_version"],
        namespace=raw["namespace"],
        parameters={n: _parameter(n, p) for n, p in raw["parameters"].items()},
        response={n: _parameter(n, p) for n, p in raw["response"].items()},
        botocore_differences=tuple(raw.get("botocore_differences", ())),
        certificates_per_user=raw["quotas"]["CertificatesPerUser"]["value"],
    )


@functools.cache
def listed_error_codes() -> frozenset[str]:
    """The error codes of schemas/error_codes.json: the page's, IAM's common errors and the recorded ones."""
    raw = json.loads((data_dir("schemas") / "error_codes.json").read_text(encoding="utf-8"))
    return frozenset(code for group in raw["groups"] for code in group["codes"])


@functools.cache
def error_codes() -> frozenset[str]:
    """Every error code IAM answers with, as IAM spells it: schemas/error_codes.json (the page, IAM's common errors,
    recordings) and every error code of the installed botocore's IAM model (read, never copied: a newer botocore
    knows newer codes)."""
    return listed_error_codes() | modelled_error_codes()


def is_iam_error_code(code: str | None) -> bool:
    """`code in error_codes()`, reading botocore's IAM model (a fiftieth of a standard run's CPU) only for a code
    schemas/error_codes.json does not list."""
    return code is not None and (code in listed_error_codes() or code in modelled_error_codes())


@functools.cache
def modelled_error_codes() -> frozenset[str]:
    """The error codes of every IAM action in botocore's service model (an error shape's code, else its name)."""
    from botocore.loaders import create_loader

    shapes = create_loader().load_service_model("iam", "service-2")["shapes"]
    return frozenset(
        shape.get("error", {}).get("code", name) for name, shape in shapes.items() if shape.get("exception")
    )


@functools.cache
def coverage() -> dict[str, Any]:
    """schemas/coverage.json: the page's clauses x the conditions they are checked under -> requirement ids."""
    matrix: dict[str, Any] = json.loads((data_dir("schemas") / "coverage.json").read_text(encoding="utf-8"))
    return matrix


@functools.cache
def requirements() -> dict[str, Requirement]:
    raw = json.loads((data_dir("schemas") / "requirements.json").read_text(encoding="utf-8"))
    catalogue: dict[str, Requirement] = {}
    for entry in raw["requirements"]:
        requirement = Requirement(**entry)
        if requirement.id in catalogue:
            raise ValueError(f"duplicate requirement id {requirement.id}")
        catalogue[requirement.id] = requirement
    return catalogue
