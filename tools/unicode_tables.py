"""Hypothesis' table of Unicode categories ("charmap"), built by Hypothesis itself and bundled with the package, so that
a run whose cache is empty (a CI runner's, every time) copies it instead of building it (about 0.15 CPU-s: a pass over
every code point). Run by the interpreter whose Unicode version it is for (`python tools/unicode_tables.py`): the table
is unicodedata's, and Hypothesis files it under unicodedata.unidata_version. Needs only Hypothesis, the version locked
in requirements/dev.txt (tests/unit/test_unicode_tables.py fails when the bundled table is no longer what it builds).
"""

from __future__ import annotations

import gzip
import sys
import tempfile
import unicodedata
from pathlib import Path

BUNDLED = Path(__file__).resolve().parent.parent / "conformance" / "contract" / "unicode"
FILE = "charmap.json.gz"  # Hypothesis' own name for it, under <storage>/unicode_data/<unidata_version>/


def hypothesis_charmap() -> bytes:
    """The file Hypothesis writes for this interpreter's Unicode version, built in a storage folder of its own."""
    from hypothesis import configuration
    from hypothesis.internal import charmap

    earlier = configuration.__hypothesis_home_directory
    loaded = charmap._charmap
    with tempfile.TemporaryDirectory() as home:
        configuration.set_hypothesis_home_dir(home)
        charmap._charmap = None
        try:
            charmap.charmap()
            return charmap.charmap_file().read_bytes()
        finally:
            configuration.set_hypothesis_home_dir(earlier)
            charmap._charmap = loaded


def main() -> None:
    target = BUNDLED / unicodedata.unidata_version / FILE
    built = hypothesis_charmap()
    # gzip's header names the temporary file Hypothesis wrote: an unchanged table is left as it is
    if target.exists() and gzip.decompress(target.read_bytes()) == gzip.decompress(built):
        print(f"{target.relative_to(BUNDLED.parents[2])}: unchanged (Python {sys.version.split()[0]})")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(built)
    print(f"{target.relative_to(BUNDLED.parents[2])}: written (Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
