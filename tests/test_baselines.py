"""Bundled baselines by name (`--baseline moto`), paths as before, and `iam-conformance baselines`."""
import json
import subprocess
import sys

import pytest

from conformance import baseline
from conformance.spec import data_dir


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "conformance.cli", *args], capture_output=True, text=True,
                          timeout=60, cwd=cwd)


def test_every_bundled_file_is_a_name_and_loads():
    shipped = baseline.bundled()
    assert set(shipped) == {p.stem for p in data_dir("baselines").glob("*.json")} >= {"moto", "localstack-2026.3.0"}
    for name, file in shipped.items():
        loaded = baseline.load(name)
        assert loaded.name == name and loaded.label == name and loaded.path == str(file)
        assert loaded.expected_failures == json.loads(file.read_text())["expected_failures"]


def test_a_path_still_works_and_is_labelled_by_the_path(tmp_path):
    own = tmp_path / "mine.json"
    own.write_text(json.dumps({"target": "mine", "expected_failures": {"PAG-02": "ignored MaxItems"}}))
    loaded = baseline.load(str(own))
    assert loaded.name is None and loaded.label == str(own) and loaded.expected_failures == {"PAG-02": "ignored MaxItems"}
    assert baseline.argument(str(own)) == str(own.resolve())


def test_a_file_in_the_working_folder_wins_over_a_bundled_name(tmp_path, monkeypatch):
    (tmp_path / "moto").write_text(json.dumps({"target": "my moto fork", "expected_failures": {}}))
    monkeypatch.chdir(tmp_path)
    loaded = baseline.load("moto")
    assert loaded.name is None and loaded.target == "my moto fork"


@pytest.mark.parametrize("value, says", [
    ("motto", "unknown baseline 'motto': neither a file nor a bundled name (localstack-2026.3.0, moto)"),
    ("baselines/motto.json", "cannot read baseline baselines/motto.json: no such file (bundled baselines, by name:"),
])
def test_an_unknown_name_or_missing_file_lists_the_bundled_names(tmp_path, value, says):
    with pytest.raises(baseline.BaselineError) as raised:
        baseline.load(value)
    assert says in str(raised.value)
    done = cli("run", "--baseline", value, "--report-dir", str(tmp_path / "reports"), cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1 and says in done.stderr
    assert not (tmp_path / "reports").exists()  # refused before the run started


def test_the_baselines_command_lists_name_entries_and_target():
    done = cli("baselines")
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines()}
    assert set(lines) == set(baseline.bundled())
    moto = baseline.load("moto")
    assert f"{len(moto.expected_failures)} entries" in lines["moto"] and moto.target in lines["moto"]


def test_run_settings_keep_a_name_as_a_name_and_make_a_path_absolute(tmp_path, monkeypatch):
    from conformance import options
    from conformance.cli import build_parser
    from conformance.settings import resolve

    monkeypatch.chdir(data_dir("baselines"))
    for value, expected in (("moto", "moto"), ("moto.json", str(data_dir("baselines") / "moto.json"))):
        args = build_parser().parse_args(["run", "--baseline", value, "--endpoint-url", "http://127.0.0.1:1/"])
        values = {option.dest: getattr(args, option.dest) for option in options.OPTIONS}
        assert resolve(values, seed=1, in_ci=False).baseline == expected
