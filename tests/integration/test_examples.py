"""The CI examples work as copied: each one's commands run verbatim in an empty folder, against the moto server the
example itself starts, to exit 0 — the install line included, with the suite's source (IAM_CONFORMANCE_SOURCE, a git
URL at a release tag) pointed at a wheel built from this checkout, and no package index: the dependencies are those of
the venv running the tests (conftest.installable)."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

from conformance.contract.spec import data_dir

ROOT = data_dir("schemas").parent
EXAMPLES = ROOT / "examples"
INSTALL = 'pip install "iam-conformance[moto] @ ${IAM_CONFORMANCE_SOURCE}"'
SOURCE = re.compile(r"git\+https://[^@\s]+@v(?P<version>[0-9][^\s]*)")
EXAMPLE_PORT = "5000"


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def the_install(scripts: list[str]) -> str:
    """The one install line, which stays among the commands: it runs too."""
    installs = [s for s in scripts if "pip install" in s]
    assert len(installs) == 1 and installs[0].count("\n") == 0, installs
    return installs[0]


def on_port(script: str, port: str) -> str:
    """The example's commands with moto's port replaced, and nowhere else changed."""
    replaced = re.sub(rf"(?<=-p ){EXAMPLE_PORT}\b|(?<=127\.0\.0\.1:){EXAMPLE_PORT}\b", port, script)
    assert EXAMPLE_PORT not in replaced, "the example names port 5000 somewhere the test does not substitute"
    return replaced


def run_verbatim(shell_scripts: list[str], env: dict[str, str], work: Path, scratch: Path) -> list[int]:
    """Each script in its own bash, as the CI runs a step (`bash --noprofile --norc -eo pipefail FILE`), in `work`.
    The moto server the example starts in the background outlives its step, as on a runner: every step gets its own
    process group, ended by id when the example is done."""
    groups, codes = [], []
    try:
        for number, script in enumerate(shell_scripts):
            file = scratch / f"step-{number}.sh"  # outside `work`: the CI keeps its step files elsewhere too
            file.write_text(script + "\n", encoding="utf-8")
            step = subprocess.Popen(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(file)],
                cwd=work,
                env=env,
                start_new_session=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            groups.append(step.pid)
            output, _ = step.communicate(timeout=300)
            codes.append(step.returncode)
            print(f"--- step {number}: exit {step.returncode}\n{output[-4000:]}")
            if step.returncode != 0:
                break
    finally:
        for group in groups:
            try:
                os.killpg(group, signal.SIGTERM)
            except ProcessLookupError:  # nothing of that step is left running
                pass
    return codes


def ci_env(example_env: dict, marker: str) -> dict[str, str]:
    """A clean CI-like environment: the example's own variables, CI set as every CI service sets it; nothing else of
    the caller's (no AWS_*). Where the example installs (`installed_into`) comes first on PATH; moto_server is the
    test venv's (its moto is what the installed package sees)."""
    venv_bin = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "CI": "true",
        marker: "true",
    }
    return env | {name: str(value) for name, value in example_env.items()}


def installed_into(env: dict[str, str], installable) -> dict[str, str]:
    """`env` with the example's source pointed at the wheel (no index: nothing is fetched), its commands first."""
    assert_pinned(env["IAM_CONFORMANCE_SOURCE"])
    return env | {
        "IAM_CONFORMANCE_SOURCE": installable.wheel.as_uri(),
        "PIP_NO_INDEX": "1",
        "PATH": f"{installable.bin}:{env['PATH']}",
    }


def assert_pinned(source: str) -> None:
    pinned = SOURCE.fullmatch(source)
    assert pinned, f"IAM_CONFORMANCE_SOURCE must be a git URL at a release tag (git+https://...@vVERSION): {source}"
    assert pinned["version"] == project_version()


def assert_gates(script: str) -> None:
    run_line = next(line for line in script.splitlines() if "iam-conformance run" in line)
    assert '--baseline "moto-$moto_version" ' in run_line and "--report-dir reports" in run_line
    # Nothing may swallow the exit code: it is the gate.
    assert "|| true" not in run_line and "; true" not in run_line and "set +e" not in script


def github_actions() -> tuple[str, list[str], dict]:
    """(install line, the other steps' scripts, the job's env), checking what is not a command on the way."""
    workflow = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["conformance"]
    steps = [step for step in job["steps"] if "run" in step]
    gate = next(step for step in steps if "iam-conformance run" in step["run"])
    assert "continue-on-error" not in gate and "continue-on-error" not in job
    upload = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "reports/"
    commands = [step["run"].strip() for step in steps]
    return the_install(commands), commands, ci_env(job["env"], "GITHUB_ACTIONS")


def gitlab_ci() -> tuple[str, list[str], dict]:
    job = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text(encoding="utf-8"))["iam-conformance"]
    assert "allow_failure" not in job
    assert job["artifacts"]["when"] == "always" and "reports/" in job["artifacts"]["paths"]
    assert job["artifacts"]["reports"]["junit"] == "reports/junit.xml"
    # GitLab runs the script's lines one after another in one shell.
    return the_install(job["script"]), ["\n".join(job["script"])], ci_env(job["variables"], "GITLAB_CI")


@dataclass
class ExampleRun:
    install: str
    commands: list[str]
    codes: list[int]
    work: Path


@pytest.fixture(scope="module", params=[github_actions, gitlab_ci], ids=["github-actions", "gitlab-ci"])
def example_run(request, tmp_path_factory, installable) -> ExampleRun:
    install, commands, env = request.param()
    work, scratch = tmp_path_factory.mktemp("work"), tmp_path_factory.mktemp("scratch")
    port = free_port()
    codes = run_verbatim([on_port(c, port) for c in commands], installed_into(env, installable), work, scratch)
    return ExampleRun(install, commands, codes, work)


def test_the_install_line_installs_this_version_from_its_pinned_source_with_the_moto_extra(example_run):
    assert example_run.install == INSTALL


def test_the_commands_run_as_copied_to_exit_0_and_gate_on_the_bundled_moto_baseline(example_run):
    assert_gates("\n".join(example_run.commands))
    assert example_run.codes == [0] * len(example_run.commands), example_run.codes
    reports = example_run.work / "reports"
    summary = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    assert summary["gate"] == "pass" and summary["unexpected_failures"] == []
    assert summary["baseline"] == f"moto-{version('moto')}"
    assert len(summary["known_deviations"]) > 10 and summary["request_count"] > 50
    assert {"junit.xml", "report.html"} <= {p.name for p in reports.iterdir()}
    assert (example_run.work / "moto.log").is_file()


def test_nothing_is_written_into_the_folder_but_reports_and_moto_log(example_run):
    assert example_run.codes == [0] * len(example_run.commands)
    assert sorted(p.name for p in example_run.work.iterdir()) == ["moto.log", "reports"]
