"""How a fault is declared: `@fault(...)` registers one single-mistake subclass of the reference IAM with the
requirement ids it should trip (conformance.selftest.faults gathers them into the catalogue).

A fault is one class overriding one behaviour of the reference: a ReferenceApp subclass (request handling),
a Renderer subclass (response bodies) or a Store subclass (state); `build()` turns it into a servable app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from conformance.contract.spec import requirements
from conformance.reference import Flavour, ReferenceApp, Renderer, Store


@dataclass(frozen=True)
class Fault:
    name: str
    description: str  # the deviation, in one line
    expected: frozenset[str]  # requirement ids the suite should fail on this target
    build: Callable[[], ReferenceApp]  # a fresh faulty app (fresh store) per call
    primary: str  # the requirement the mistake is against; the others are its direct consequences
    suite_args: tuple[str, ...] = ()  # extra `iam-conformance run` options this fault's run needs

    @property
    def category(self) -> str:
        return requirements()[self.primary].category


REGISTRY: dict[str, Fault] = {}
_Class = TypeVar("_Class", bound=type)


def _builder(cls: type, flavour: Flavour) -> Callable[[], ReferenceApp]:
    if issubclass(cls, ReferenceApp):
        return lambda: cls(flavour)
    if issubclass(cls, Renderer):

        def build() -> ReferenceApp:
            app = ReferenceApp(flavour)
            app.renderer = cls(app.flavour)
            return app

        return build
    if issubclass(cls, Store):
        return lambda: ReferenceApp(flavour, store=cls())
    raise TypeError(f"{cls.__name__} is not a ReferenceApp, Renderer or Store subclass")


def fault(
    name: str,
    expected: str | tuple[str, ...],
    description: str,
    flavour: Flavour | None = None,
    suite_args: tuple[str, ...] = (),
) -> Callable[[_Class], _Class]:
    """Class decorator registering a one-behaviour subclass of the reference as a catalogued fault.
    `expected`: the requirement id(s) it should trip, the primary one first. `flavour`: a legal Flavour under
    which the mistake shows (default: the page's sample style)."""
    ids = (expected,) if isinstance(expected, str) else tuple(expected)

    def register(cls: _Class) -> _Class:
        if name in REGISTRY:
            raise ValueError(f"fault {name} registered twice")
        REGISTRY[name] = Fault(
            name, description, frozenset(ids), _builder(cls, flavour or Flavour()), ids[0], suite_args
        )
        return cls

    return register
