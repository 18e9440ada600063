"""The package as another project installs it: a wheel built from this checkout, installed into a venv of its own that
sees the dependencies of the venv running this (a .pth file, so no package index is needed), never the checkout.

Used by the project's tests (conftest.installable) and by `make bench`, which measures the suite as installed: run
from an editable checkout, Hypothesis also reads the suite's own modules for constants to draw (about 0.2 CPU-s
more on an empty cache)."""

from __future__ import annotations

import site
import subprocess
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def build(dist: Path) -> Path:
    """A wheel and an sdist of the checkout in `dist`, by the locked backend (no build isolation); the wheel."""
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(CHECKOUT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(dist.glob("*.whl"))


def venv_beside(venv: Path) -> Path:
    """A new venv at `venv` whose interpreter sees this venv's packages, with a `pip` command; its bin folder."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--clear", str(venv)], check=True, timeout=120)
    found = list(venv.glob("lib/python*/site-packages"))
    assert len(found) == 1, found
    dependencies = [path for path in site.getsitepackages() if Path(path).is_dir()]
    (found[0] / "_dependencies_of_the_parent_venv.pth").write_text("\n".join(dependencies) + "\n", encoding="utf-8")
    pip = venv / "bin" / "pip"  # `pip` as a CI step types it: the venv's python with the pip it sees
    pip.write_text('#!/bin/sh\nexec "$(dirname "$0")/python" -m pip --disable-pip-version-check "$@"\n')
    pip.chmod(0o755)
    return venv / "bin"


def install(bin_folder: Path, wheel: Path) -> None:
    subprocess.run(
        [
            str(bin_folder / "python"),
            "-m",
            "pip",
            "install",
            "--no-index",
            "--no-deps",
            "--disable-pip-version-check",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
