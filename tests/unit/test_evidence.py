"""Failure evidence and redaction: the request without credentials, the response with every secret out, whole or in
part, before anything is cut to an excerpt."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.failures import Deviation, leaves
from conformance.checks.responses import accepted_with_listing
from conformance.protocol.wire import Exchange, SentRequest
from conformance.results.evidence import curl_command, excerpt, from_deviation, one_line
from conformance.safety.redaction import MASK, PIECE, Redactor

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjE" + "x" * 20 + "".join(chr(ord("a") + i % 26) for i in range(840))  # ~880 characters


def sent(signer: str = "caller", params=None) -> SentRequest:
    return SentRequest(
        "ListSigningCertificates",
        params or {"UserName": "bob"},
        "GET",
        "http://127.0.0.1:9/?Action=ListSigningCertificates&X-Amz-Signature=abc",
        signer,
    )


def deviation_with(body: bytes, signer: str = "caller", params=None) -> Deviation:
    exchange = Exchange(
        sent(signer, params), 200, {"content-type": "text/xml", "authorization": "AWS4 ...", "set-cookie": "s"}, body
    )
    with pytest.raises(Deviation) as caught:
        accepted_with_listing(exchange)
    return caught.value


def test_evidence_names_the_check_and_redacts_new_secret_keys():
    body = (
        b"<CreateAccessKeyResponse><SecretAccessKey>wJalrXUtnFEMI/K7MDENG</SecretAccessKey></CreateAccessKeyResponse>"
    )
    evidence = from_deviation(deviation_with(body), Redactor())
    assert evidence["check"] == "accepted_with_listing" and evidence["kind"] == "status"
    assert "wJalrXUtnFEMI" not in str(evidence) and MASK in evidence["response"]["body_excerpt"]
    assert "X-Amz-Signature" not in evidence["request"]["endpoint"]
    assert set(evidence["response"]["headers"]) == {"content-type"}


def test_a_long_secret_echoed_past_the_excerpt_limit_is_redacted_before_the_cut():
    redactor = Redactor([TOKEN])
    body = ("<Error><Message>" + "padding " * 60 + TOKEN + "</Message></Error>").encode()
    shown = excerpt(Exchange(sent(), 400, {}, body), redactor)
    assert TOKEN[:PIECE] not in shown and all(TOKEN[i : i + PIECE] not in shown for i in range(0, len(TOKEN) - PIECE))
    assert one_line(body.decode(), redactor, 50).count(TOKEN[:10]) == 0


def test_pieces_of_a_secret_are_redacted_wherever_they_are_cut():
    redactor = Redactor([SECRET, TOKEN])
    for text in (f"x{SECRET[5:30]}y", f"token={TOKEN[100:300]}", f"{TOKEN[-PIECE:]} and {SECRET[:PIECE]}"):
        redacted = redactor.redact(text)
        assert MASK in redacted
        for secret in (SECRET, TOKEN):
            assert not any(secret[i : i + PIECE] in redacted for i in range(len(secret) - PIECE + 1))
    assert redactor.redact("nothing secret here, just words") == "nothing secret here, just words"


SECRET_CHARACTERS = st.characters(codec="ascii", categories=["L", "N"], include_characters="/+=")


@st.composite
def secret_and_piece(draw) -> tuple[str, str]:
    """A secret, and a run of PIECE or more of its characters starting anywhere in it."""
    secret = draw(st.text(SECRET_CHARACTERS, min_size=PIECE, max_size=120))
    start = draw(st.integers(0, len(secret) - PIECE))
    return secret, secret[start : draw(st.integers(start + PIECE, len(secret)))]


@given(
    secret_and_piece=secret_and_piece(),
    before=st.text(max_size=40),
    after=st.text(max_size=40),
    earlier=st.lists(st.text(min_size=8, max_size=60), max_size=3),
)
def test_any_piece_of_any_secret_between_any_text_is_redacted(secret_and_piece, before, after, earlier):
    secret, piece = secret_and_piece
    redactor = Redactor(earlier)
    redactor.redact("searched once before the secret arrives")
    redactor.add(secret)
    redacted = redactor.redact(before + piece + after)
    assert not any(secret[i : i + PIECE] in redacted for i in range(len(secret) - PIECE + 1)), redacted


def test_signatures_and_authorization_are_redacted_by_shape():
    signature = "a" * 8 + "0123456789abcdef" * 3 + "b" * 8
    redactor = Redactor()
    for text in (f"Signature={signature}", f"echo {signature} end"):
        assert signature not in redactor.redact(text) and MASK in redactor.redact(text)
    assert redactor.redact('Authorization: Bearer "abc"') == f"Authorization: {MASK}"
    assert "FQoGZXIvYXdzEJr" not in redactor.redact("X-Amz-Security-Token=FQoGZXIvYXdzEJr//////////wEaDM")


def test_structured_redaction_keeps_json_valid_whatever_the_text_holds():
    data = {"message": 'Authorization: Bearer "abc", then a quote " and a brace }', SECRET: [SECRET, 1, None]}
    redacted = Redactor([SECRET]).redact_data(data)
    assert json.loads(json.dumps(redacted)) == redacted and SECRET not in json.dumps(redacted)


def test_secrets_are_shipped_once():
    redactor = Redactor()
    assert redactor.add(SECRET, "short", None) == [SECRET]  # too short to mask safely: not a secret to match
    assert redactor.add(SECRET) == []
    assert redactor.secrets == {SECRET}


def test_exception_groups_are_unwrapped_into_each_failure():
    one, two = Deviation("a", "b"), Deviation("c", "d")
    group = ExceptionGroup("two bugs", [one, ExceptionGroup("nested", [two, ValueError("bug")])])
    assert [type(e) for e in leaves(group)] == [Deviation, Deviation, ValueError]
    assert leaves(one) == [one]


def curl(exchange: Exchange) -> str:
    return curl_command(exchange, Redactor())


def test_curl_lines_sign_as_the_request_was_signed():
    plain = Exchange(sent("caller"), 200, {}, b"")
    assert '"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"' in curl(plain)
    assert "x-amz-security-token" in curl(plain)  # only when AWS_SESSION_TOKEN is set in the shell
    wrong = curl(Exchange(sent("the caller's key with a wrong secret"), 403, {}, b""))
    assert "$AWS_SECRET_ACCESS_KEY" not in wrong and "not-the-secret-key" in wrong
    unknown = curl(Exchange(sent("an unknown access key AKIAABCDEFGHIJKLMNOP"), 403, {}, b""))
    assert "AKIAABCDEFGHIJKLMNOP:any-secret" in unknown and "$AWS_ACCESS_KEY_ID" not in unknown
    assert "--aws-sigv4" not in curl(Exchange(sent("unsigned"), 403, {}, b""))


def test_a_secret_in_a_parameter_is_masked_inside_its_quotes():
    line = curl_command(Exchange(sent(params={"Marker": f"a'{SECRET}'b"}), 200, {}, b""), Redactor([SECRET]))
    assert SECRET[:PIECE] not in line and f"'Marker=a'\"'\"'{MASK}'\"'\"'b'" in line


def test_evidence_says_when_a_curl_line_cannot_replay_as_is():
    mine = from_deviation(deviation_with(b"<x/>", params={"UserName": "ic-0123abcd-gw-two"}), Redactor(), "0123abcd")
    assert "deleted" in mine["replay"] and "--keep-resources" in mine["replay"]
    kept = from_deviation(
        deviation_with(b"<x/>", params={"UserName": "ic-0123abcd-gw-two"}), Redactor(), "0123abcd", resources_kept=True
    )
    assert "replay" not in kept
    own_key = from_deviation(deviation_with(b"<x/>", signer="access key of ic-0123abcd-gw-two"), Redactor(), "0123abcd")
    assert "a key the run created" in own_key["replay"]


def test_each_failure_of_a_group_keeps_its_own_request_response_and_curl_line():
    from types import SimpleNamespace

    from conformance.results.evidence import from_deviation
    from conformance.run.phases import classify_phase

    first = deviation_with(b"<x/>", params={"UserName": "alice"})
    second = deviation_with(b"<y/>", params={"UserName": "bob"})
    group = ExceptionGroup("Hypothesis found 2 distinct failures", [first, second])
    redactor = Redactor()
    phase = classify_phase(
        "call",
        SimpleNamespace(value=group),
        None,
        SimpleNamespace(skipped=False),
        redactor,
        lambda d: from_deviation(d, redactor),
    )
    assert phase.outcome == "failed" and len(phase.deviations) == 2
    assert [d["request"]["params"]["UserName"] for d in phase.deviations] == ["alice", "bob"]
    assert all("curl" in d and d["response"]["body_excerpt"] for d in phase.deviations)
