"""The architecture as tests: every module has its place in the import contract, and every conformance test judges
through its judge (a check called directly would be a verdict nobody counts)."""

import ast
import pkgutil
import tomllib
from pathlib import Path

import conformance
import conformance.suite
from conformance.checks import load_all

ROOT = Path(__file__).resolve().parents[2]


def contract_layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    return [name.strip() for layer in layers for name in layer.replace(":", "|").split("|")]


def test_every_module_of_the_package_has_a_layer():
    named = set(contract_layers())
    modules = {f"conformance.{m.name}" for m in pkgutil.iter_modules(conformance.__path__)}
    assert modules - named == set(), "add the new module to [tool.importlinter] layers in pyproject.toml"


def suite_tests():
    for module in pkgutil.iter_modules(conformance.suite.__path__):
        if not module.name.startswith("test_"):
            continue
        path = Path(conformance.suite.__path__[0]) / f"{module.name}.py"
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                yield module.name, node


def test_every_conformance_test_judges_through_its_judge():
    checks = set(load_all())
    for module, test in suite_tests():
        assert "judge" in [a.arg for a in test.args.args], f"{module}.{test.name} does not take the judge fixture"
        direct = [
            n.func.id
            for n in ast.walk(test)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in checks
        ]
        assert direct == [], f"{module}.{test.name} calls {direct} directly: call them through judge(...)"
    assert sum(1 for _ in suite_tests()) >= 30
