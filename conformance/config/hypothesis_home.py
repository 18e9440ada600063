"""Hypothesis' storage folder: in the user's cache folder (never the working directory), with the bundled table of
Unicode categories copied in when it lacks one, so that a run whose cache is empty (a CI runner's) does not build it."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from conformance.config.caches import cache_dir, private_dir
from conformance.contract.unicode_data import CHARMAP, bundled_charmap
from conformance.safety.files import ReportDir, ReportDirError


def hypothesis_home() -> Path:
    """cache_dir()/hypothesis, seeded with the bundled table (best effort)."""
    seed_unicode_tables()
    return cache_dir() / "hypothesis"


def seed_unicode_tables(unidata_version: str = unicodedata.unidata_version) -> None:
    """Copy the bundled table to <storage>/unicode_data/<version>/, where Hypothesis looks for it, when the storage
    folder is private (private_dir) and has none yet. Never through a link: each folder is opened without following
    one and the file is written to a fresh name, then renamed. Anything in the way (a link, a full disk) skips the
    copy, and Hypothesis builds the table itself as it would have."""
    bundled = bundled_charmap(unidata_version)
    folder = private_dir("hypothesis") if bundled is not None else None
    if bundled is None or folder is None:
        return
    try:
        with (
            ReportDir.open(folder, 0o700) as home,
            home.subdir("unicode_data", 0o700) as data,
            data.subdir(unidata_version, 0o700) as tables,
        ):
            if not os.path.lexists(tables.path / CHARMAP):
                tables.write_bytes(CHARMAP, bundled.read_bytes())
    except (OSError, ReportDirError):
        pass
