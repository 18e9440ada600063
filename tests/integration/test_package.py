"""The package outside a checkout: a wheel and an sdist that `twine check` accepts, carrying the schemas, fixtures and
bundled baselines; installed into a venv of its own and run from an empty folder far from any checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from conformance.contract.spec import data_dir

ROOT = data_dir("schemas").parent
DATA = ("schemas", "fixtures", "baselines")


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def checkout_files(folder: str) -> set[str]:
    return {str(p.relative_to(ROOT / folder)) for p in (ROOT / folder).rglob("*") if p.is_file()}


def test_the_wheel_and_the_sdist_pass_twine_check_and_carry_every_data_file(built_package):
    files = sorted(built_package.iterdir(), key=lambda f: f.suffix)
    assert [f.suffix for f in files] == [".gz", ".whl"], files
    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    wheel = set(zipfile.ZipFile(files[1]).namelist())
    sdist = {name.split("/", 1)[1] for name in tarfile.open(files[0]).getnames() if "/" in name}
    for folder in DATA:
        expected = checkout_files(folder)
        assert expected and {f"conformance/_data/{folder}/{f}" for f in expected} <= wheel, folder
        assert {f"{folder}/{f}" for f in expected} <= sdist, folder
    assert any(name.startswith("conformance/reports/templates/") for name in wheel)


@pytest.fixture(scope="module")
def installed(installable):
    done = subprocess.run(
        [
            str(installable.bin / "python"),
            "-m",
            "pip",
            "install",
            "--no-index",
            "--no-deps",
            "--disable-pip-version-check",
            "-q",
            str(installable.wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return installable


def elsewhere(installed, tmp_path: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    folder = tmp_path / "empty"
    folder.mkdir(exist_ok=True)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    return subprocess.run(
        [str(installed.bin / "iam-conformance"), *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env=clean | {"HOME": str(tmp_path / "home")} | (env or {}),
        timeout=600,
    )


def test_the_installed_wheel_runs_its_own_copy_not_the_checkouts(installed, tmp_path):
    where = subprocess.run(
        [str(installed.bin / "python"), "-c", "import conformance; print(conformance.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert Path(where.stdout.strip()).is_relative_to(installed.venv), where.stdout + where.stderr
    version = elsewhere(installed, tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.strip() == f"iam-conformance {project_version()}"


def test_from_an_empty_folder_the_embedded_run_gates_on_its_bundled_baseline(installed, tmp_path):
    done = elsewhere(
        installed,
        tmp_path,
        "run",
        "--profile",
        "quick",
        "--baseline",
        "moto",
        "--report-dir",
        str(tmp_path / "reports"),
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "gate: pass" in done.stdout.splitlines()[-1]
    assert sorted(p.name for p in (tmp_path / "empty").iterdir()) == []  # nothing written where it was started


def test_from_an_empty_folder_a_run_against_an_endpoint_is_conformant(installed, tmp_path, root_credentials_env):
    from conformance.reference import ReferenceServer

    with ReferenceServer() as server:
        done = elsewhere(
            installed,
            tmp_path,
            "run",
            "--profile",
            "quick",
            "--endpoint-url",
            server.url,
            "--report-dir",
            str(tmp_path / "reports"),
            env=root_credentials_env,
        )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert done.stdout.splitlines()[-1].startswith("verdict: conformant")
