"""The HTML templates compiled ahead of time: jinja2 turns each template into a Python module
(Environment.compile_templates, tools/report_templates.py writes them to templates/compiled/), which installs byte-
compiled like the package's own modules, so a run with an empty cache (a CI runner's) compiles no template.

A module is named after its template's source, the options it was compiled with and the jinja2 version: a template
edited since the tool last ran, or another jinja2, finds no module and is compiled as before (its bytecode cached in
the user's cache folder); tests/unit/test_report_templates.py says when the modules need regenerating."""

from __future__ import annotations

import hashlib
import importlib.util
import tempfile
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import jinja2

COMPILED = Path(__file__).resolve().parent / "templates" / "compiled"
# How every template is read (compiled code depends on these): HTML-escaped everywhere, as summaries quote targets
OPTIONS: dict[str, Any] = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True}
HEADER = "# Compiled by jinja2 {version} from conformance/reports/templates/{name} (tools/report_templates.py).\n"
HEADER += "# mypy: ignore-errors\n"


def module_file(name: str, source: str) -> str:
    """The compiled module of template `name` as its source is now."""
    key = "\0".join([jinja2.__version__, repr(sorted(OPTIONS.items())), name, source])
    return f"tmpl_{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}.py"


class Precompiled(jinja2.PackageLoader):
    """The package's templates: each from its compiled module when there is one for its source, else compiled."""

    def __init__(self) -> None:
        super().__init__("conformance.reports", "templates")

    def load(
        self, environment: jinja2.Environment, name: str, globals: MutableMapping[str, Any] | None = None
    ) -> jinja2.Template:
        source, _, _ = self.get_source(environment, name)
        path = COMPILED / module_file(name, source)
        spec = importlib.util.spec_from_file_location(f"_iam_conformance_template_{path.stem}", path)
        if spec is None or spec.loader is None or not path.is_file():
            return super().load(environment, name, globals)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # its byte-compiled form, when pip (or an earlier load) wrote one
        return environment.template_class.from_module_dict(environment, module.__dict__, globals or {})


def compiled_modules() -> dict[str, str]:
    """Every template's compiled module (file name: text), as jinja2 compiles them from today's sources."""
    environment = jinja2.Environment(loader=jinja2.PackageLoader("conformance.reports", "templates"), **OPTIONS)
    modules = {}
    with tempfile.TemporaryDirectory() as folder:
        environment.compile_templates(folder, extensions=["j2"], zip=None, ignore_errors=False)
        for name in environment.list_templates(extensions=["j2"]):
            source, _, _ = environment.loader.get_source(environment, name)  # type: ignore[union-attr]
            code = (Path(folder) / jinja2.ModuleLoader.get_module_filename(name)).read_text("utf-8")
            modules[module_file(name, source)] = HEADER.format(version=jinja2.__version__, name=name) + code
    return modules
