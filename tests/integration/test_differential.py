"""`run --record DIR` and `iam-conformance diff`: the reference held to its own recording, every conformant variant
held to the shipped recording (behaviour differences only, each named), faulty targets (every deviation the run
finds is a contract difference too), bad input, interruption, secrets and hostile text. The CLI runs in
subprocesses against reference servers on loopback.

Where seeds matter: a recording's requests are drawn by its run's seed, so the reference is recorded and diffed on 5
seeds; the replay itself draws nothing (it sends what the recording holds), so one replay per recording says it all.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance.contract.spec import data_dir
from conformance.reference import ROOT_SECRET_KEY, Flavour, IamError, ReferenceApp, ReferenceServer
from conformance.selftest.faults import by_name
from conformance.selftest.variants import variants

SHIPPED = data_dir("fixtures") / "recordings" / "reference-standard"
PIECE = 16


def cli(*args: object, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | env
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=full,
        timeout=timeout,
    )


def record(url: str, folder: Path, env: dict[str, str], *extra: object) -> subprocess.CompletedProcess[str]:
    done = cli(
        "run", "--endpoint-url", url, "--report-dir", folder / "run", "--record", folder / "rec", *extra, env=env
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


def diff(url: str, recording: Path | str, out: Path, env: dict[str, str], *extra: object):
    done = cli("diff", "--recording", recording, "--endpoint-url", url, "--report-dir", out, *extra, env=env)
    found = json.loads((out / "diff.json").read_text(encoding="utf-8")) if (out / "diff.json").exists() else None
    return done, found


def named(found: dict) -> list[tuple[str, str, str, str]]:
    """Every behaviour difference: (aspect, where, recorded, new)."""
    return [
        (d["aspect"], d["where"], d["recorded"], d["new"])
        for request in found["differences"]
        if request["class"] == "behaviour"
        for d in request["differences"]
    ]


def contract_requirements(found: dict) -> set[str]:
    return {f["requirement"] for request in found["differences"] for f in request["findings"]}


def suite_users(server: ReferenceServer) -> list[str]:
    return [user.name for user in server.store.list_users("/iam-conformance/")]


# -- the reference, held to its own recording ------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_reference_diffed_against_its_own_recording_shows_no_difference(seed, root_credentials_env, tmp_path):
    with ReferenceServer() as server:
        record(server.url, tmp_path, root_credentials_env, "--seed", seed)
        done, found = diff(server.url, tmp_path / "rec", tmp_path / "diff", root_credentials_env)
        left = suite_users(server)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    manifest = json.loads((tmp_path / "rec" / "manifest.json").read_text())
    assert manifest["seed"] == seed and manifest["profile"] == "standard" and manifest["complete"]
    assert found["counts"]["contract"] == 0 and found["counts"]["behaviour"] == 0, named(found)[:5]
    assert found["requests_replayed"] == manifest["exchanges"] > 200
    assert found["judgments_judged"] == manifest["judgments"] > 300 and found["not_judged"] == []
    assert found["cleanup_problems"] == [] and left == []  # the replay's users are gone too
    assert done.stdout.splitlines()[-1].startswith("diff: 0 contract, 0 behaviour")


def test_the_shipped_recording_replays_on_the_reference_with_no_difference(root_credentials_env, tmp_path):
    with ReferenceServer() as server:
        done, found = diff(server.url, "reference-standard", tmp_path / "diff", root_credentials_env)
    assert done.returncode == 0, done.stdout[-3000:]
    assert found["recording"]["profile"] == "standard" and found["recording"]["folder"] == "reference-standard"
    assert found["counts"] == {"contract": 0, "behaviour": 0, "noise": found["requests_replayed"]}
    assert found["not_judged"] == [] and found["judgments_judged"] == found["recording"]["judgments"]


def test_a_run_with_workers_records_what_each_process_sent(root_credentials_env, tmp_path):
    with ReferenceServer() as server:
        record(server.url, tmp_path, root_credentials_env, "--profile", "quick", "--seed", "9", "-n", "2")
        done, found = diff(server.url, tmp_path / "rec", tmp_path / "diff", root_credentials_env)
    written = (tmp_path / "rec" / "exchanges.jsonl").read_text(encoding="utf-8")
    steps = [json.loads(line) for line in written.removesuffix("\n").split("\n")]  # "\n" only: values hold U+2028
    assert steps[0]["test"] is None and "-owner-" in steps[0]["request"]["params"]["UserName"]  # the shared users
    assert {s["test"].split("::")[0] for s in steps if s["test"]} >= {"test_shape.py", "test_auth.py"}
    assert done.returncode == 0 and found["counts"]["behaviour"] == 0, named(found)[:5]


# -- conformant variants: behaviour differences only, each named ------------------------------------------------------
EXPECTED_ASPECTS = {
    "page_sample": set(),  # the reference's own style: nothing differs
    "reordered_prefixed": {
        "element order",
        "namespace prefix",
        "XML declaration",
        "element set",
        "namespace",
        "status",
    },
    # one certificate per page: newest first shows as which certificate a page holds, not as an order
    "short_pages_exotic_markers": {"IsTruncated", "Marker", "pages", "element set", "value"},
    "future_fields": {"element set"},
    "everything_at_once": {"element order", "namespace prefix", "XML declaration", "IsTruncated", "Marker", "pages"},
}


@pytest.mark.parametrize("variant", variants(), ids=lambda v: v.name)
def test_a_conformant_variant_shows_behaviour_differences_only_each_named(variant, root_credentials_env, tmp_path):
    with ReferenceServer(app=variant.build()) as server:
        done, found = diff(server.url, SHIPPED, tmp_path / "diff", root_credentials_env)
        strict, _ = diff(server.url, SHIPPED, tmp_path / "strict", root_credentials_env, "--strict")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]
    assert found["counts"]["contract"] == 0 and found["not_judged"] == []
    differences = named(found)
    assert {aspect for aspect, *_ in differences} >= EXPECTED_ASPECTS.get(variant.name, set())
    assert all(aspect and recorded != new for aspect, _, recorded, new in differences)  # both answers, each named
    lines = [line for line in done.stdout.splitlines() if line.startswith("behaviour ")]
    assert len(lines) == min(len(found["behaviour_by_key"]), 25)
    assert strict.returncode == (1 if differences else 0), strict.stdout[-2000:]


def test_an_allowlist_written_from_one_diff_lets_strict_pass_on_the_next(root_credentials_env, tmp_path):
    app = next(v for v in variants() if v.name == "everything_at_once").build()
    allow = tmp_path / "allow.json"
    with ReferenceServer(app=app) as server:
        done, _ = diff(server.url, SHIPPED, tmp_path / "one", root_credentials_env, "--write-allowlist", allow)
        strict, found = diff(
            server.url, SHIPPED, tmp_path / "two", root_credentials_env, "--strict", "--allowlist", allow
        )
    written = json.loads(allow.read_text())
    assert done.returncode == 0 and written["format"] == "iam-conformance-diff-allowlist" and written["allowed"]
    assert strict.returncode == 0, strict.stdout[-2000:]
    assert found["behaviour_by_key"] and all(group["allowed"] for group in found["behaviour_by_key"])


def test_moto_held_to_the_reference_recording_deviates_only_as_its_baseline_says(tmp_path):
    """The embedded moto (no --endpoint-url): the requirements it fails are contract differences, every one of them
    known to its bundled baseline, as `make run` finds them; so the diff passes with --baseline moto."""
    out = tmp_path / "diff"
    done = cli("diff", "--recording", "reference-standard", "--baseline", "moto", "--report-dir", out, env={})
    found = json.loads((out / "diff.json").read_text())
    findings = [f for request in found["differences"] for f in request["findings"]]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert found["target"].startswith("embedded moto") and found["baseline"].startswith("moto-")
    assert findings and all(f["known"] for f in findings) and {f["requirement"] for f in findings} >= {"PAG-02"}
    assert found["counts"]["behaviour"] > 0 and "known)" in done.stdout.splitlines()[-1]


# -- faulty targets: every deviation the run finds is a contract difference -----------------------------------------
FAULTS = [
    "upload_date_epoch_seconds",  # shape
    "success_request_id_constant",  # shape
    "max_items_ignored",  # pagination
    "truncated_page_without_marker",  # pagination
    "not_found_message_generic",  # errors
    "error_request_id_constant",  # errors
    "max_items_1000_refused",  # parameters
    "wrong_secret_invalid_client_token",  # auth
]


@pytest.mark.parametrize("name", FAULTS)
def test_every_deviation_the_run_finds_on_a_faulty_target_is_a_contract_difference(
    name, root_credentials_env, tmp_path
):
    fault = by_name(name)
    manifest = json.loads((SHIPPED / "manifest.json").read_text())
    with ReferenceServer(app=fault.build()) as server:
        run = cli(
            "run",
            "--endpoint-url",
            server.url,
            "--seed",
            manifest["seed"],
            "--report-dir",
            tmp_path / "run",
            *fault.suite_args,
            env=root_credentials_env,
        )
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    failed = {row["id"] for row in summary["requirements"] if row["status"] == "failed"}
    assert run.returncode == 1 and failed >= fault.expected, (failed, run.stdout[-2000:])
    with ReferenceServer(app=fault.build()) as server:
        done, found = diff(server.url, SHIPPED, tmp_path / "diff", root_credentials_env)
        left = suite_users(server)
    assert done.returncode == 1, done.stdout[-3000:]
    assert contract_requirements(found) >= failed, (sorted(failed - contract_requirements(found)), done.stdout[-3000:])
    assert left == [] and done.stdout.count("\ncontract ") + done.stdout.startswith("contract ") > 0


# -- bad input, real AWS, links: one line, exit 2, nothing made ------------------------------------------------------
def damaged(tmp_path: Path, how: str) -> Path:
    folder = tmp_path / "rec"
    folder.mkdir()
    for path in SHIPPED.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    manifest = json.loads((folder / "manifest.json").read_text())
    if how == "cut":
        text = (folder / "exchanges.jsonl").read_text()
        (folder / "exchanges.jsonl").write_text(text[: len(text) // 2])
    elif how == "version":
        (folder / "manifest.json").write_text(json.dumps({**manifest, "version": 99}))
    elif how == "incomplete":
        reasons = ["interrupted (SIGINT (Ctrl-C))"]
        (folder / "manifest.json").write_text(
            json.dumps({**manifest, "complete": False, "incomplete_reasons": reasons})
        )
    elif how == "not json":
        (folder / "manifest.json").write_text("{\x1b[2J")
    return folder


@pytest.mark.parametrize(
    "how, says",
    [
        ("missing", "is not a folder holding a recording"),
        ("cut", "does not match the SHA-256 its manifest gives"),
        ("version", "recording format version 99, this suite reads version 1"),
        ("incomplete", "records a run that did not finish (interrupted"),
        ("not json", "is not JSON the suite can read"),
    ],
)
def test_a_recording_that_cannot_be_used_is_one_line_and_exit_2(how, says, root_credentials_env, tmp_path):
    folder = tmp_path / "nothing-here" if how == "missing" else damaged(tmp_path, how)
    with ReferenceServer() as server:
        done, found = diff(server.url, folder, tmp_path / "out", root_credentials_env)
        served = server.requests_served
    assert done.returncode == 2 and done.stdout == "" and found is None
    assert done.stderr.count("\n") == 1 and says in done.stderr and "Traceback" not in done.stderr
    assert "\x1b" not in done.stderr and served == 0 and not (tmp_path / "out").exists()


def test_an_unreachable_target_is_one_line_and_exit_2(root_credentials_env, tmp_path):
    with ReferenceServer() as server:
        url = server.url  # stopped on leaving: nothing listens there any more
    done, found = diff(url, SHIPPED, tmp_path / "out", root_credentials_env)
    assert done.returncode == 2 and found is None and f"cannot reach {url}: connection refused" in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_real_aws_is_refused_without_allow_writes(root_credentials_env, tmp_path):
    done, found = diff("https://iam.amazonaws.com/", SHIPPED, tmp_path / "out", root_credentials_env)
    assert done.returncode == 2 and found is None and not (tmp_path / "out").exists()
    assert "is real AWS" in done.stderr and "--allow-writes" in done.stderr and done.stderr.count("\n") == 1


def test_reports_and_recordings_are_never_written_through_a_link(root_credentials_env, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    with ReferenceServer() as server:
        done, _ = diff(server.url, SHIPPED, tmp_path / "link", root_credentials_env)
        run = cli(
            "run",
            "--endpoint-url",
            server.url,
            "--profile",
            "quick",
            "--report-dir",
            tmp_path / "reports",
            "--record",
            tmp_path / "link",
            env=root_credentials_env,
        )
        served = server.requests_served
    assert done.returncode == 2 and "symbolic link" in done.stderr
    assert run.returncode == 2 and "--record" in run.stderr and "symbolic link" in run.stderr
    assert list((tmp_path / "elsewhere").iterdir()) == [] and served == 0


# -- interrupted: what the replay made is swept ---------------------------------------------------------------------
def test_a_diff_stopped_by_sigterm_sweeps_what_it_created_and_exits_2(root_credentials_env, tmp_path):
    with ReferenceServer(latency_s=0.05) as server:
        full = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | root_credentials_env
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "conformance.cli",
                "diff",
                "--recording",
                str(SHIPPED),
                "--endpoint-url",
                server.url,
                "--report-dir",
                str(tmp_path / "out"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=full,
        )
        started = time.monotonic()
        while len(suite_users(server)) < 3 and time.monotonic() - started < 60:
            time.sleep(0.05)
        assert suite_users(server), "the replay created nothing"
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=120)
        left = suite_users(server)
    found = json.loads((tmp_path / "out" / "diff.json").read_text())
    assert process.returncode == 2, stdout[-2000:] + stderr[-2000:]
    assert left == [] and found["cleanup_problems"] == []
    assert found["incomplete_reasons"][0].startswith("interrupted at request #")
    assert "Traceback" not in stdout + stderr and "incomplete: interrupted" in stdout.splitlines()[-1]


# -- secrets and hostile text ---------------------------------------------------------------------------------------
LONG_TOKEN = "IQoJb3JpZ2luX2Vj" + "".join(chr(ord("A") + (i * 5) % 26) for i in range(700))
HOSTILE = '<script>alert("x")</script>\x1b]0;owned\x07\u202e'


class EchoesSecretsAndMarkup(ReferenceApp):
    """Every error repeats the caller's secret, its session token and every secret key issued, and carries markup
    and terminal escapes; so does the x-amzn-RequestId header."""

    issued: list[str] = []

    def action_CreateAccessKey(self, caller, p):
        nodes = super().action_CreateAccessKey(caller, p)
        type(self).issued.extend(k.secret for k in self.store.access_keys.values())
        return nodes

    def handle(self, request, request_id):
        try:
            return super().handle(request, request_id)
        except IamError as error:
            token = request.headers.get("X-Amz-Security-Token", "")
            echoed = f"{error.message} {HOSTILE} {ROOT_SECRET_KEY} {token} {' '.join(self.issued)}"
            raise IamError(error.status, error.code, echoed) from None


def test_no_secret_reaches_a_diffs_outputs_and_hostile_text_is_escaped(root_credentials_env, tmp_path):
    EchoesSecretsAndMarkup.issued = []
    env = root_credentials_env | {"AWS_SESSION_TOKEN": LONG_TOKEN}
    with ReferenceServer(app=EchoesSecretsAndMarkup(Flavour())) as server:
        done, found = diff(server.url, SHIPPED, tmp_path / "out", env)
    secrets = [ROOT_SECRET_KEY, LONG_TOKEN, *EchoesSecretsAndMarkup.issued]
    outputs = [done.stdout, done.stderr, *(p.read_text(errors="replace") for p in (tmp_path / "out").iterdir())]
    assert len(secrets) >= 3 and found is not None and found["counts"]["behaviour"] > 0
    assert any("(redacted)" in output for output in outputs)
    for secret in secrets:
        for start in range(0, len(secret) - PIECE + 1):
            assert not any(secret[start : start + PIECE] in output for output in outputs), "a piece of a secret leaked"
    page = (tmp_path / "out" / "diff.html").read_text()
    assert "&lt;script&gt;" in page and "<script>" not in page and "\x1b" not in page and "\u202e" not in page
    assert "\x1b" not in done.stdout and "\u202e" not in done.stdout
