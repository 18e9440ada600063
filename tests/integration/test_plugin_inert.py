"""The pytest11 plugin is loaded in every pytest session of the environment; it must be noticed only where a
conformance run asks for it. An unrelated project (a Hypothesis test, a test killing its xdist worker, a marker
named like ours, AWS_ENDPOINT_URL set as LocalStack users do) behaves exactly as without this package."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys

import pytest

from conformance.contract.spec import data_dir

CHECKOUT = data_dir("schemas").parent

UNRELATED_PROJECT = """
import os
import signal

import pytest
from hypothesis import given, settings, strategies as st


def test_plain():
    assert 1 + 1 == 2


@given(st.integers())
def test_hypothesis_keeps_its_own_profile(n):
    assert settings.get_current_profile_name() == "default" and settings().max_examples == 100
    assert settings().database is not None


def test_no_signal_handler_was_installed():
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_that_kills_its_worker():
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os._exit(3)


@pytest.mark.requirement("PAG-01")
def test_with_a_marker_named_like_the_suites():
    pass


def test_with_fixture_names_like_the_suites(request):
    assert "iam" not in request.fixturenames
    with pytest.raises(pytest.FixtureLookupError):
        request.getfixturevalue("judge")
"""


def run_pytest(project, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    env |= {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9/",
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE00000000",
        "AWS_SECRET_ACCESS_KEY": "x" * 40,
        "HYPOTHESIS_STORAGE_DIRECTORY": str(project / ".hyp"),
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def outcomes(done: subprocess.CompletedProcess) -> list[str]:
    """Each test's outcome line (-rA), without timings or worker ids."""
    lines = [
        re.sub(r"\[gw\d+\] ", "", line)
        for line in done.stdout.splitlines()
        if re.match(r"^(PASSED|FAILED|ERROR|SKIPPED) ", re.sub(r"\[gw\d+\] ", "", line))
    ]
    return sorted(line.split(" - ")[0] for line in lines)


@pytest.mark.parametrize("extra", [(), ("-n", "2"), ("--strict-markers",)], ids=["plain", "xdist", "strict-markers"])
def test_an_unrelated_project_behaves_as_without_this_package(extra, tmp_path):
    (tmp_path / "test_project.py").write_text(UNRELATED_PROJECT)
    with_plugin = run_pytest(tmp_path, *extra)
    without = run_pytest(tmp_path, "-p", "no:iam_conformance", *extra)
    assert with_plugin.returncode == without.returncode, with_plugin.stdout[-3000:]
    assert outcomes(with_plugin) == outcomes(without) and outcomes(without)
    # The suite says nothing of its own. Paths are left out: the checkout's folder (and the venv in it) may well be
    # named iam-conformance, as `git clone` names it, and xdist's crash report shows where its files are.
    places = sorted({str(CHECKOUT), sys.prefix, sys.base_prefix, str(tmp_path)}, key=len, reverse=True)
    said = [
        functools.reduce(lambda text, place: text.replace(place, "<path>"), places, line)
        for line in (with_plugin.stdout + with_plugin.stderr).splitlines()
        if not line.startswith("plugins:")
    ]
    assert not any("iam-conformance" in line or "iam_conformance" in line for line in said), said
    assert not (tmp_path / "reports").exists()
    if extra == ("-n", "2"):  # the worker that was killed is reported by xdist as it always is
        assert "crashed" in with_plugin.stdout and "INTERNALERROR" not in with_plugin.stdout


def test_the_plugin_adds_only_prefixed_options(tmp_path):
    help_with = run_pytest(tmp_path, "--help").stdout
    help_without = run_pytest(tmp_path, "-p", "no:iam_conformance", "--help").stdout
    added = [line for line in help_with.splitlines() if line not in help_without.splitlines()]
    options = [m.group(1) for line in added if (m := re.match(r"\s+(-[\w-]+)", line))]  # options it declares
    assert options and all(option.startswith("--iam-") for option in options), options


MODULES_SEEN = """
import json
import sys


def test_what_is_imported():
    with open("modules.json", "w") as out:
        json.dump(sorted(sys.modules), out)
"""
HEAVY = ("hypothesis", "lxml", "botocore", "jinja2", "requests", "urllib3", "werkzeug", "moto", "allure_pytest")


def imported_in(project, *args: str) -> set[str]:
    done = run_pytest(project, *args)
    assert done.returncode == 0, done.stdout[-2000:]
    return set(json.loads((project / "modules.json").read_text()))


def test_in_an_unrelated_session_the_plugin_imports_only_its_option_declarations(tmp_path):
    """What the plugin costs every pytest session of the environment: its option table, nothing of the suite.
    Counted as modules imported (sys.modules with and without the plugin), never as time."""
    (tmp_path / "test_modules.py").write_text(MODULES_SEEN)
    with_plugin = imported_in(tmp_path)
    without = imported_in(tmp_path, "-p", "no:iam_conformance")
    added = with_plugin - without
    heavy = sorted(m for m in added if m.split(".")[0] in HEAVY)
    assert heavy == [], heavy
    ours = sorted(m for m in added if m.split(".")[0] == "conformance")
    assert set(ours) <= {
        "conformance",
        "conformance.config",
        "conformance.config.options",
        "conformance.config.profiles",
        "conformance.run",
        "conformance.run.plugin",
    }, ours
    assert len(added) <= 10, sorted(added)  # the package's own few, and nothing they drag in
