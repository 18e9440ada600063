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
    from botocore.exceptions import DataNotFoundError
    from botocore.loaders import create_loader

    loader = create_loader()
    endpoints = loader.load_data("endpoints")
    suffixes = set(_values_of("dnsSuffix", endpoints))  # each partition's, and its FIPS/dual-stack variants'
    try:
        partitions = loader.load_data("partitions")["partitions"]  # the data endpoint rule sets resolve with
    except DataNotFoundError:  # a botocore from before endpoint rule sets: endpoints.json holds them all
        partitions = []
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


@functools.cache
def _iam_scopes() -> tuple[dict[str, str], dict[str, str]]:
    """(IAM hostname -> credential scope region, partition DNS suffix -> the partition's IAM scope region), from
    botocore's EndpointResolver over every partition, region and FIPS/dual-stack variant it knows."""
    from botocore.loaders import create_loader
    from botocore.regions import EndpointResolver

    data: dict[str, Any] = create_loader().load_data("endpoints")
    resolver = EndpointResolver(data)
    by_host: dict[str, str] = {}
    by_suffix: dict[str, str] = {}
    for partition in data["partitions"]:
        name = partition["partition"]
        iam = partition["services"].get("iam", {})
        names = [*iam.get("endpoints", {}), *partition.get("regions", {})]
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
                        by_suffix.setdefault(str(found["dnsSuffix"]).lower(), by_host[str(found["hostname"]).lower()])
    return by_host, by_suffix


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
