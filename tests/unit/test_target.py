"""Which endpoints count as real AWS (from botocore's own data), and which endpoint URLs are refused outright."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointVariantError

from conformance.protocol.partitions import is_real_aws
from conformance.protocol.target import TargetError, checked_endpoint, resolve_endpoint

SESSION = botocore.session.get_session()
LOADER = SESSION.get_component("data_loader")


def iam_hostnames_listed_by_botocore() -> list[str]:
    """Every IAM hostname (variants included) in botocore's endpoints.json, read here independently."""
    found = set()
    for partition in LOADER.load_data("endpoints")["partitions"]:
        for entry in partition["services"].get("iam", {}).get("endpoints", {}).values():
            found.update([entry["hostname"]] if "hostname" in entry else [])
            found.update(variant["hostname"] for variant in entry.get("variants", []) if "hostname" in variant)
    return sorted(found)


def iam_endpoints_resolved_by_botocore() -> list[str]:
    """The IAM endpoint botocore's rule set gives in every region of every partition, plain, FIPS and dual-stack."""
    resolved = set()
    for partition in LOADER.load_data("partitions")["partitions"]:
        for region in [partition["outputs"]["implicitGlobalRegion"], *partition["regions"]]:
            for fips in (False, True):
                for dual_stack in (False, True):
                    config = Config(use_fips_endpoint=fips, use_dualstack_endpoint=dual_stack)
                    try:
                        client = SESSION.create_client(
                            "iam", region_name=region, config=config, aws_access_key_id="k", aws_secret_access_key="s"
                        )
                    except EndpointVariantError:  # that partition has no such variant of IAM
                        continue
                    resolved.add(client.meta.endpoint_url)
    return sorted(resolved)


def test_every_iam_hostname_botocore_lists_is_real_aws():
    hostnames = iam_hostnames_listed_by_botocore()
    assert {
        "iam.amazonaws.com",
        "iam.global.api.aws",
        "iam-fips.amazonaws.com",
        "iam.cn-north-1.amazonaws.com.cn",
        "iam.us-gov.amazonaws.com",
    } <= set(hostnames)
    assert [host for host in hostnames if not is_real_aws(f"https://{host}/")] == []


def test_every_iam_endpoint_botocore_resolves_is_real_aws():
    endpoints = iam_endpoints_resolved_by_botocore()
    assert len(endpoints) >= 15  # plain, FIPS and dual-stack across the partitions
    assert [url for url in endpoints if not is_real_aws(url)] == []


@pytest.mark.parametrize(
    "url",
    [
        "https://IAM.AmazonAWS.com./",  # case and a trailing dot change nothing
        "https://vpce-0123-abcd.iam.us-east-1.vpce.amazonaws.com/",
        "https://iam.us-iso-east-1.c2s.ic.gov/",
        "https://iam.eusc-de-east-1.amazonaws.eu/",
        "http://iam.amazonaws.com:443/",
    ],
)
def test_any_host_under_an_aws_partition_is_real_aws(url):
    assert is_real_aws(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:4566/",
        "http://localhost:5000/",
        "http://localhost.localstack.cloud:4566/",
        "https://amazonaws.com.example.org/",
        "https://notamazonaws.com/",
        "https://iam.amazonaws.com.evil.test/",
        "http://[::1]:4566/",
        "https://api.aws.example/",
    ],
)
def test_other_hosts_are_not(url):
    assert not is_real_aws(url)


@pytest.mark.parametrize(
    "url",
    ["http://someone:hunter22@127.0.0.1:4566/", "http://hunter22@127.0.0.1/", "https://a:hunter22@iam.amazonaws.com/"],
)
def test_user_info_is_refused_without_repeating_it(url):
    with pytest.raises(TargetError, match="user-info") as caught:
        checked_endpoint(url, "--endpoint-url")
    assert "hunter22" not in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:4566/?token=hunter22", "http://127.0.0.1:4566/#hunter22", "http://127.0.0.1:4566/?"]
)
def test_a_query_string_or_fragment_is_refused_without_repeating_it(url):
    with pytest.raises(TargetError, match="query string or fragment") as caught:
        checked_endpoint(url, "--endpoint-url")
    assert "hunter22" not in str(caught.value)


@pytest.mark.parametrize(
    "url,reason",
    [
        ("ftp://127.0.0.1/", "not an http"),
        ("127.0.0.1:4566", "not an http"),
        ("http://127.0.0.1:99999/", "valid URL"),
        ("http://127.0.0.1:4566/\x1b[2J", "control characters"),
        ("http://127.0.0.1 :4566/", "whitespace"),
    ],
)
def test_other_malformed_endpoints_get_a_one_line_reason(url, reason):
    with pytest.raises(TargetError, match=reason) as caught:
        checked_endpoint(url, "--endpoint-url")
    assert "\n" not in str(caught.value) and "\x1b" not in str(caught.value)


def test_the_environment_is_checked_the_same_way(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", "http://someone:hunter22@127.0.0.1:4566/")
    with pytest.raises(TargetError, match="AWS_ENDPOINT_URL_IAM holds user-info"):
        resolve_endpoint(None)
    assert resolve_endpoint("http://127.0.0.1:4566/") == ("http://127.0.0.1:4566/", "--endpoint-url")


def botocore_signing_regions() -> dict[str, str]:
    """endpoint -> the region botocore's own IAM client puts in its credential scope, in every region of every
    partition (plain, FIPS, dual-stack): the Authorization header of one request, caught before it is sent."""
    import re

    from botocore.awsrequest import AWSResponse

    scopes: dict[str, str] = {}
    for partition in LOADER.load_data("partitions")["partitions"]:
        for region in [partition["outputs"]["implicitGlobalRegion"], *partition["regions"]]:
            for fips in (False, True):
                for dual_stack in (False, True):
                    config = Config(use_fips_endpoint=fips, use_dualstack_endpoint=dual_stack)
                    try:
                        client = SESSION.create_client(
                            "iam", region_name=region, config=config, aws_access_key_id="k", aws_secret_access_key="s"
                        )
                    except EndpointVariantError:
                        continue
                    seen: list[str] = []

                    def answer(request, seen=seen, **kwargs):  # type: ignore[no-untyped-def]
                        seen.append(f"{request.url} {request.headers['Authorization'].decode()}")
                        return AWSResponse(request.url, 200, {}, None)

                    client.meta.events.register("before-send", answer)
                    try:
                        client.list_signing_certificates()
                    except Exception:  # noqa: BLE001 - the empty answer cannot be parsed; the request was signed
                        pass
                    client.close()
                    # the URL the request went to: meta.endpoint_url is not always it (region aws-iso-e-global)
                    found = re.search(r"^(https://[^/]+)/ .*Credential=[^/]+/\d{8}/([^/]+)/iam/aws4_request", seen[0])
                    assert found, seen[0]
                    scopes[found.group(1)] = found.group(2)
    return scopes


def test_the_suite_signs_for_the_scope_botocores_own_iam_client_signs_for_whatever_the_shells_region(monkeypatch):
    from conformance.protocol.partitions import credential_scope
    from conformance.protocol.target import resolve_region

    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    scopes = botocore_signing_regions()
    assert scopes["https://iam.amazonaws.com"] == "us-east-1"
    assert scopes["https://iam.cn-north-1.amazonaws.com.cn"] == "cn-north-1"
    assert len(set(scopes.values())) >= 3  # the partitions differ, so the test can tell a wrong one
    for endpoint, scope in scopes.items():
        assert credential_scope(endpoint + "/") == scope, endpoint
        assert resolve_region(None, endpoint + "/") == (
            scope,
            "the endpoint's partition, as botocore's endpoint data says",
        )
    assert resolve_region("ap-south-1", "https://iam.amazonaws.com/") == ("ap-south-1", "--region")
    assert resolve_region(None, "http://127.0.0.1:5000/") == ("eu-west-1", "AWS_REGION")
    assert credential_scope("https://vpce-0abc.iam.us-east-1.vpce.amazonaws.com/") == "us-east-1"
