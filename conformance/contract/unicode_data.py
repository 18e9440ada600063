"""Hypothesis' table of Unicode categories, one per Unicode version of the Pythons the suite supports, as Hypothesis
itself writes it (tools/unicode_tables.py builds them, tests/unit/test_unicode_tables.py checks them): every from_regex
needs the table, and building it is a pass over every code point that a run with an empty cache would otherwise pay."""

from __future__ import annotations

import re
from pathlib import Path

CHARMAP = "charmap.json.gz"  # Hypothesis' name for it, in <its storage folder>/unicode_data/<unidata_version>/
BUNDLED = Path(__file__).resolve().parent / "unicode"


def bundled_charmap(unidata_version: str) -> Path | None:
    """The bundled table for this Unicode version (unicodedata.unidata_version), or None."""
    if not re.fullmatch(r"\d+\.\d+\.\d+", unidata_version):
        return None
    path = BUNDLED / unidata_version / CHARMAP
    return path if path.is_file() else None
