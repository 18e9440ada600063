"""The one line a run ends with when the target refuses the credentials: the target's own words (redacted,
neutralised, cut), the scope and key id the suite signed with, never the secret."""

from __future__ import annotations

import dataclasses

from conformance.config.settings import unstarted
from conformance.run.preflight import MESSAGE_SHOWN, refusal_line

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLEsessiontoken0123456789abcdef"


def settings():  # type: ignore[no-untyped-def]
    base = unstarted({"profile": "quick", "deadline": 60}, "https://iam.amazonaws.com/")
    return dataclasses.replace(
        base,
        region="us-east-1",
        region_origin="the endpoint's partition",
        access_key="AKIAIOSFODNN7EXAMPLE",
        secret_key=SECRET,
        session_token=TOKEN,
    )


def test_a_hostile_message_is_redacted_neutralised_and_cut_to_one_line() -> None:
    message = f"bad\x1b]0;pwned\x07 secret {SECRET} token {TOKEN[5:30]}\nrm -rf / " + "x" * 1000
    line = refusal_line(settings(), 403, "SignatureDoesNotMatch", message, "botocore says so")
    assert "\n" not in line and "\x1b" not in line and "\x07" not in line
    assert SECRET not in line and SECRET[:10] not in line and TOKEN[5:30] not in line
    assert len(line) < MESSAGE_SHOWN + 400 and "…" in line
    assert line.startswith("credentials refused by https://iam.amazonaws.com/: HTTP 403 SignatureDoesNotMatch (bad")
    assert "signed for iam in us-east-1 (the endpoint's partition) with key AKIA…MPLE; botocore says so" in line


def test_a_refusal_without_words_says_what_it_has() -> None:
    line = refusal_line(settings(), 401, None, None, "botocore could not tell")
    assert "HTTP 401;" in line and "()" not in line and "AKIA…MPLE" in line
