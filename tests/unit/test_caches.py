"""The user's cache folder: used only when it is safely the user's own; compiled templates reused, never required."""

import os

from support.run_summaries import summary, write

from conformance.config import caches
from conformance.reports.html import compare_page as render_html
from conformance.results.compare import compare
from conformance.results.summary_file import load


def comparison_page(tmp_path) -> str:
    old = load(write(tmp_path / "old", summary({"PAG-02": "passed", "SHAPE-01": "passed"})))
    new = load(write(tmp_path / "new", summary({"PAG-02": "failed", "SHAPE-01": "passed"})))
    return render_html(compare(old, new))


def test_templates_compile_once_into_a_private_folder_and_render_the_same_from_it(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr("conformance.reports.precompiled.COMPILED", tmp_path / "none")  # templates edited since
    first = comparison_page(tmp_path)
    folder = tmp_path / "cache" / "iam-conformance" / "templates"
    written = {name: os.stat(folder / name).st_mtime_ns for name in os.listdir(folder)}
    assert written and os.stat(folder).st_mode & 0o777 == 0o700
    assert comparison_page(tmp_path) == first and "PAG-02" in first
    assert {name: os.stat(folder / name).st_mtime_ns for name in os.listdir(folder)} == written  # read, not rewritten


def test_a_folder_others_may_write_into_or_a_link_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    shared = tmp_path / "iam-conformance" / "templates"
    shared.mkdir(parents=True)
    shared.chmod(0o777)
    assert caches.private_dir("templates") is None and caches.template_bytecode() is None
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (tmp_path / "iam-conformance" / "linked").symlink_to(elsewhere)
    assert caches.private_dir("linked") is None
    assert caches.private_dir("fine") == tmp_path / "iam-conformance" / "fine"


def test_a_cache_that_cannot_be_written_costs_no_report(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    bytecode = caches.template_bytecode()
    os.rmdir(tmp_path / "cache" / "iam-conformance" / "templates")  # gone when the compiled template is written
    monkeypatch.setattr("conformance.reports.html.template_bytecode", lambda: bytecode)
    assert "PAG-02" in comparison_page(tmp_path)


def test_without_a_home_nothing_is_cached_in_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(caches.Path, "home", classmethod(lambda cls: caches.Path("~")))
    monkeypatch.chdir(tmp_path)
    assert caches.private_dir("templates") is None and os.listdir(tmp_path) == []
