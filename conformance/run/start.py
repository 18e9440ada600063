"""How a run starts, whoever starts it (the CLI, or pytest with --iam-conformance): options checked, settings resolved
with the baseline they name, credentials found and, for a target the suite did not start, the target preflighted.
A run that cannot start says why in one line (StartError), before anything else is started or sent."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from conformance.config.settings import RunSettings, SettingsError, check_options, check_report_dir, known_target
from conformance.config.settings import resolve as resolve_settings
from conformance.errors import ConformanceError
from conformance.protocol.client import TargetUnreachable
from conformance.protocol.target import TargetError, caller_credentials, resolve_endpoint
from conformance.results import baselines
from conformance.results.record import RunRecord
from conformance.results.result import RunFacts
from conformance.run.preflight import paced, preflight, wait_for_target


class StartError(ConformanceError):
    """The run cannot start: bad options, a baseline it cannot use, no credentials, a target that does not answer or
    refuses them. The message is the one line the user reads."""


def check(values: dict[str, Any]) -> None:
    """Options that cannot work, a baseline that cannot be read: StartError, before anything is started or sent."""
    try:
        check_options(values)
        endpoint, _ = resolve_endpoint(values.get("endpoint_url"))
        baselines.load(values.get("baseline"), known_target(endpoint))
        check_report_dir(values)
    except (SettingsError, TargetError, baselines.BaselineError) as exc:
        raise StartError(str(exc)) from None


def resolve(values: dict[str, Any], *, seed: int | None, in_ci: bool) -> RunSettings:
    """The run's settings, its baseline named as it can be handed to any process: a bundled name (a family's resolved
    to the embedded target's version), or a path made absolute."""
    check(values)
    settings = resolve_settings(values, seed=seed, in_ci=in_ci)
    if settings.baseline is None:
        return settings
    target = (
        (settings.target_name, settings.target_version) if settings.target_name and settings.target_version else None
    )
    return dataclasses.replace(settings, baseline=baselines.argument(settings.baseline, target))


def prepare(
    values: dict[str, Any],
    record: RunRecord,
    *,
    seed: int | None,
    in_ci: bool,
    say: Callable[[str], None] | None = None,
) -> RunSettings:
    """Settings resolved, the caller's credentials found, and a target the suite did not start preflighted (what that
    costs is counted in `record`; with --wait-for-target, until it answers, `say` told once), paced by how fast it
    answered. The embedded target is started, and preflighted, by the run's owner."""
    settings = resolve(values, seed=seed, in_ci=in_ci)
    if settings.endpoint is None:
        return settings
    try:
        credentials = caller_credentials()
        settings = dataclasses.replace(
            settings,
            access_key=credentials.access_key,
            secret_key=credentials.secret_key,
            session_token=credentials.token,
        )
        if settings.wait_for_target:
            reason = wait_for_target(settings, record, settings.wait_for_target, say)
            # the run's deadline counts from now: the wait was no part of it
            settings = dataclasses.replace(settings, deadline_epoch=time.time() + settings.deadline)
        else:
            reason = preflight(settings, record)
    except (TargetError, TargetUnreachable) as exc:
        raise StartError(str(exc)) from None
    if reason:
        raise StartError(reason)
    return paced(settings, record.preflight_ms)


def facts_of(settings: RunSettings | None, caller: str | None = None) -> RunFacts:
    """What a run's result is told of its settings (conformance.results.result.RunFacts)."""
    if settings is None:
        return RunFacts()
    return RunFacts(
        target=settings.target_label,
        caller=caller,
        profile=settings.profile,
        seed=settings.seed,
        baseline=settings.baseline,
        strict_baseline=settings.strict_baseline,
        read_only=settings.read_only,
        calls_in_flight=settings.max_concurrency,
        pace_note=settings.pace_note,
        write_baseline=settings.write_baseline,
        target_name=settings.target_name,
        target_version=settings.target_version,
        selection=settings.selection,
        selection_asked=settings.selection_asked,
    )
