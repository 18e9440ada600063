"""Baselines: bundled per target version (`moto-5.2.6`), a family name (`--baseline moto`) resolved to the version the
embedded target runs, paths as before, old files still loading, signatures and drift, `iam-conformance baselines`."""

import json
import subprocess
import sys
from importlib.metadata import version

import pytest

from conformance.contract.spec import data_dir
from conformance.results import baselines as baseline
from conformance.results.signatures import Signature, fingerprint

MOTO = ("moto", version("moto"))


def cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *args], capture_output=True, text=True, timeout=60, cwd=cwd
    )


def test_every_bundled_file_is_a_versioned_name_and_loads_with_its_target():
    shipped = baseline.bundled()
    assert (
        set(shipped) == {p.stem for p in data_dir("baselines").glob("*.json")} >= {"moto-5.2.6", "localstack-2026.3.0"}
    )
    for name, file in shipped.items():
        loaded = baseline.load(name)
        raw = json.loads(file.read_text())
        assert loaded.name == name and loaded.label == name and loaded.path == str(file)
        assert raw["format"] == 2 and name == f"{raw['target']['name']}-{raw['target']['version']}"
        assert (loaded.target_name, loaded.target_version) == (raw["target"]["name"], raw["target"]["version"])
        assert loaded.expected_failures == {k: v["reason"] for k, v in raw["expected_failures"].items()}
        assert all(reason.strip() for reason in loaded.expected_failures.values())


def test_every_bundled_moto_entry_records_its_signatures():
    for name in baseline.family_versions("moto").values():
        loaded = baseline.load(name)
        assert set(loaded.signatures) == set(loaded.expected_failures), name
        assert all(loaded.signatures.values()), name


def test_a_family_name_means_the_embedded_targets_version_or_says_which_is_nearest():
    assert baseline.load("moto", MOTO).name == f"moto-{MOTO[1]}"
    with pytest.raises(baseline.BaselineError) as raised:
        baseline.load("moto", ("moto", "5.2.99"))
    assert str(raised.value) == (
        "no bundled baseline for moto 5.2.99; the nearest is moto-5.2.6 (--baseline "
        "moto-5.2.6 uses it, though it may no longer describe 5.2.99)"
    )
    with pytest.raises(baseline.BaselineError) as raised:
        baseline.load("moto", ("moto", "4.0.0"))
    assert "the nearest is moto-5.2.5" in str(raised.value)  # nothing older: the oldest after it
    with pytest.raises(baseline.BaselineError) as raised:
        baseline.load("moto", None)  # a target the suite did not start: its version is unknown
    assert "name the baseline with its version: moto-5.2.5, moto-5.2.6" in str(raised.value)


def test_the_cli_refuses_a_family_name_for_an_endpoint_in_one_line(tmp_path):
    done = cli(
        "run",
        "--baseline",
        "moto",
        "--endpoint-url",
        "http://127.0.0.1:9/",
        "--report-dir",
        str(tmp_path / "r"),
        cwd=tmp_path,
    )
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1
    assert "name the baseline with its version" in done.stderr


def test_a_path_still_works_and_is_labelled_by_the_path(tmp_path):
    own = tmp_path / "mine.json"
    own.write_text(json.dumps({"target": "mine", "expected_failures": {"PAG-02": "ignored MaxItems"}}))
    loaded = baseline.load(str(own))
    assert (
        loaded.name is None and loaded.label == str(own) and loaded.expected_failures == {"PAG-02": "ignored MaxItems"}
    )
    assert loaded.signatures == {} and loaded.target == "mine"  # format 1: no signatures, nothing can drift
    assert baseline.argument(str(own)) == str(own.resolve())


def test_a_file_in_the_working_folder_wins_over_a_bundled_name(tmp_path, monkeypatch):
    (tmp_path / "moto").write_text(json.dumps({"target": "my moto fork", "expected_failures": {}}))
    monkeypatch.chdir(tmp_path)
    loaded = baseline.load("moto", MOTO)
    assert loaded.name is None and loaded.target == "my moto fork"


@pytest.mark.parametrize(
    "value, says",
    [
        (
            "motto",
            "unknown baseline 'motto': neither a file nor a bundled name (localstack-2026.3.0, moto-5.2.5, moto-5.2.6)",
        ),
        (
            "baselines/motto.json",
            "cannot read baseline baselines/motto.json: no such file (bundled baselines, by name:",
        ),
    ],
)
def test_an_unknown_name_or_missing_file_lists_the_bundled_names(tmp_path, value, says):
    with pytest.raises(baseline.BaselineError) as raised:
        baseline.load(value)
    assert says in str(raised.value)
    done = cli("run", "--baseline", value, "--report-dir", str(tmp_path / "reports"), cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1 and says in done.stderr
    assert not (tmp_path / "reports").exists()  # refused before the run started


@pytest.mark.parametrize(
    "content, says",
    [
        ("[" * 200_000 + "]" * 200_000, "nests deeper than"),
        ('{"target": "x", "expected_failures": {"PAG-02": "why"}, "n": ' + "9" * 5000 + "}", "a number of 5000"),
        ('{"target": NaN, "expected_failures": {}}', "NaN is not JSON"),
        ("\xff\xfe", "not UTF-8"),
        ("[]", "needs an object with an 'expected_failures' object"),
    ],
)
def test_a_crafted_baseline_is_one_line_and_exit_2(tmp_path, content, says):
    crafted = tmp_path / "crafted.json"
    crafted.write_bytes(content.encode("latin-1"))
    done = cli("run", "--baseline", str(crafted), "--report-dir", str(tmp_path / "reports"), cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1, done.stderr[-500:]
    assert says in done.stderr and "Traceback" not in done.stderr


def test_the_baselines_command_lists_name_entries_and_target():
    done = cli("baselines")
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines()}
    assert set(lines) == set(baseline.bundled())
    moto = baseline.load("moto-5.2.6")
    assert f"{len(moto.expected_failures)} entries" in lines["moto-5.2.6"] and moto.target in lines["moto-5.2.6"]


def test_run_settings_resolve_a_family_to_its_version_and_make_a_path_absolute(tmp_path, monkeypatch):
    from conformance.cli import build_parser
    from conformance.config import options
    from conformance.run.start import resolve

    monkeypatch.chdir(data_dir("baselines"))
    for value, endpoint, expected in (
        ("moto", [], f"moto-{MOTO[1]}"),
        ("moto-5.2.5", ["--endpoint-url", "http://127.0.0.1:1/"], "moto-5.2.5"),
        ("moto-5.2.5.json", ["--endpoint-url", "http://127.0.0.1:1/"], str(data_dir("baselines") / "moto-5.2.5.json")),
    ):
        args = build_parser().parse_args(["run", "--baseline", value, *endpoint])
        values = {option.dest: getattr(args, option.dest) for option in options.OPTIONS}
        assert resolve(values, seed=1, in_ci=False).baseline == expected


SIGNATURE = Signature("error_with_code", 404, None, fingerprint(""))
OTHER = Signature("error_with_code", 500, None, fingerprint("an HTML page, not XML"))


def test_a_known_deviation_failing_otherwise_than_recorded_is_drift_and_fails_only_a_strict_gate():
    recorded = baseline.Baseline(
        "b.json", "t", {"PROTO-02": "why", "PAG-02": "why"}, signatures={"PROTO-02": frozenset({SIGNATURE})}
    )
    statuses = {"PROTO-02": "failed", "PAG-02": "failed"}
    same = baseline.gate(statuses, recorded, seen={"PROTO-02": {SIGNATURE}, "PAG-02": {OTHER}})
    assert same.drift == [] and same.exit_code == 0  # PAG-02 has no signatures recorded: it cannot drift
    moved = baseline.gate(statuses, recorded, seen={"PROTO-02": {OTHER}})
    assert [d.id for d in moved.drift] == ["PROTO-02"] and moved.drift[0].seen == (OTHER,)
    assert moved.exit_code == 0 and moved.known == ["PAG-02", "PROTO-02"]
    assert baseline.gate(statuses, recorded, strict=True, seen={"PROTO-02": {OTHER}}).exit_code == 1


def test_a_written_baseline_round_trips_with_target_and_signatures(tmp_path):
    path = tmp_path / "written.json"
    baseline.write(str(path), ("moto", "5.2.6", "embedded moto 5.2.6"), {"PROTO-02": ("why", [OTHER, SIGNATURE])})
    loaded = baseline.load(str(path))
    assert (loaded.target_name, loaded.target_version, loaded.target) == ("moto", "5.2.6", "embedded moto 5.2.6")
    assert loaded.expected_failures == {"PROTO-02": "why"}
    assert loaded.signatures == {"PROTO-02": frozenset({OTHER, SIGNATURE})}


def test_a_baseline_is_never_written_through_a_link(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    (tmp_path / "link.json").symlink_to(victim)
    from conformance.safety.files import ReportDirError

    with pytest.raises(ReportDirError):
        baseline.write(str(tmp_path / "link.json"), (None, None, "t"), {})
    assert victim.read_text() == "keep me"


def test_fingerprints_ignore_what_the_request_echoes_and_the_runs_names():
    one = fingerprint("The user with name ic-0123abcd-gw-absent cannot be found.", ["ic-0123abcd-gw-absent"])
    two = fingerprint("The user with name xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx cannot be found.", ["x" * 35])
    three = fingerprint("The user with name ic-99999999-gw0-absent cannot be found.")
    assert one == two == three and len(one) == 8
    assert fingerprint("Invalid Marker.") != one
