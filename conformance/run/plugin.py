"""The pytest11 plugin. Inert unless a conformance run asks for it, as Hypothesis' own plugin is: in any other
pytest session of the environment it only declares its prefixed options (`--iam-*`), and does nothing else: no
profile change, no signal handler, no fixtures, no markers.

A conformance run is asked for by `iam-conformance run` (which passes `--iam-conformance`), or by hand:
`pytest --pyargs conformance.suite --iam-conformance [--iam-endpoint-url URL ...]`. Then this module creates the
run's owner (conformance.run.owner: settings, collection of results, reports) in the process that owns the run, and a
RunProcess (conformance.run.process) in every process that takes part.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest

from conformance.config import options

if TYPE_CHECKING:
    from conformance.config.settings import RunSettings
    from conformance.run.process import RunProcess
    from conformance.safety.redaction import Redactor

ACTIVATE = "--iam-conformance"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("iam-conformance", "IAM ListSigningCertificates conformance (inert unless asked for)")
    group.addoption(
        ACTIVATE,
        action="store_true",
        dest="iam_conformance",
        help="run the conformance suite (`pytest --pyargs conformance.suite --iam-conformance`): "
        "settings, reports and verdict; implied by any other --iam-* option",
    )
    options.add_to_pytest(group)


def _asked_for(config: pytest.Config) -> bool:
    return bool(config.getoption("iam_conformance")) or options.given_in_pytest(config)


def _explicit_seed(config: pytest.Config) -> int | None:
    """--iam-seed, else Hypothesis' own --hypothesis-seed when it is a number."""
    seed: int | None = config.getoption("iam_seed")
    if seed is None:
        given = getattr(config.option, "hypothesis_seed", None)
        seed = int(given) if given is not None and str(given).isdigit() else None
    return seed


@pytest.hookimpl(tryfirst=True)  # before Hypothesis' and allure-pytest's own configure read their options
def pytest_configure(config: pytest.Config) -> None:
    worker_input = getattr(config, "workerinput", None)
    if worker_input is not None:  # an xdist worker: the owner (the controller) sent the run's settings, if any
        if options.WORKER_INPUT in worker_input:
            _take_part(config, _settings_from(worker_input[options.WORKER_INPUT]), runs_tests=True)
        return
    if not _asked_for(config):
        return
    from conformance.run.owner import RunOwner

    owner = RunOwner(config)
    owner.start(options.values_from_pytest(config), seed=_explicit_seed(config), in_ci=bool(os.environ.get("CI")))
    config.pluginmanager.register(owner, "iam-conformance-owner")
    if owner.settings is not None:
        xdist_controller = getattr(config.option, "dist", "no") != "no"
        owner.process = _take_part(config, owner.settings, runs_tests=not xdist_controller, redactor=owner.redactor)


def _settings_from(wire: dict[str, Any]) -> RunSettings:
    from conformance.config.settings import RunSettings

    return RunSettings.from_wire(wire)


def _take_part(
    config: pytest.Config, settings: RunSettings, runs_tests: bool, redactor: Redactor | None = None
) -> RunProcess:
    from conformance.run.process import RunProcess
    from conformance.safety.redaction import Redactor

    process = RunProcess(
        config, settings, redactor or Redactor([settings.secret_key, settings.session_token]), runs_tests
    )
    process.configure()
    config.pluginmanager.register(process, "iam-conformance-process")
    return process
