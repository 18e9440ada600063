"""A recording's pieces without a target: placeholders bound on first sight, answers normalised, the files written
and read back strictly, two answers compared, judgments encoded, the shipped recording's shape and secrecy."""

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest
from botocore.credentials import Credentials

from conformance.checks.observations import UploadedCertificate, Walk
from conformance.contract.spec import data_dir, operation
from conformance.differential import allowlist
from conformance.differential.compare import compare
from conformance.protocol.client import Identity, Tapped
from conformance.protocol.tap import Step
from conformance.protocol.wire import Exchange, SentRequest
from conformance.recording import format as recording_format
from conformance.recording.capture import Capture, Unencodable
from conformance.recording.differences import Aspect, Difference, DiffResult, Finding, RequestDiff
from conformance.recording.format import RecordedAnswer, RecordingError, SignerKind
from conformance.recording.normalise import Normaliser, RawExchange
from conformance.recording.placeholders import Kind, Placeholders, tokens
from conformance.reference import ROOT_SECRET_KEY
from conformance.safety.redaction import PIECE, Redactor

RUN = "1a2b3c4d"
NS = "https://iam.amazonaws.com/doc/2010-05-08/"
SHIPPED = data_dir("fixtures") / "recordings" / "reference-standard"


# -- placeholders ----------------------------------------------------------------------------------------------------
def test_the_same_value_gets_the_same_placeholder_everywhere_and_another_value_another():
    names = Placeholders(RUN)
    first = names.token(Kind.CERTIFICATE, "ASCACERTIFICATEONE000")
    assert first == "⟦certificate-1⟧"
    assert names.token(Kind.CERTIFICATE, "ASCACERTIFICATETWO000") == "⟦certificate-2⟧"
    assert names.token(Kind.CERTIFICATE, "ASCACERTIFICATEONE000") == first
    assert names.text("The Certificate with id ASCACERTIFICATEONE000 cannot be found.") == (
        "The Certificate with id ⟦certificate-1⟧ cannot be found."
    )
    assert names.counts == {"certificate": 2}


def test_free_text_replaces_whole_words_only_and_never_a_short_marker():
    names = Placeholders(RUN)
    names.token(Kind.ACCESS_KEY, "AKIAEXAMPLEKEY000001")
    names.token(Kind.MARKER, "2")
    said = names.text("key AKIAEXAMPLEKEY000001, not XAKIAEXAMPLEKEY000001 nor AKIAEXAMPLEKEY0000012; page 2")
    assert said == "key ⟦access-key-1⟧, not XAKIAEXAMPLEKEY000001 nor AKIAEXAMPLEKEY0000012; page 2"


def test_the_run_id_accounts_and_instants_in_free_text():
    names = Placeholders(RUN)
    said = names.text(
        f"User: arn:aws:iam::123456789012:user/iam-conformance/{RUN}-gw/ic-{RUN}-gw-one is not authorized; "
        "Signature expired: 20240102T030405Z is now earlier than 2024-01-02T03:19:05Z"
    )
    assert said == (
        "User: arn:aws:iam::⟦account-1⟧:user/iam-conformance/⟦run⟧-gw/ic-⟦run⟧-gw-one is not authorized; "
        "Signature expired: ⟦date-1:99999999T999999Z⟧ is now earlier than ⟦date-2:9999-99-99T99:99:99Z⟧"
    )


def test_a_literal_placeholder_in_a_value_survives_normalising_and_restoring():
    names = Placeholders(RUN)
    hostile = f"ic-{RUN}-⟦run⟧-⟦certificate-1⟧-⟦!⟧"
    written = names.text(hostile)
    assert [t.kind for t in tokens(written)].count("run") == 1  # only the real run id became ⟦run⟧
    assert Placeholders(RUN).restore(written, lambda token: pytest.fail(f"{token} bound")) == hostile


def test_noise_kinds_carry_their_shape():
    names = Placeholders(RUN)
    assert names.token(Kind.DATE, "2024-01-02T03:04:05Z") == "⟦date-1:9999-99-99T99:99:99Z⟧"
    assert names.token(Kind.DATE, "2024-01-02T03:04:05.123Z") == "⟦date-2:9999-99-99T99:99:99.999Z⟧"
    assert names.token(Kind.MARKER, "QUJDREVGR0g=") == "⟦marker-1:base64⟧"
    assert names.token(Kind.MARKER, "é ü+/= QUJD Ä ÿ") == "⟦marker-2:other + / = non-ascii space⟧"


def test_a_replay_binds_new_values_to_the_recorded_placeholders_and_sends_the_last_marker_back():
    recorded = Placeholders(RUN)
    recorded.token(Kind.CERTIFICATE, "OLDONE")
    recorded.token(Kind.CERTIFICATE, "OLDTWO")
    replay = Placeholders("9f8e7d6c", recorded.counts)
    [second] = tokens("⟦certificate-2⟧")
    assert replay.token(Kind.CERTIFICATE, "NEWTWO", second) == "⟦certificate-2⟧"  # adopted where it stands
    assert replay.token(Kind.CERTIFICATE, "NEWTHREE", second) == "⟦certificate-3⟧"  # taken: a new name
    [marker] = tokens("⟦marker-1:base64⟧")
    replay.token(Kind.MARKER, "first", marker)
    replay.token(Kind.MARKER, "second", marker)
    assert replay.restore("⟦marker-1:base64⟧ ⟦run⟧", lambda token: "?") == "second 9f8e7d6c"
    assert replay.restore("⟦certificate-1⟧", lambda token: f"unbound {token.name}") == "unbound certificate-1"


def test_the_run_id_in_capitals_is_the_replays_in_capitals():
    # A name sent in another case (IAM names ignore case) holds the run id in capitals: the replay's, not the recorded.
    recorded = Placeholders("1a2b3c4d")
    written = recorded.text("IC-1A2B3C4D-GW-TWO and ic-1a2b3c4d-gw-two")
    assert written == "IC-⟦RUN⟧-GW-TWO and ic-⟦run⟧-gw-two"
    assert Placeholders("9f8e7d6c").restore(written, lambda token: "?") == "IC-9F8E7D6C-GW-TWO and ic-9f8e7d6c-gw-two"


# -- normalising answers --------------------------------------------------------------------------------------------
def raw(body: str, status: int = 200, header: str | None = "req-1") -> RawExchange:
    return RawExchange(
        "ListSigningCertificates",
        "POST",
        {},
        SignerKind.CALLER,
        "caller",
        None,
        None,
        status,
        "text/xml",
        header,
        body,
        False,
    )


LISTING = (
    '<?xml version="1.0"?><ListSigningCertificatesResponse xmlns="{ns}"><ListSigningCertificatesResult>'
    "<Certificates><member><UserName>ic-{run}-gw-two</UserName><CertificateId>{cid}</CertificateId>"
    "<CertificateBody>{body}</CertificateBody><Status>Active</Status><UploadDate>2024-01-02T03:04:05Z</UploadDate>"
    "</member></Certificates><IsTruncated>true</IsTruncated><Marker>{marker}</Marker>"
    "</ListSigningCertificatesResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
    "</ListSigningCertificatesResponse>"
)


def listing(cid: str = "ASCAEXAMPLE1", marker: str = "QUJDREVGR0g=", run: str = RUN, body: str = "PEM-1") -> str:
    return LISTING.format(ns=NS, run=run, cid=cid, body=body, marker=marker)


def test_an_answer_is_normalised_element_by_element():
    answer = Normaliser(Placeholders(RUN)).answer(raw(listing()))
    assert answer.xml and answer.declaration and answer.request_id_header == "⟦request-id-1:rxq-x⟧"
    for expected in (
        f'xmlns="{NS}"',
        "<UserName>ic-⟦run⟧-gw-two</UserName>",
        "<CertificateId>⟦certificate-1⟧</CertificateId>",
        "<CertificateBody>⟦certificate-body-1⟧</CertificateBody>",
        "<UploadDate>⟦date-1:9999-99-99T99:99:99Z⟧</UploadDate>",
        "<Marker>⟦marker-1:base64⟧</Marker>",
        "<RequestId>⟦request-id-1:rxq-x⟧</RequestId>",
    ):
        assert expected in answer.body


def test_a_secret_element_is_never_written_and_a_body_that_is_no_xml_is_normalised_text():
    normaliser = Normaliser(Placeholders(RUN))
    key = (
        "<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey><AccessKeyId>AKIAEXAMPLE</AccessKeyId>"
        "<SecretAccessKey>wJalrXUtnFEMI</SecretAccessKey></AccessKey></CreateAccessKeyResult></CreateAccessKeyResponse>"
    )
    written = normaliser.answer(raw(key)).body
    assert "wJalrXUtnFEMI" not in written and "<SecretAccessKey>(redacted)</SecretAccessKey>" in written
    page = normaliser.answer(raw(f"<html>boom for ic-{RUN}-gw-one</html>", 500, None))
    assert not page.xml and page.body == "<html>boom for ic-⟦run⟧-gw-one</html>" and page.request_id_header is None


# -- the files ------------------------------------------------------------------------------------------------------
def small_recording() -> recording_format.Recording:
    normaliser = Normaliser(Placeholders(RUN))
    answer = normaliser.answer(raw(listing()))
    request = normaliser.request(raw(listing()))
    exchange = recording_format.RecordedExchange(1, "test_x.py::test_y", "call", request, answer)
    judgment = recording_format.RecordedJudgment(
        "test_x.py::test_y", "SHAPE-01", "success_body_matches_schema", [{"exchange": 1}], {"strict": False}, "held"
    )
    manifest = recording_format.Manifest(
        "0.3.0",
        "2026-01-01T00:00:00+00:00",
        7,
        "quick",
        "http://127.0.0.1:1/",
        "us-east-1",
        "long-term",
        "conformant",
        True,
        [],
        False,
        1,
        1,
        {"certificate": 1},
    )
    return recording_format.Recording(manifest, (exchange,), (judgment,))


def test_a_recording_reads_back_as_written(tmp_path):
    recording_format.write(tmp_path / "rec", small_recording())
    back = recording_format.read(tmp_path / "rec")
    assert back.exchanges == small_recording().exchanges and back.judgments == small_recording().judgments
    assert back.manifest.sha256.keys() == {"exchanges.jsonl", "judgments.jsonl"}


def test_values_holding_line_separators_of_unicode_read_back(tmp_path):
    # JSON keeps U+2028, U+0085 and U+001C raw in a string; a line of JSON Lines ends at "\n" only.
    recorded = small_recording()
    odd = "a\u2028b\x85c\x1cd"
    request = dataclasses.replace(recorded.exchanges[0].request, params={"Marker": odd})
    exchange = dataclasses.replace(recorded.exchanges[0], request=request)
    recording_format.write(tmp_path / "rec", dataclasses.replace(recorded, exchanges=(exchange,)))
    assert recording_format.read(tmp_path / "rec").exchanges[0].request.params == {"Marker": odd}


@pytest.mark.parametrize(
    "damage, says",
    [
        (lambda d: (d / "exchanges.jsonl").write_text("{}\n"), "does not match the SHA-256"),
        (lambda d: (d / "judgments.jsonl").unlink(), "cannot read"),
        (lambda d: _manifest(d, version=2), "format version 2, this suite reads version 1"),
        (lambda d: _manifest(d, format="something-else"), "is not a recording of iam-conformance"),
        (lambda d: _manifest(d, exchanges=5), "counts other exchanges"),
        (lambda d: _manifest(d, seed="7"), "seed: expected int"),
        (lambda d: (d / "manifest.json").write_text("[" * 100), "nests deeper"),
    ],
)
def test_a_damaged_recording_is_refused_in_one_line(tmp_path, damage, says):
    folder = tmp_path / "rec"
    recording_format.write(folder, small_recording())
    damage(folder)
    with pytest.raises(RecordingError, match=says) as refused:
        recording_format.read(folder)
    assert "\n" not in str(refused.value)


def test_a_field_this_version_does_not_have_is_refused():
    line = json.loads(recording_format.exchange_line(small_recording().exchanges[0]))
    line["request"]["signing"] = {"authorization": "without its Signature"}
    with pytest.raises(RecordingError, match="no field 'authorization' in a recording of version 1"):
        recording_format.exchange_from(line, "exchanges.jsonl line 1")


def _manifest(folder: Path, **changes) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, **changes}))


def test_a_recording_is_never_written_through_a_link(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "rec").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(RecordingError, match="symbolic link"):
        recording_format.write(tmp_path / "rec", small_recording())
    assert list((tmp_path / "elsewhere").iterdir()) == []


# -- comparing two answers -------------------------------------------------------------------------------------------
def answers(first: str, second: str, replay_run: str = RUN, **new) -> tuple[RecordedAnswer, RecordedAnswer]:
    recorder, replay = Normaliser(Placeholders(RUN)), Normaliser(Placeholders(replay_run))
    recorded = recorder.answer(raw(first))
    return recorded, replay.answer(raw(second, **new), hints=recorded)


def test_the_same_answer_from_another_run_differs_in_noise_only():
    other = listing("ASCAOTHER999", "WllaWVpZ", run="9f8e7d6c", body="PEM-2")
    recorded, new = answers(listing(), other, replay_run="9f8e7d6c")
    found = compare(recorded, new)
    assert found.differences == [] and found.noise == {"date", "marker", "request-id"}


@pytest.mark.parametrize(
    "change, aspect, where",
    [
        (lambda b: b.replace("<IsTruncated>true", "<IsTruncated>false"), Aspect.TRUNCATION, "IsTruncated"),
        (lambda b: b.replace("<Marker>QUJDREVGR0g=</Marker>", ""), Aspect.MARKER, "Marker"),
        (lambda b: b.replace("03:04:05Z", "03:04:05.000Z"), Aspect.VALUE, "UploadDate"),
        (lambda b: b.replace("<Status>Active</Status>", ""), Aspect.ELEMENT_SET, "]/Status"),
        (lambda b: b.replace('<?xml version="1.0"?>', ""), Aspect.DECLARATION, ""),
        (
            lambda b: (
                b.replace(f'xmlns="{NS}"', f'xmlns:iam="{NS}"')
                .replace("<", "<iam:")
                .replace("<iam:/", "</iam:")
                .replace("<iam:?xml", "<?xml")
            ),
            Aspect.PREFIX,
            "ListSigningCertificatesResponse",
        ),
    ],
)
def test_each_kind_of_difference_is_named_where_it_is(change, aspect, where):
    recorded, new = answers(listing(), change(listing()))
    found = [d for d in compare(recorded, new).differences]
    assert [d.aspect for d in found] == [aspect], found
    assert found[0].where.endswith(where)


def test_members_in_another_order_are_one_order_difference():
    two = listing().replace(
        "</member></Certificates>",
        "</member><member><UserName>x</UserName><CertificateId>ASCASECOND</CertificateId></member></Certificates>",
    )
    swapped = two.replace("ASCAEXAMPLE1", "@@").replace("ASCASECOND", "ASCAEXAMPLE1").replace("@@", "ASCASECOND")
    recorder = Normaliser(Placeholders(RUN))
    recorded = recorder.answer(raw(two))
    found = compare(recorded, recorder.answer(raw(swapped)))
    orders = [d for d in found.differences if d.aspect == Aspect.ELEMENT_ORDER]
    assert len(orders) == 1 and orders[0].where.endswith("Certificates/member")
    assert (
        orders[0].recorded == "⟦certificate-1⟧, ⟦certificate-2⟧" and orders[0].new == "⟦certificate-2⟧, ⟦certificate-1⟧"
    )


def test_an_error_differs_by_code_and_message():
    error = (
        '<ErrorResponse xmlns="{ns}"><Error><Type>Sender</Type><Code>{code}</Code><Message>{msg}</Message></Error>'
        "</ErrorResponse>"
    )
    recorded, new = answers(
        error.format(ns=NS, code="NoSuchEntity", msg="The user with name x cannot be found."),
        error.format(ns=NS, code="NoSuchUser", msg="No such user"),
        status=400,
    )
    assert {d.aspect for d in compare(recorded, new).differences} == {Aspect.STATUS, Aspect.ERROR_CODE, Aspect.MESSAGE}


# -- encoding judgments ----------------------------------------------------------------------------------------------
def exchange(status: int = 200) -> Exchange:
    return Exchange(SentRequest("ListSigningCertificates", {}, "POST", "http://x/", "caller"), status, {}, b"<x/>")


def test_a_judgments_arguments_are_encoded_with_exchanges_by_seq():
    capture = Capture("gw0", "AKIACALLER", "secret-of-the-caller")
    pages = [exchange(), exchange()]
    for page in pages:
        capture(
            Tapped(
                page,
                Identity("caller", Credentials("AKIACALLER", "secret-of-the-caller")),
                None,
                0.0,
                Step("t", "call"),
            )
        )
    walk = Walk("ic-x", 1, pages)
    uploaded = UploadedCertificate("ASCA1", "PEM", "Inactive", "2024-01-01T00:00:00Z", 1.0, 2.0)
    assert capture.encode(walk) == {
        "walk": {"user_name": "ic-x", "max_items": 1, "pages": [["gw0", 1], ["gw0", 2]], "stopped_early": None}
    }
    assert capture.encode({"ASCA1": uploaded}) == {
        "map": [
            [
                "ASCA1",
                {
                    "uploaded": {
                        "certificate_id": "ASCA1",
                        "body": "PEM",
                        "status": "Inactive",
                        "upload_date": "2024-01-01T00:00:00Z",
                    }
                },
            ]
        ]
    }
    assert capture.encode(operation().parameters["MaxItems"]) == {"parameter": "MaxItems"}
    assert capture.encode({"a": 1}.values()) == {"list": [1]}
    with pytest.raises(Unencodable):
        capture.encode(exchange())  # an exchange no tapped client made
    with pytest.raises(Unencodable):
        capture.encode(object())
    [drained] = capture.drain()[:1]
    assert drained["signer"] == {"kind": "caller", "label": "caller", "key": None} and capture.drain() == []


def test_signers_are_told_apart_by_their_keys():
    capture = Capture("main", "AKIACALLER", "secret-of-the-caller")
    identities = [
        Identity.unsigned(),
        Identity("caller", Credentials("AKIACALLER", "secret-of-the-caller")),
        Identity("the caller's key with a wrong secret", Credentials("AKIACALLER", "not-it")),
        Identity("an unknown access key AKIAMADEUP", Credentials("AKIAMADEUP", "x")),
        Identity("access key of ic-x", Credentials("AKIACREATED", "y")),
    ]
    for identity in identities:
        capture(Tapped(exchange(), identity, None, 0.0, Step(None, "session")))
    kinds = [(wire["signer"]["kind"], wire["signer"]["key"]) for wire in capture.drain()]
    assert kinds == [
        ("unsigned", None),
        ("caller", None),
        ("caller-key-wrong-secret", None),
        ("unknown-key", "AKIAMADEUP"),
        ("created-key", "AKIACREATED"),
    ]


# -- a diff's verdict and the allow-list ------------------------------------------------------------------------------
def request(differences=(), findings=()) -> RequestDiff:
    answer = RecordedAnswer(200, "text/xml", None, "<x/>", True)
    return RequestDiff(
        1,
        "t",
        "call",
        "ListSigningCertificates",
        "POST",
        {},
        "caller",
        answer,
        answer,
        tuple(differences),
        tuple(findings),
    )


def result(*requests: RequestDiff, strict: bool = False, incomplete: tuple[str, ...] = ()) -> DiffResult:
    return DiffResult(
        small_recording().manifest,
        "rec",
        "t",
        "now",
        0.0,
        strict,
        None,
        "b",
        requests,
        0,
        incomplete_reasons=incomplete,
    )


ORDER = Difference(Aspect.ELEMENT_ORDER, "A/Certificates/member[⟦certificate-1⟧]", "a b", "b a")


def test_exit_codes_of_a_diff():
    contract = request([ORDER], [Finding("PAG-02", "pages_within_max_items", "at most 1", "2", "held")])
    assert result().exit_code == 0 and result(request([ORDER])).exit_code == 0
    assert result(request([ORDER]), strict=True).exit_code == 1
    assert result(contract).exit_code == 1 and result(contract, incomplete=("stopped",)).exit_code == 1
    assert result(request([ORDER]), incomplete=("stopped",)).exit_code == 2
    known = request([ORDER], [Finding("PAG-02", "pages_within_max_items", "at most 1", "2", "held", known="moto")])
    assert result(known).exit_code == 0 and result(known, contract).exit_code == 1
    assert result(known).conclusion.startswith("diff: 1 contract (1 known), 0 behaviour")
    allowed = allowlist.apply([request([ORDER])], {"ListSigningCertificates element order */member": "legal"})
    assert allowed[0].differences[0].allowed == "legal" and result(*allowed, strict=True).exit_code == 0
    assert ORDER.key("ListSigningCertificates") == "ListSigningCertificates element order A/Certificates/member"


@pytest.mark.parametrize("content", ['{"allowed": []}', "[]", '{"allowed": {"k": 1}}', '{"version": 9, "allowed": {}}'])
def test_an_allowlist_that_is_not_one_is_refused(tmp_path, content):
    path = tmp_path / "allow.json"
    path.write_text(content)
    with pytest.raises(allowlist.AllowlistError):
        allowlist.load(str(path))


# -- the shipped recording -------------------------------------------------------------------------------------------
def shipped() -> dict:
    return {
        "manifest": json.loads((SHIPPED / "manifest.json").read_text(encoding="utf-8")),
        "exchanges": [
            json.loads(line)
            for line in (SHIPPED / "exchanges.jsonl").read_text(encoding="utf-8").removesuffix("\n").split("\n")
        ],
        "judgments": [
            json.loads(line)
            for line in (SHIPPED / "judgments.jsonl").read_text(encoding="utf-8").removesuffix("\n").split("\n")
        ],
    }


def test_the_shipped_recording_is_a_complete_standard_run_under_1_mb_valid_against_its_schema():
    size = sum(path.stat().st_size for path in SHIPPED.iterdir())
    assert size < 1_000_000, size
    schema = json.loads((data_dir("schemas") / "recording.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(shipped())
    recording = recording_format.read(SHIPPED)
    assert recording.manifest.complete and recording.manifest.profile == "standard"
    assert recording.manifest.verdict == "conformant" and len(recording.exchanges) > 200
    assert all(j.unencodable is None for j in recording.judgments)


def test_the_shipped_recording_holds_no_secret():
    text = "".join(path.read_text(encoding="utf-8") for path in SHIPPED.iterdir())
    pieces = {ROOT_SECRET_KEY[i : i + PIECE] for i in range(len(ROOT_SECRET_KEY) - PIECE + 1)}
    assert not any(piece in text for piece in pieces)
    secrets = [e for e in shipped()["exchanges"] if "<SecretAccessKey>" in e["answer"].get("body", "")]
    assert secrets and all("<SecretAccessKey>(redacted)</SecretAccessKey>" in e["answer"]["body"] for e in secrets)
    records = shipped()["exchanges"] + shipped()["judgments"]
    assert Redactor().redact_data(records) == records  # no signature, token, secret key or Authorization header left
    assert text.count("Authorization=") == text.count("Authorization=(redacted)") > 0  # IncompleteSignature's words
    assert "X-Amz-Security-Token" not in text and "AKIAREFERENCEROOT001" not in text  # the caller's key id too
