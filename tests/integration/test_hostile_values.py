"""What a target hands out costs a bounded amount: secrets of a million characters, error bodies full of elements no
schema names, Markers of 900,000 characters. Each run, with the --deadline 30 these were measured with, ends within
its bound, under 500 MB, with a report folder under 8 MiB, and keeps of each value a prefix, a length and a hash."""

from __future__ import annotations

import json
import random
import string

from support.cli import GRACE_S, assert_bounded_and_clean, run_against
from support.hostile_iam import GivesMarkers, IssuesSecrets, UnknownElementsInErrors

from conformance.contract.schemas import MAX_NOTES
from conformance.protocol.wire import MAX_ELEMENTS
from conformance.reference import ReferenceServer
from conformance.reports.budget import REPORT_FOLDER_BYTES
from conformance.safety.redaction import PIECE

DEADLINE_S = 30
WITHIN_S = DEADLINE_S + GRACE_S


def outputs(done, report_dir) -> list[str]:
    files = [p.read_text(errors="replace") for p in report_dir.rglob("*") if p.is_file()]
    return [done.stdout, done.stderr, *files]


def folder_bytes(report_dir) -> int:
    return sum(p.stat().st_size for p in report_dir.rglob("*") if p.is_file())


def run_on(app, root_credentials_env, tmp_path, *extra: str):
    with ReferenceServer(app=app) as server:
        return run_against(
            server.url, root_credentials_env, tmp_path, *extra, deadline_s=DEADLINE_S, timeout=WITHIN_S + GRACE_S
        )


def test_secret_keys_of_a_million_characters_are_refused_in_bounded_time_and_memory(root_credentials_env, tmp_path):
    rng = random.Random(7)
    secrets = ["".join(rng.choices(string.ascii_letters + string.digits, k=1_000_000)) for _ in range(8)]
    app = IssuesSecrets(secrets)
    done = run_on(app, root_credentials_env, tmp_path, "--allure")
    assert_bounded_and_clean(done, WITHIN_S)  # 83 s and 611-908 MB before
    assert app.issued and done.code == 2 and "a secret key of 1000000 characters" in done.stdout
    shown = outputs(done, tmp_path / "reports")
    for secret in app.issued:
        assert not any(secret[i : i + PIECE] in text for i in range(0, 4096, 97) for text in shown)


def test_error_bodies_full_of_unknown_elements_are_read_with_a_few_noted_and_the_rest_counted(
    root_credentials_env, tmp_path
):
    done = run_on(UnknownElementsInErrors(20_000), root_credentials_env, tmp_path)
    # conformant (exit 0 is right: unknown elements are no deviation), within the bounds
    assert done.code == 0 and done.seconds < WITHIN_S and done.peak_rss_mb < 500, done.output[-2000:]
    notes = [
        n for r in json.loads((tmp_path / "reports" / "summary.json").read_text())["requirements"] for n in r["notes"]
    ]
    assert f"{20_000 - MAX_NOTES} more unknown elements (only the first {MAX_NOTES} are named)" in notes
    assert len(notes) < 40


def test_error_bodies_of_more_elements_than_any_answer_has_are_not_parsed(root_credentials_env, tmp_path):
    done = run_on(UnknownElementsInErrors(140_000), root_credentials_env, tmp_path)  # still running at 100 s before
    assert_bounded_and_clean(done, WITHIN_S)
    assert f"more than the {MAX_ELEMENTS} of any IAM answer; not parsed" in done.stdout


def test_markers_of_900000_characters_keep_the_report_folder_small(root_credentials_env, tmp_path):
    done = run_on(GivesMarkers("M" * 900_000), root_credentials_env, tmp_path, "--allure")
    assert_bounded_and_clean(done, WITHIN_S)
    assert folder_bytes(tmp_path / "reports") < REPORT_FOLDER_BYTES  # 31 MiB before
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text())
    markers = [
        f["evidence"]["request"]["params"]["Marker"]
        for r in summary["requirements"]
        for f in r["failures"]
        if f["evidence"].get("request", {}).get("params", {}).get("Marker", "").startswith("MMMM")
    ]
    assert markers and all(m.endswith(", sha256 7bf880a2d4f0fdd4)") and len(m) < 400 for m in markers), markers
