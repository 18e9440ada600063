"""protocol: the query protocol's two transports, unknown actions, and XML responses."""
from conformance.checks.responses import error_with_code, same_answer, xml_content_type
from conformance.suite import requirement


@requirement("PROTO-01")
def test_get_and_post_give_the_same_answer(iam, user_with_two_certificates, judge):
    for params in ({"UserName": user_with_two_certificates.name},
                   {"UserName": user_with_two_certificates.name, "MaxItems": "1"}):
        posted = iam.call("ListSigningCertificates", params, method="POST")
        got = iam.call("ListSigningCertificates", params, method="GET")
        judge(same_answer, posted, got)


@requirement("PROTO-02")
def test_an_unknown_action_is_invalid(error_samples, judge):
    judge(error_with_code, error_samples["unknown action"], 400, "InvalidAction")


@requirement("PROTO-03")
def test_responses_are_xml(seeded_users, walker, error_samples, judge):
    judge.each(xml_content_type, [walker(u.name, None).pages[0] for u in seeded_users] + list(error_samples.values()))
