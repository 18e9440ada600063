"""AWS's own endpoints, from botocore's endpoint data through botocore's resolver (never a copied table): which hosts
are AWS (where creating users costs a real account), and the credential scope each IAM endpoint signs for.

IAM is one global service per partition: `iam.amazonaws.com` signs for us-east-1 whatever region the shell names, the
China endpoint for cn-north-1, GovCloud's for us-gov-west-1 (FIPS and dual-stack variants alike). botocore's own IAM
client signs that way; real IAM refuses any other scope ("Credential should be scoped to a valid region").
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit


def is_real_aws(endpoint: str) -> bool:
    """An AWS-operated endpoint, where creating users costs a real account: any IAM hostname botocore knows, or
    any host under one of its partitions' DNS suffixes (regional, FIPS, dual-stack and VPC endpoints included)."""
    host = (urlsplit(endpoint).hostname or "").lower().rstrip(".")
    if host == "localhost" or _is_ip_address(host):  # AWS endpoints are names: no need to read botocore's data
        return False
    hostnames, suffixes = aws_names()
    return host in hostnames or any(host == suffix or host.endswith("." + suffix) for suffix in suffixes)


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@functools.cache
def aws_names() -> tuple[frozenset[str], tuple[str, ...]]:
    """(IAM hostnames, DNS suffixes) of every partition in botocore's own endpoint and partition data."""
    from botocore.loaders import create_loader

    loader = create_loader()
    endpoints = loader.load_data("endpoints")
    suffixes = set(_values_of("dnsSuffix", endpoints))  # each partition's, and its FIPS/dual-stack variants'
    partitions = _partitions_data()
    suffixes.update(_values_of("dnsSuffix", partitions), _values_of("dualStackDnsSuffix", partitions))
    hostnames = {
        hostname.lower()
        for partition in endpoints["partitions"]
        for hostname in _values_of("hostname", partition["services"].get("iam", {}))
        if "{" not in hostname
    }  # templates ({service}.{region}.{dnsSuffix}) fall under the suffixes
    return frozenset(hostnames), tuple(sorted(suffix.lower() for suffix in suffixes if suffix))


def _values_of(key: str, data: object) -> Iterator[str]:
    """Every string value of `key` anywhere in nested JSON data."""
    if isinstance(data, dict):
        for name, value in data.items():
            if name == key and isinstance(value, str):
                yield value
            else:
                yield from _values_of(key, value)
    elif isinstance(data, list):
        for item in data:
            yield from _values_of(key, item)


def _partitions_data() -> list[dict[str, Any]]:
    """The partition data endpoint rule sets resolve with ([] for a botocore from before them: endpoints.json holds
    every partition then)."""
    from botocore.exceptions import DataNotFoundError
    from botocore.loaders import create_loader

    try:
        return list(create_loader().load_data("partitions")["partitions"])
    except DataNotFoundError:
        return []


@functools.cache
def _iam_scopes() -> tuple[dict[str, str], dict[str, str]]:
    """(IAM hostname -> credential scope region, partition DNS suffix -> the partition's IAM scope region).

    First from IAM's endpoint rule set, as botocore's own client resolves it (botocore's EndpointProvider, in every
    region of every partition, plain, FIPS and dual-stack: the signing region of its sigv4 auth scheme); then, for
    hosts only the older endpoint data names (deprecated ones such as iam-govcloud-fips), botocore's EndpointResolver
    over endpoints.json. Hosts the rule set names win: GovCloud's dual-stack host lies under the aws partition's
    api.aws suffix, and only the exact host says it signs for us-gov-west-1."""
    from botocore.loaders import create_loader
    from botocore.regions import EndpointResolver

    loader = create_loader()
    by_host: dict[str, str] = {}
    by_suffix: dict[str, str] = {}
    for partition, region, url, scope in _rule_set_endpoints(loader):
        host = (urlsplit(url).hostname or "").lower()
        by_host.setdefault(host, scope)
        if region == partition["outputs"].get("implicitGlobalRegion"):  # the partition's own IAM, for its suffixes
            for key in ("dnsSuffix", "dualStackDnsSuffix"):
                if partition["outputs"].get(key):
                    by_suffix.setdefault(str(partition["outputs"][key]).lower(), scope)
    data: dict[str, Any] = loader.load_data("endpoints")
    resolver = EndpointResolver(data)
    for entry in data["partitions"]:
        name = entry["partition"]
        names = [*entry["services"].get("iam", {}).get("endpoints", {}), *entry.get("regions", {})]
        for region in names:
            for fips, dual in ((False, False), (True, False), (False, True), (True, True)):
                try:
                    found = resolver.construct_endpoint(
                        "iam", region, partition_name=name, use_fips_endpoint=fips, use_dualstack_endpoint=dual
                    )
                except Exception:  # noqa: BLE001 - botocore refuses a variant it does not know: that one only
                    continue
                if found and found.get("hostname"):
                    scope = found.get("credentialScope", {}).get("region") or region
                    by_host.setdefault(str(found["hostname"]).lower(), scope)
                    if found.get("dnsSuffix"):
                        by_suffix.setdefault(str(found["dnsSuffix"]).lower(), scope)
    return by_host, by_suffix


def _rule_set_endpoints(loader: Any) -> Iterator[tuple[dict[str, Any], str, str, str]]:
    """(partition, region, URL, signing region) for IAM in every region of every partition, plain, FIPS and
    dual-stack, as botocore's EndpointProvider resolves IAM's endpoint rule set (nothing for a botocore without)."""
    from botocore.endpoint_provider import EndpointProvider
    from botocore.exceptions import DataNotFoundError

    try:
        rule_set = loader.load_service_model("iam", "endpoint-rule-set-1")
    except DataNotFoundError:
        return
    data = loader.load_data("partitions")
    provider = EndpointProvider(rule_set, data)
    for partition in data["partitions"]:
        for region in [partition["outputs"].get("implicitGlobalRegion"), *partition.get("regions", {})]:
            for fips, dual in ((False, False), (True, False), (False, True), (True, True)):
                try:
                    found = provider.resolve_endpoint(Region=region, UseFIPS=fips, UseDualStack=dual)
                except Exception:  # noqa: BLE001 - the rule set refuses a variant that partition lacks: that one only
                    continue
                schemes = found.properties.get("authSchemes") or [{}]
                yield partition, str(region), found.url, str(schemes[0].get("signingRegion") or region)


def credential_scope(endpoint: str) -> str | None:
    """The region an AWS IAM endpoint signs for, as botocore's endpoint data says: the endpoint's own when botocore
    names the host, else its partition's (any host under a partition's DNS suffix: a VPC endpoint, say); None for a
    host that is not AWS's."""
    if not is_real_aws(endpoint):
        return None
    host = (urlsplit(endpoint).hostname or "").lower().rstrip(".")
    by_host, by_suffix = _iam_scopes()
    if host in by_host:
        return by_host[host]
    suffixes = sorted((s for s in by_suffix if host == s or host.endswith("." + s)), key=len, reverse=True)
    return by_suffix[suffixes[0]] if suffixes else None
