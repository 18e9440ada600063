"""tools/drift.py (`make drift`): how two runs of the same seed, locked and newest, are compared."""

import importlib.util

from conformance.contract.spec import data_dir

spec = importlib.util.spec_from_file_location("drift", data_dir("schemas").parent / "tools" / "drift.py")
drift = importlib.util.module_from_spec(spec)
spec.loader.exec_module(drift)


def summary(**rows) -> dict:
    def row(rid, status, *sigs):
        failures = [
            {"evidence": {"signature": {"check": c, "status": s, "code": k, "message": m}}} for c, s, k, m in sigs
        ]
        return {"id": rid, "status": status, "failures": failures}

    return {"requirements": [row(rid.replace("_", "-"), *value) for rid, value in rows.items()]}


def test_moved_outcomes_and_signatures_are_named_and_nothing_else():
    a = ("error_with_code", 500, None, "1e441cd3")
    b = ("error_with_code", 404, None, "f40dad1f")
    locked = summary(PROTO_02=("failed", a), ERR_02=("passed",), SHAPE_01=("passed",), PAG_02=("failed", a))
    newest = summary(PROTO_02=("failed", b), ERR_02=("failed", b), SHAPE_01=("passed",), PAG_02=("failed", a))
    assert drift.outcome_changes(locked, newest) == [
        "PROTO-02: failed otherwise: error_with_code: HTTP 500 #1e441cd3 -> error_with_code: HTTP 404 #f40dad1f",
        "ERR-02: passed -> failed (error_with_code: HTTP 404 #f40dad1f)",
    ]
    assert drift.outcome_changes(locked, locked) == []


def test_package_changes_list_versions_that_differ_but_not_the_project_itself():
    assert drift.package_changes(
        {"moto": "5.2.6", "iam-conformance": "0.3.0", "six": "1.17.0"},
        {"moto": "5.2.7", "iam-conformance": "0.3.0", "six": "1.17.0", "new": "1"},
    ) == ["moto: 5.2.6 -> 5.2.7", "new: absent -> 1"]
