"""No command writes through a link planted where its output goes: matrix --out, compare --html, run --report-dir and
--write-baseline, report --allure. Each is refused in one line with exit 2, and nothing outside the named output
changes: not the victim's files (a shell rc file among them), not the folder holding them."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.run_summaries import summary, write

from conformance.reference import ReferenceServer


def cli(*args, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | (env or {}),
    )


@dataclass
class Home:
    """A home with a shell rc file and a page of its own: `snapshot()` says whether anything in it changed."""

    path: Path

    def snapshot(self) -> dict[str, tuple[bytes, int]]:
        return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(self.path.iterdir()) if p.is_file()}

    def __truediv__(self, name: str) -> Path:
        return self.path / name


@pytest.fixture
def victim(tmp_path) -> Home:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("alias ls='ls --color'\n")
    (home / "matrix.html").write_text("someone else's page")
    return Home(home)


def refused_in_one_line(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr
    assert "symbolic link" in done.stdout + done.stderr and "refused" in done.stdout + done.stderr


@pytest.fixture
def runs(tmp_path):
    return [
        write(tmp_path / name, summary({"SHAPE-01": status})) for name, status in (("a", "passed"), ("b", "failed"))
    ]


@pytest.mark.parametrize("planted", ["matrix.html", "matrix.json", "the folder"])
def test_matrix_refuses_a_link_in_its_output_folder(planted, runs, victim, tmp_path):
    out = tmp_path / "out"
    before = victim.snapshot()
    if planted == "the folder":
        out.symlink_to(victim.path)
    else:
        out.mkdir()
        (out / planted).symlink_to(victim / (".bashrc" if planted == "matrix.json" else "matrix.html"))
    done = cli("matrix", *runs, "--out", out)
    refused_in_one_line(done)
    assert done.stderr.count("\n") == 1 and victim.snapshot() == before


@pytest.mark.parametrize("points_to", [".bashrc", "not-there-yet"])
def test_compare_html_refuses_a_link_in_place_of_its_file(points_to, runs, victim, tmp_path):
    page = tmp_path / "compare.html"
    page.symlink_to(victim / points_to)
    before = victim.snapshot()
    done = cli("compare", *runs, "--html", page)
    refused_in_one_line(done)
    assert victim.snapshot() == before and page.is_symlink()


def test_compare_html_replaces_an_earlier_file_of_its_own_without_touching_a_hard_link_to_it(runs, victim, tmp_path):
    page = tmp_path / "compare.html"
    os.link(victim / ".bashrc", page)  # the same file under two names: writing "through" it would change the rc file
    before = victim.snapshot()
    done = cli("compare", *runs, "--html", page)
    assert done.returncode == 1 and "regressed" in done.stdout
    assert victim.snapshot() == before and "<html" in page.read_text()


@pytest.mark.parametrize("planted", ["summary.json", "the baseline"])
def test_a_run_refuses_a_link_where_its_reports_or_baseline_go(planted, victim, tmp_path, root_credentials_env):
    reports = tmp_path / "reports"
    reports.mkdir()
    written = tmp_path / "written.json"
    if planted == "summary.json":
        (reports / "summary.json").symlink_to(victim / ".bashrc")
    else:
        written.symlink_to(victim / ".bashrc")
    before = victim.snapshot()
    with ReferenceServer() as server:
        done = cli(
            "run",
            "--endpoint-url",
            server.url,
            "--profile",
            "quick",
            "--report-dir",
            reports,
            "--write-baseline",
            written,
            env=root_credentials_env,
        )
    # (the console cuts the reason's line to its width; the run is incomplete for it)
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr
    assert "INCOMPLETE: could not run: cannot write the reports" in done.stdout
    assert victim.snapshot() == before


def test_report_allure_refuses_a_report_folder_that_is_a_link(runs, victim, tmp_path):
    (runs[0] / "allure-results").mkdir()
    linked = tmp_path / "linked-reports"
    linked.symlink_to(victim.path)
    (victim / "summary.json").write_bytes((runs[0] / "summary.json").read_bytes())
    (victim / "allure-results").mkdir()
    before = victim.snapshot()
    fake = tmp_path / "bin" / "allure"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "<html/>" > "$5/index.html"\n')
    fake.chmod(0o755)
    done = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "report", "--allure", "--report-dir", str(linked)],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"PATH": f"{fake.parent}:/usr/bin:/bin"},
    )
    refused_in_one_line(done)
    assert victim.snapshot() == before and not (victim / "allure-report").exists()
