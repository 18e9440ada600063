"""`make docs` (docs/screenshots.py): the runs behind the README's screenshots end as the pictures say, and the
pages it photographs render in headless Chromium. The screenshots themselves are made by `make docs` only."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "screenshots.py"
CHROMIUM = shutil.which("chromium")


def load_script():
    spec = importlib.util.spec_from_file_location("docs_screenshots", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


screenshots = load_script()


def needs_chromium():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium (.ci/run does)")
        pytest.skip("chromium is not installed here (apt-get install chromium)")


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """The script's runs, quick profile: conformant reference, embedded moto with its baseline, the faulty reference."""
    work = tmp_path_factory.mktemp("docs-work")
    return work, {
        run.planned.folder: run for run in screenshots.run_all(work, seed=1, profile="quick", localstack_url=None)
    }


def statuses(run):
    return {row["id"]: row["status"] for row in run.summary["requirements"]}


def test_each_run_ends_as_its_picture_says(finished):
    _, runs = finished
    assert set(runs) == {"reference", "moto", "faulty"}
    assert runs["reference"].summary["verdict"] == "conformant"
    assert runs["moto"].summary["gate"] == "pass" and runs["moto"].summary["known_deviations"]
    assert runs["moto"].verdict_line.startswith("verdict: nonconformant — gate: pass")
    assert statuses(runs["faulty"])["PAG-02"] == "failed" and runs["faulty"].summary["gate"] == "fail"


def test_the_failures_view_and_the_matrix_render_in_chromium(finished, tmp_path):
    needs_chromium()
    work, runs = finished
    matrix = screenshots.build_matrix(list(runs.values()), work)
    assert "reference with one fault (max_items_ignored)" in matrix.read_text()
    screenshots.screenshot(
        CHROMIUM,
        runs["faulty"].report_dir / "report.html",
        tmp_path / "failures.png",
        screenshots.WIDTH,
        screenshots.HEIGHT,
        section=screenshots.FAILURES_HEADING,
    )
    screenshots.screenshot(CHROMIUM, matrix, tmp_path / "matrix.png", 1280, 1300)
    assert (tmp_path / "failures.png").stat().st_size > 10_000 and (tmp_path / "matrix.png").stat().st_size > 10_000
    assert png_size(tmp_path / "failures.png") == (1366, 768)  # a laptop's first screen


def png_size(png):
    header = png.read_bytes()[16:24]  # IHDR: width, height
    return int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")


def test_the_committed_report_pictures_are_a_laptops_screen():
    docs = SCRIPT.parent
    assert png_size(docs / "report.png") == png_size(docs / "report-failures.png") == (1366, 768)


def test_a_section_the_page_lacks_fails_the_screenshot(tmp_path):
    needs_chromium()
    page = tmp_path / "report.html"
    page.write_text("<!doctype html><html><body><h2>Requirements</h2></body></html>")
    with pytest.raises(screenshots.DocsError, match="no section Failures"):
        screenshots.screenshot(CHROMIUM, page, tmp_path / "x.png", 800, 600, section="Failures")


def script(*args, path="/usr/bin:/bin"):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ | {"PATH": path},
    )


def test_a_work_folder_it_did_not_fill_is_refused_untouched(tmp_path):
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "thesis.tex").write_text("mine")
    done = script("--work", tmp_path / "work", "--out", tmp_path / "out")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "thesis.tex" in done.stderr
    assert (tmp_path / "work" / "thesis.tex").read_text() == "mine" and not (tmp_path / "out").exists()


def test_without_chromium_it_says_so_in_one_line(tmp_path):
    done = script("--work", tmp_path / "work", "--out", tmp_path / "out", path=str(tmp_path))
    assert done.returncode == 2 and done.stderr == "docs: chromium is not installed (apt-get install chromium)\n"
    assert not (tmp_path / "out").exists()


def test_every_output_in_the_docs_is_produced_by_the_generator_and_the_deterministic_ones_are_fresh():
    """No output is typed by hand: every text block of README.md, ARCHITECTURE.md and docs/*.md lies in a region
    docs/generate.py fills; those whose output does not depend on the run (--help, the bundled baselines, the
    requirements table) match what the generator produces now."""
    generate = Path(__file__).resolve().parents[2] / "docs" / "generate.py"
    done = subprocess.run([sys.executable, str(generate), "--check"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_readme_is_short_and_says_how_to_start():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) < 6 * 1024
    assert "make run" in readme and "make test" in readme and "docs/" in readme
