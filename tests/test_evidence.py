"""Failure evidence: the request without credentials, the response with secrets redacted."""
from conformance.checks.responses import accepted_with_listing
from conformance.evidence import describe_failure
from conformance.failures import CheckFailure
from conformance.wire import Exchange, SentRequest


def test_evidence_names_the_check_and_redacts_new_secret_keys():
    sent = SentRequest("ListSigningCertificates", {"UserName": "bob"}, "GET",
                       "http://127.0.0.1:9/?Action=ListSigningCertificates&X-Amz-Signature=abc", "caller")
    body = b"<CreateAccessKeyResponse><SecretAccessKey>wJalrXUtnFEMI/K7MDENG</SecretAccessKey></CreateAccessKeyResponse>"
    exchange = Exchange(sent, 200, {"content-type": "text/xml", "authorization": "AWS4 ...", "set-cookie": "s"}, body)
    try:
        accepted_with_listing(exchange)
    except CheckFailure as failure:
        evidence = describe_failure(failure)
    assert evidence["check"] == "accepted_with_listing"
    assert "wJalrXUtnFEMI" not in str(evidence) and "(redacted)" in evidence["response"]["body_excerpt"]
    assert "X-Amz-Signature" not in evidence["request"]["endpoint"]
    assert set(evidence["response"]["headers"]) == {"content-type"}
