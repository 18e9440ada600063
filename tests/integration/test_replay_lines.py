"""Every replay line in every report parses as exactly one curl command under bash and, pasted with a stub curl, runs
nothing else: whatever a target puts in a Marker and whatever it hands out as a secret, learned before the line is
built or after (by the process that reports, which redacts everything once more)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.hostile_iam import SHELL_PAYLOAD, GivesMarkers, quoting_pieces
from support.replay import Bash, replay_lines

from conformance.checks.failures import StatusDeviation
from conformance.protocol.client import UNKNOWN_KEY, WRONG_SECRET
from conformance.protocol.wire import Exchange, SentRequest
from conformance.reference import Flavour, ReferenceServer
from conformance.results import evidence
from conformance.results.replay import replay_line
from conformance.safety.bounds import bounded
from conformance.safety.redaction import MIN_SECRET, Redactor
from conformance.safety.terminal import neutralise

FRAGMENTS = [
    "'",
    '"',
    "\\",
    "$(touch pwned)",
    "`touch pwned`",
    "$HOME",
    "${IFS}",
    "\n",
    "\r",
    ";",
    "&&",
    "|",
    "#",
    "*",
    "~",
    "!",
    "{a,b}",
    "'\"'\"'",
    "\x1b[2J",
    "\u202e",
    "\x00",
    "Authorization: AWS4-HMAC-SHA256 Credential=x",
    "X-Amz-Security-Token=abc",
    "<SecretAccessKey>k</SecretAccessKey>",
    "$AWS_SECRET_ACCESS_KEY",
]
adversarial = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), min_size=1, max_size=8).map("".join)
signers = st.sampled_from(
    ["caller", "unsigned", WRONG_SECRET, f"{UNKNOWN_KEY} AKIAABCDEFGHIJKLMNOP", "access key of ic-1-gw0-a"]
)


@st.composite
def secrets_over(draw: st.DrawFn, line: str) -> list[str]:
    """Secrets a target could hand out: pieces of `line` (the quoted line as it would read unredacted), each holding
    a character the shell's quoting put in, and any text."""
    quotes = [i for i, c in enumerate(line) if c in "'\""] or [0]
    pieces = []
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.sampled_from(quotes))
        start = draw(st.integers(max(0, at - 20), at))
        end = draw(st.integers(at + 1, at + 24))
        piece = line[start:end]
        if len(piece) >= MIN_SECRET:
            pieces.append(piece)
    return pieces + draw(st.lists(adversarial.filter(lambda s: len(s) >= MIN_SECRET), max_size=2))


def deviation_of(params: dict[str, str], signer: str, method: str) -> StatusDeviation:
    request = SentRequest("ListSigningCertificates", params, method, "http://127.0.0.1:9/", signer, "eu-west-1")
    exchange = Exchange(request, 500, {"content-type": "text/xml"}, b"<x/>")
    return StatusDeviation("HTTP 200", "HTTP 500", exchange, check="accepted_with_listing")


@pytest.fixture(scope="module")
def bash(tmp_path_factory) -> Bash:
    return Bash(tmp_path_factory.mktemp("paste"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    marker=adversarial,
    user=adversarial,
    signer=signers,
    method=st.sampled_from(["GET", "POST"]),
    data=st.data(),
)
def test_a_replay_line_is_one_curl_command_whatever_the_values_and_secrets(bash, marker, user, signer, method, data):
    params = {"Action": "ListSigningCertificates", "UserName": user, "Marker": marker}
    unredacted = replay_line(evidence.describe_request(deviation_of(params, signer, method).exchange))
    before = data.draw(secrets_over(unredacted), label="secrets known when the line is built")
    after = data.draw(secrets_over(unredacted), label="secrets learned later, by the process that reports")
    worker = Redactor(before)
    built = evidence.from_deviation(deviation_of(params, signer, method), worker)
    shipped = evidence.redacted(built, worker)  # the payload a worker sends
    reported = evidence.redacted(shipped, Redactor([*before, *after]))  # the owner's, with every secret
    for found in (built, shipped, reported):
        argv = bash.assert_one_curl(found["curl"])
        shown = found["request"]["params"]
        assert [a for a, previous in zip(argv[1:], argv[:-1], strict=True) if previous == "--data-urlencode"] == [
            f"{neutralise(name)}={neutralise(bounded(value))}" for name, value in shown.items()
        ]
        assert ("--get" in argv) == (method == "GET")
        assert argv[-1] == neutralise(found["request"]["endpoint"])  # (a secret's piece may equal the endpoint's)
    for secret in [*before, *after]:
        for name, value in params.items():
            assert secret not in value or secret not in reported["request"]["params"][name]


def test_a_value_longer_than_its_bound_is_kept_as_a_prefix_a_length_and_a_hash(bash):
    built = evidence.from_deviation(deviation_of({"Marker": "M" * 900_000}, "caller", "POST"), Redactor())
    argv = bash.assert_one_curl(built["curl"])
    marker = next(a for a in argv if a.startswith("Marker="))
    assert len(built["curl"]) < 2000 and "900000 characters in all, sha256 " in marker
    assert built["request"]["params"]["Marker"] == marker.removeprefix("Marker=")


def test_every_replay_line_of_every_report_of_a_hostile_target_runs_only_curl(
    bash, run_cli, root_credentials_env, tmp_path
):
    """The target's Markers hold shell code, a newline and an Authorization header; the secret key it issues is a
    piece of the quoting the shell puts around that Marker (redacting the finished line ran the Marker's code)."""
    app = GivesMarkers(SHELL_PAYLOAD, secrets=quoting_pieces(SHELL_PAYLOAD), flavour=Flavour())
    with ReferenceServer(app=app) as server:
        url = server.url
        run = run_cli("run", "--endpoint-url", url, "--profile", "quick", "--allure", env=root_credentials_env)
    assert run.code == 1 and app.issued and app.issued[0] == "'Marker=", run.stdout[-2000:] + run.stderr[-2000:]
    found = replay_lines(run.report_dir)
    with_marker = [line for lines in found.values() for line in lines if "Marker=" in line]
    assert len(found["summary.json"]) >= 5 and with_marker and any(k.startswith("allure-results/") for k in found)
    assert len(found["report.html"]) == len(found["summary.json"])
    for file, lines in found.items():
        for line in lines:
            argv = bash.assert_one_curl(line)
            assert argv[:2] == ["-sS", "-i"] and argv[-1] == url, (file, line)
