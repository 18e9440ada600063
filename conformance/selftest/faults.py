"""The fault catalogue: single-mistake variants of the reference IAM, each expected to trip named requirements.

The faults themselves live in `response_faults` (shape, pagination) and `request_faults` (parameters, errors,
identity, protocol, auth), grown per family in `faults_pagination`, `faults_parameters`, `faults_identity_auth`,
`faults_shape_dates` and `faults_protocol_errors`, and by the mistakes no earlier catalogue named in
`faults_naming_writes` and `faults_tampering`; each is declared with `conformance.selftest.registry.fault` and
`catalogue()` imports them.
"""

from __future__ import annotations

from conformance.contract.spec import requirements
from conformance.selftest.registry import REGISTRY, Fault

__all__ = ["Fault", "by_name", "catalogue"]


def catalogue() -> list[Fault]:
    """Every fault, ordered by its primary requirement as requirements.json orders them (stable within one)."""
    from conformance.selftest import (  # noqa: F401
        consistency_faults,
        faults_identity_auth,
        faults_naming_writes,
        faults_pagination,
        faults_parameters,
        faults_protocol_errors,
        faults_shape_dates,
        faults_tampering,
        request_faults,
        response_faults,  # (registration on import)
    )

    order = {requirement_id: i for i, requirement_id in enumerate(requirements())}
    return sorted(REGISTRY.values(), key=lambda f: order[f.primary])


def by_name(name: str) -> Fault:
    for item in catalogue():
        if item.name == name:
            return item
    raise KeyError(f"no fault named {name!r}")
