"""The CLI's rough edges, each tried as a new user would: one line, a defined exit code, nothing left half-done."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version

import pytest

from conformance.reference import ReferenceServer


def cli(*args: str, cwd=None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=environment,
    )


def one_line_reason(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and all(word in lines[0] for word in words), done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    "args,words",
    [
        (["run", "--endpoint-url", ""], ["--endpoint-url is empty"]),
        (["run", "--read-only", "--allow-writes"], ["contradict"]),
        (["run", "--write-baseline", "/missing-folder/b.json"], ["/missing-folder", "does not exist"]),
        (["run", "--keep-resources"], ["--keep-resources needs a target"]),
        (["run", "--baseline", "no-such-baseline"], ["unknown baseline"]),
        (["run", "--endpoint-url", "http://user:secret@127.0.0.1:1/"], ["user-info"]),
    ],
)
def test_bad_options_are_refused_before_anything_starts_in_one_line(args, words, tmp_path):
    done = cli(*args, "--report-dir", str(tmp_path / "reports"), cwd=tmp_path)
    one_line_reason(done, *words)
    assert "secret" not in done.stderr.replace("user-info", "")
    assert not (tmp_path / "reports" / "summary.json").exists()  # nothing ran, nothing to report


def test_version_and_a_bare_command_and_run_help(tmp_path):
    assert cli("--version").stdout.strip() == f"iam-conformance {version('iam-conformance')}"
    bare = cli()
    assert bare.returncode == 2 and "usage: iam-conformance" in bare.stderr and "run" in bare.stderr
    helped = cli("run", "--help").stdout
    for said in (
        "exit codes",
        "0  conformant",
        "1  nonconformant",
        "2  incomplete",
        "expected_failures",
        "--max-concurrency",
        "--keep-resources",
        "--strict-schema",
    ):
        assert said in helped, said


def test_a_written_baseline_is_announced_with_where_it_went(tmp_path, root_credentials_env):
    from test_reports import ListsEverythingOnOnePage

    from conformance.reference import Flavour

    written = tmp_path / "baseline.json"
    with ReferenceServer(app=ListsEverythingOnOnePage(Flavour())) as server:
        done = cli(
            "run",
            "--endpoint-url",
            server.url,
            "--profile",
            "quick",
            "--write-baseline",
            str(written),
            "--report-dir",
            str(tmp_path / "reports"),
            env=root_credentials_env,
        )
    assert done.returncode == 1 and written.exists()
    assert f"baseline written to {written}" in done.stdout
    assert "PAG-02" in json.loads(written.read_text())["expected_failures"]


def test_nothing_is_written_into_the_working_folder_but_the_reports(tmp_path, root_credentials_env):
    with ReferenceServer() as server:
        done = cli("run", "--endpoint-url", server.url, "--profile", "quick", cwd=tmp_path, env=root_credentials_env)
    assert done.returncode == 0, done.stdout[-2000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_a_missing_moto_extra_is_named_with_the_install_line(monkeypatch):
    import importlib.util

    from conformance.config.settings import SettingsError, check_options

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "moto" else real(name, *a))
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_IAM", raising=False)
    with pytest.raises(SettingsError, match=r"pip install 'iam-conformance\[moto\]'"):
        check_options({"profile": "standard", "deadline": 900.0})
