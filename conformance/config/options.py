"""The options of a conformance run, declared once: the CLI (`--name`) and the pytest plugin (`--iam-name`) both
build theirs from this table, with the same types, defaults and help.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance.config.profiles import DEFAULT_PROFILE, PROFILES

if TYPE_CHECKING:
    import pytest

PLUGIN_PREFIX = "iam-"
WORKER_INPUT = "iam_conformance"  # the key of xdist's workerinput holding a run's settings (conformance.run.owner)


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Every command's help: descriptions wrapped to the terminal paragraph by paragraph; a block whose later lines
    are indented (exit codes, examples) kept as typed."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        blocks = []
        for block in text.strip("\n").split("\n\n"):
            lines = block.splitlines()
            if len(lines) > 1 and any(line.startswith(" ") for line in lines[1:]):
                blocks.append("\n".join(indent + line for line in lines))
            else:
                blocks.append(
                    textwrap.fill(" ".join(block.split()), width, initial_indent=indent, subsequent_indent=indent)
                )
        return "\n\n".join(blocks)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def positive_rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of calls per second") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number of calls per second")
    return value


def seed_value(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


@dataclass(frozen=True)
class Option:
    name: str  # as typed after `--` on the CLI
    help: str
    type: Callable[[str], Any] | None = None
    default: Any = None
    flag: bool = False
    choices: tuple[str, ...] | None = None
    metavar: str | None = None
    repeat: bool = False  # given once per value (--requirement PAG-02 --requirement PAG-03): a list, None if never

    @property
    def dest(self) -> str:
        return self.name.replace("-", "_")

    def keywords(self) -> dict[str, Any]:
        if self.flag:
            return {"action": "store_true", "help": self.help}
        found = {"default": self.default, "help": self.help}
        if self.repeat:
            found["action"] = "append"
        for key in ("type", "choices", "metavar"):
            if getattr(self, key) is not None:
                found[key] = getattr(self, key)
        return found


OPTIONS: tuple[Option, ...] = (
    Option(
        "endpoint-url",
        "IAM endpoint; else AWS_ENDPOINT_URL_IAM, else AWS_ENDPOINT_URL, else an embedded moto "
        "server on loopback (needs the [moto] extra)",
        metavar="URL",
    ),
    Option("region", "signing region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's, else us-east-1)"),
    Option(
        "report-dir",
        "folder for summary.json, report.html and junit.xml (default: reports)",
        default="reports",
        metavar="DIR",
    ),
    Option(
        "allure",
        "also write allure-pytest's results, redacted, into DIR/allure-results/ (render them with "
        "`iam-conformance report --allure DIR`); off by default: Allure costs a tenth of a run's CPU",
        flag=True,
    ),
    Option(
        "profile",
        f"how hard Hypothesis searches: {', '.join(f'{k} ({v} examples per property)' for k, v in PROFILES.items())}"
        f" (default: {DEFAULT_PROFILE})",
        default=DEFAULT_PROFILE,
        choices=tuple(PROFILES),
    ),
    Option(
        "baseline",
        "known deviations of this target: a bundled baseline's name (see `iam-conformance baselines`) "
        'or a JSON file {"target": ..., "expected_failures": {"PAG-02": "why", ...}}',
        metavar="NAME|FILE",
    ),
    Option("strict-baseline", "also fail the gate when a baseline entry now passes (a stale baseline)", flag=True),
    Option(
        "write-baseline", "record this run's failures as a baseline file (not for an incomplete run)", metavar="FILE"
    ),
    Option(
        "seed",
        "Hypothesis seed, to replay a run exactly (default: random, printed; 0 when CI is set)",
        type=seed_value,
        metavar="N",
    ),
    Option(
        "read-only", "run only the checks that create nothing on the target; the others are reported skipped", flag=True
    ),
    Option("allow-writes", "agree to create (and delete) users under /iam-conformance/ on an AWS endpoint", flag=True),
    Option(
        "stateful-sequences",
        "sequences the state machine (PAG-10) tries (default: the profile's)",
        type=positive_int,
        metavar="N",
    ),
    Option(
        "deadline",
        "seconds after which no more requests are sent; cleanup still runs, within its own bound (default: 900)",
        type=positive_seconds,
        default=900.0,
        metavar="SECONDS",
    ),
    Option(
        "max-concurrency",
        "calls to the target in flight at once (default: 8, or 1 for a target that answers "
        "within 10 ms, where overlapping saves no time); halved whenever the target pushes back (Throttling, 503, "
        "a reset connection), grown back one at a time",
        type=positive_int,
        metavar="N",
    ),
    Option(
        "max-rps",
        "at most this many calls per second (default: no limit), for accounts with tight quotas",
        type=positive_rate,
        metavar="R",
    ),
    Option(
        "known-good-credentials",
        "the credentials are known to be valid on this target (a reference or an emulator with fixed keys): a "
        "refusal of them is the target's deviation, for the requirements to judge, not a reason to stop the run",
        flag=True,
    ),
    Option(
        "strict-schema",
        "read the response schemas closed: an element they do not name is a deviation, not a note",
        flag=True,
    ),
    Option(
        "record",
        "also write a recording of the run into DIR: every request and answer, normalised, secrets never written "
        "(for `iam-conformance diff`; docs/differential.md)",
        metavar="DIR",
    ),
    Option(
        "keep-resources",
        "keep the users and certificates the run created (listed at the end; remove them later "
        "with `iam-conformance cleanup`), so that the reports' curl lines replay as they ran",
        flag=True,
    ),
    Option(
        "requirement",
        "run only this requirement (an id of schemas/requirements.json, such as PAG-02); repeatable, and with "
        "--category: a partial run, which never passes the gate",
        metavar="ID",
        repeat=True,
    ),
    Option(
        "category",
        # (the names of conformance.contract.spec.CATEGORIES, which this module does not import: tests/unit checks)
        "run only this category's requirements: shape, pagination, parameters, errors, identity, protocol or auth; "
        "repeatable, and with --requirement: a partial run, which never passes the gate",
        metavar="NAME",
        repeat=True,
    ),
    Option(
        "wait-for-target",
        "wait up to SECONDS for the target to answer (polling its preflight, backing off) before the run "
        "starts: a CI job that starts the target beside the suite (default: no wait)",
        type=positive_seconds,
        metavar="SECONDS",
    ),
)
BY_DEST = {option.dest: option for option in OPTIONS}


def add_to_argparse(parser: argparse.ArgumentParser) -> None:
    for option in OPTIONS:
        parser.add_argument(f"--{option.name}", dest=option.dest, **option.keywords())


def add_to_pytest(group: pytest.OptionGroup) -> None:
    """The same options on pytest's parser, prefixed (`--iam-endpoint-url`) as plugins' options should be."""
    for option in OPTIONS:
        keywords = option.keywords()
        if option.type is not None:  # pytest's parser reports a bad value the argparse way too
            keywords["type"] = option.type
        group.addoption(f"--{PLUGIN_PREFIX}{option.name}", dest=f"iam_{option.dest}", **keywords)


def values_from_pytest(config: pytest.Config) -> dict[str, Any]:
    return {option.dest: config.getoption(f"iam_{option.dest}") for option in OPTIONS}


def given_in_pytest(config: pytest.Config) -> bool:
    """Whether any of the run's options was given on pytest's command line (which asks for a conformance run)."""
    return any(
        config.getoption(f"iam_{option.dest}") != (False if option.flag else option.default) for option in OPTIONS
    )


def as_arguments(values: dict[str, Any]) -> list[str]:
    """The pytest command-line arguments carrying `values` (what the CLI hands to the plugin)."""
    arguments = []
    for option in OPTIONS:
        value = values.get(option.dest)
        if option.flag:
            if value:
                arguments.append(f"--{PLUGIN_PREFIX}{option.name}")
        elif option.repeat:
            arguments += [f"--{PLUGIN_PREFIX}{option.name}={each}" for each in value or ()]
        elif value is not None and value != option.default:
            arguments.append(f"--{PLUGIN_PREFIX}{option.name}={value}")
    return arguments
