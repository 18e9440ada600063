"""The bundled table of Unicode categories: what the locked Hypothesis builds, found by Hypothesis where a run's empty
cache gets it, never written through a link."""

import gzip
import json
import os
import unicodedata

import pytest
from hypothesis import configuration
from hypothesis.internal import charmap

from conformance.config.hypothesis_home import hypothesis_home, seed_unicode_tables
from conformance.contract.unicode_data import CHARMAP, bundled_charmap
from tools.unicode_tables import hypothesis_charmap

VERSION = unicodedata.unidata_version
REGENERATE = "run `python tools/unicode_tables.py` with every supported Python (3.11, 3.12, 3.13) and commit the tables"


def table(data: bytes) -> object:
    return json.loads(gzip.decompress(data))


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty user cache folder; Hypothesis' storage folder is restored afterwards."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    home = configuration.__hypothesis_home_directory
    monkeypatch.setattr(configuration, "__hypothesis_home_directory", home)
    return tmp_path / "cache" / "iam-conformance" / "hypothesis"


def test_the_bundled_table_is_what_the_locked_hypothesis_builds():
    bundled = bundled_charmap(VERSION)
    assert bundled is not None, f"no bundled table for Unicode {VERSION}: {REGENERATE}"
    assert table(bundled.read_bytes()) == table(hypothesis_charmap()), (
        f"Hypothesis builds a different table for Unicode {VERSION} than the bundled one: {REGENERATE}"
    )


def test_an_empty_cache_gets_the_table_and_hypothesis_loads_it_without_building_it(cache, monkeypatch):
    configuration.set_hypothesis_home_dir(hypothesis_home())
    assert (cache / "unicode_data" / VERSION / CHARMAP).is_file()

    def not_built(character):
        raise AssertionError("Hypothesis built the table instead of reading the bundled one")

    monkeypatch.setattr(charmap, "_charmap", None)
    monkeypatch.setattr(unicodedata, "category", not_built)
    loaded = charmap.charmap()
    monkeypatch.undo()
    assert {category: [list(pair) for pair in pairs] for category, pairs in loaded.items()} == dict(
        table(bundled_charmap(VERSION).read_bytes())
    )


def test_a_table_already_there_is_left_alone(cache):
    seed_unicode_tables()
    written = cache / "unicode_data" / VERSION / CHARMAP
    written.write_bytes(b"Hypothesis' own")
    seed_unicode_tables()
    assert written.read_bytes() == b"Hypothesis' own"


@pytest.mark.parametrize("linked", ["unicode_data", f"unicode_data/{VERSION}", f"unicode_data/{VERSION}/{CHARMAP}"])
def test_nothing_is_written_through_a_link(cache, tmp_path, linked):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (cache / linked).parent.mkdir(mode=0o700, parents=True)
    (cache / linked).symlink_to(elsewhere / "target" if linked.endswith(CHARMAP) else elsewhere)
    seed_unicode_tables()
    assert os.listdir(elsewhere) == [] and (cache / linked).is_symlink()


@pytest.mark.parametrize("version", ["0.0.0", "../14.0.0", ""])
def test_a_unicode_version_without_a_table_copies_nothing(cache, version):
    assert bundled_charmap(version) is None
    seed_unicode_tables(version)
    assert not cache.exists()
