"""Fixtures for the project's own tests (tests/): a reference IAM on loopback and a way to run the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools import wheel_venv

ROOT = Path(__file__).resolve().parent


@dataclass
class CliRun:
    code: int
    stdout: str
    stderr: str
    report_dir: Path

    @property
    def summary(self) -> dict:
        """summary.json, validated against its published JSON Schema every time a test reads it."""
        import json

        import jsonschema

        from conformance.contract.spec import data_dir

        summary = json.loads((self.report_dir / "summary.json").read_text(encoding="utf-8"))
        schema = json.loads((data_dir("schemas") / "summary.schema.json").read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(summary)
        return summary

    def statuses(self) -> dict[str, str]:
        return {r["id"]: r["status"] for r in self.summary["requirements"]}


@pytest.fixture(autouse=True)
def a_users_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a test runs (the CLI in a subprocess, the plugin in-process) sees a user's environment, not the xdist
    worker's: with PYTEST_XDIST_WORKER inherited, a run took itself for one of its own workers (run ids,
    sequential tests) and the tests checked another mode than users get."""
    for name in [name for name in os.environ if name.startswith("PYTEST_XDIST_")]:
        monkeypatch.delenv(name)


@pytest.fixture
def run_cli(tmp_path: Path):
    """run_cli(*args, env=None) runs `iam-conformance` in a subprocess, reports under tmp_path."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> CliRun:
        report_dir = tmp_path / "reports"
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        full_env.update(env or {})
        done = subprocess.run(
            [sys.executable, "-m", "conformance.cli", *args, "--report-dir", str(report_dir)],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            cwd=tmp_path,
        )
        return CliRun(done.returncode, done.stdout, done.stderr, report_dir)

    return run


@pytest.fixture(scope="session")
def root_credentials_env() -> dict[str, str]:
    from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY

    return {"AWS_ACCESS_KEY_ID": ROOT_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": ROOT_SECRET_KEY}


@dataclass
class Installed:
    """The package as another project installs it: a wheel built from this checkout, in a venv of its own."""

    dist: Path  # the wheel and the sdist
    wheel: Path
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"


@pytest.fixture(scope="session")
def built_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel and an sdist of this checkout, built by the locked backend (no isolation: no package index needed)."""
    dist = tmp_path_factory.mktemp("dist")
    wheel_venv.build(dist)
    return dist


@pytest.fixture(scope="session")
def installable(built_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A new venv that sees the packages of the one running the tests (a .pth file: installing dependencies needs no
    network) but not this checkout: its pip installs the built wheel itself, as `pip install` from an index would."""
    venv = tmp_path_factory.mktemp("venv")
    wheel_venv.venv_beside(venv)
    return Installed(built_package, next(built_package.glob("*.whl")), venv)
