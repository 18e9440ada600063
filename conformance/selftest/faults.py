"""The fault catalogue: single-mistake variants of the reference IAM, each expected to trip named requirements.

A fault is one class overriding one behaviour of the reference: a ReferenceApp subclass (request handling),
a Renderer subclass (response bodies) or a Store subclass (state). `@fault(...)` registers it with the
requirement ids it should trip; `build()` turns it into a servable app on the default Flavour.

The faults themselves live in `response_faults` (shape, pagination) and `request_faults` (parameters,
errors, identity, protocol, auth); `catalogue()` imports both.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conformance.reference import Flavour, ReferenceApp, Renderer, Store
from conformance.spec import requirements


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


_REGISTRY: dict[str, Fault] = {}


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


def fault(name: str, expected: str | tuple[str, ...], description: str, flavour: Flavour | None = None,
          suite_args: tuple[str, ...] = ()):
    """Class decorator registering a one-behaviour subclass of the reference as a catalogued fault.
    `expected`: the requirement id(s) it should trip, the primary one first. `flavour`: a legal Flavour under
    which the mistake shows (default: the page's sample style)."""
    ids = (expected,) if isinstance(expected, str) else tuple(expected)

    def register(cls: type) -> type:
        if name in _REGISTRY:
            raise ValueError(f"fault {name} registered twice")
        _REGISTRY[name] = Fault(name, description, frozenset(ids), _builder(cls, flavour or Flavour()), ids[0],
                                suite_args)
        return cls

    return register


def catalogue() -> list[Fault]:
    """Every fault, ordered by its primary requirement as requirements.json orders them (stable within one)."""
    from conformance.selftest import request_faults, response_faults  # noqa: F401  (registration on import)

    order = {requirement_id: i for i, requirement_id in enumerate(requirements())}
    return sorted(_REGISTRY.values(), key=lambda f: order[f.primary])


def by_name(name: str) -> Fault:
    for item in catalogue():
        if item.name == name:
            return item
    raise KeyError(f"no fault named {name!r}")
