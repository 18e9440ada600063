"""The HTML templates compiled ahead of time: the shipped modules are what jinja2 compiles from today's templates, and
a page renders from them without compiling anything, the same as from templates compiled from their sources."""

import os

import jinja2
from support.run_summaries import summary, write

from conformance.reports import precompiled
from conformance.reports.html import compare_page, template
from conformance.results.compare import Comparison, compare
from conformance.results.summary_file import load

REGENERATE = "run `python tools/report_templates.py` and commit conformance/reports/templates/compiled/"


def comparison(tmp_path) -> Comparison:
    old = load(write(tmp_path / "old", summary({"PAG-02": "passed", "SHAPE-01": "passed"})))
    new = load(write(tmp_path / "new", summary({"PAG-02": "failed", "SHAPE-01": "passed"})))
    return compare(old, new)


def test_the_shipped_modules_are_what_jinja_compiles_from_todays_templates():
    names = [name for name in os.listdir(precompiled.COMPILED) if name.endswith(".py")]
    shipped = {name: (precompiled.COMPILED / name).read_text("utf-8") for name in names}
    built = precompiled.compiled_modules()
    assert sorted(shipped) == sorted(built), f"the compiled templates are not today's templates: {REGENERATE}"
    changed = [name for name in built if shipped[name] != built[name]]
    assert changed == [], f"jinja2 compiles these differently now: {REGENERATE}"


def test_pages_render_from_the_modules_without_compiling_and_the_same_as_compiled_now(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with monkeypatch.context() as patched:
        patched.setattr(precompiled, "COMPILED", tmp_path / "none")
        compiled_now = compare_page(comparison(tmp_path))
    names = [name for name in precompiled.Precompiled().list_templates() if name.endswith(".j2")]

    def not_compiled(*args, **kwargs):
        raise AssertionError(f"a template was compiled instead of loaded from its module: {REGENERATE}")

    monkeypatch.setattr(jinja2.Environment, "compile", not_compiled)
    assert compare_page(comparison(tmp_path)) == compiled_now and "PAG-02" in compiled_now
    assert [template(name).name for name in names] == names and "report.html.j2" in names


def test_a_template_edited_since_it_was_compiled_is_compiled_from_its_source(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(precompiled, "module_file", lambda name, source: "tmpl_edited_since.py")
    assert "PAG-02" in compare_page(comparison(tmp_path))
    assert os.listdir(tmp_path / "cache" / "iam-conformance" / "templates")  # compiled, its bytecode cached
