"""The probe's steps, grouped by what they exercise (the order is fixed: `walk`, at the end)."""

from __future__ import annotations

from botocore.credentials import Credentials

from mutation.probe_sequence import (
    ALICE,
    BOB,
    CAROL,
    LIST,
    MARKER_VALUES,
    MAX_ITEMS_VALUES,
    USER_NAME_VALUES,
    Prober,
    certificate,
)

POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}'


def protocol(p: Prober) -> None:
    p.send("no Action", None)
    p.send("unknown Action", "ListSigningCertificate")
    p.send("Action in lower case", "listsigningcertificates")
    p.send("no Version", LIST, version=None)
    p.send("unknown Version", LIST, version="2010-05-09")
    p.send("unknown Action by GET", "ListSigningCertificate", method="GET")
    p.send("Action only in the query string of a POST", None, {"UserName": "nobody"}, query=f"Action={LIST}")
    p.send(
        "POST: query and body disagree, the body wins", LIST, {"UserName": "nobody-body"}, query="UserName=nobody-query"
    )
    p.send(
        "POST with a JSON content type (body ignored)",
        None,
        {"UserName": "nobody"},
        query=f"Action={LIST}&Version=2010-05-08",
        content_type="application/json",
    )
    p.send(
        "GET with MaxItems twice (the first wins)",
        LIST,
        {"UserName": "nobody"},
        method="GET",
        query="MaxItems=1&MaxItems=abc",
    )
    p.send("unknown parameter", LIST, {"UserName": "nobody", "Foo": "bar"})


def users_and_uploads(p: Prober) -> dict[str, list[str]]:
    """Users alice (2 certificates), bob (2), carol (none) and one for root; returns certificate ids by owner."""
    p.send("GetUser as root", "GetUser")
    for name, path in ((ALICE, "/probe/"), (BOB, "/probe/"), (CAROL, "/")):
        p.send(f"CreateUser {name}", "CreateUser", {"UserName": name, "Path": path})
    p.send("CreateUser, a name differing only in case", "CreateUser", {"UserName": "Probe-Alice"})
    p.send("CreateUser, a name outside the pattern", "CreateUser", {"UserName": "bad/name"})
    p.send("CreateUser without UserName", "CreateUser", {})
    p.send("CreateUser with a bad Path", "CreateUser", {"UserName": "probe-dave", "Path": "noslash"})
    for name in (ALICE, "PROBE-ALICE", "probe-nobody"):
        p.send(f"GetUser {name}", "GetUser", {"UserName": name})
    for prefix in (None, "/probe/", "/nothing/"):
        p.send(f"ListUsers {prefix}", "ListUsers", {"PathPrefix": prefix} if prefix else {})

    ids: dict[str, list[str]] = {ALICE: [], BOB: [], CAROL: [], "root": []}  # carol: the reference refuses hers

    def upload(label: str, body: str, user: str | None, owner: str) -> None:
        answer = p.send(
            label, "UploadSigningCertificate", {"CertificateBody": body, **({"UserName": user} if user else {})}
        )
        if answer.status == 200:
            ids[owner].append(answer.first("CertificateId") or "")

    upload("upload alice #0", certificate(0), ALICE, ALICE)
    upload("upload alice #1", certificate(1), ALICE, ALICE)
    upload("upload alice #2 (over the quota)", certificate(2), ALICE, ALICE)
    upload("upload alice #0 again (duplicate)", certificate(0), ALICE, ALICE)
    upload("upload bob #0 (alice's body)", certificate(0), BOB, BOB)
    upload("upload bob #2 with CRLF line ends", certificate(2).replace("\n", "\r\n"), BOB, BOB)
    upload("upload bob #2 again, other whitespace", "\n  " + certificate(2) + "  \n", BOB, BOB)
    upload("upload for root (no UserName)", certificate(3), None, "root")
    upload("upload a malformed body", "not a certificate", CAROL, CAROL)
    upload("upload a body outside the pattern", "\u0100", CAROL, CAROL)
    upload("upload an empty body", "", CAROL, CAROL)
    upload("upload for a missing user", certificate(4), "probe-nobody", CAROL)
    return ids


def listings(p: Prober, method: str) -> None:
    for label, params in (
        ("alice", {"UserName": ALICE}),
        ("bob", {"UserName": BOB}),
        ("carol (none)", {"UserName": CAROL}),
        ("root (no UserName)", {}),
        ("alice in upper case", {"UserName": "PROBE-ALICE"}),
        ("a missing user", {"UserName": "probe-nobody"}),
    ):
        p.send(f"{method} list {label}", LIST, params, method=method)


def parameters(p: Prober, method: str) -> None:
    for value in MAX_ITEMS_VALUES:
        p.send(f"{method} MaxItems={value!r}", LIST, {"UserName": ALICE, "MaxItems": value}, method=method)
    for value in USER_NAME_VALUES:
        p.send(f"{method} UserName={value!r}", LIST, {"UserName": value}, method=method)
    for value in MARKER_VALUES:
        p.send(f"{method} Marker={value!r}", LIST, {"UserName": ALICE, "Marker": value}, method=method)
    for label, params in (
        ("MaxItems=0, UserName=a/b", {"UserName": "a/b", "MaxItems": "0"}),
        ("MaxItems=abc, Marker=''", {"UserName": ALICE, "MaxItems": "abc", "Marker": ""}),
        ("all three invalid", {"UserName": "", "MaxItems": "1001", "Marker": "x" * 321}),
        ("MaxItems=0 for a missing user", {"UserName": "probe-nobody", "MaxItems": "0"}),
    ):
        p.send(f"{method} {label}", LIST, params, method=method)


def _walk(p: Prober, label: str, method: str, params: dict[str, str], sizes: list[str | None]) -> list[str]:
    """Pages of one listing, MaxItems per page from `sizes` (None: omitted); the markers it was given."""
    markers: list[str] = []
    marker = None
    for page, size in enumerate(sizes):
        sent = dict(params, **({"MaxItems": size} if size else {}), **({"Marker": marker} if marker else {}))
        answer = p.send(f"{method} {label}, page {page + 1}", LIST, sent, method=method)
        marker = answer.first("Marker")
        if not marker:
            break
        markers.append(marker)
    return markers


def paging(p: Prober, method: str) -> None:
    alice = {"UserName": ALICE}
    for size in ("1", "2", "3"):
        _walk(p, f"walk alice MaxItems={size}", method, alice, [size] * 4)
    _walk(p, "walk bob MaxItems=1", method, {"UserName": BOB}, ["1"] * 3)
    _walk(p, "walk root MaxItems=1", method, {}, ["1"] * 2)
    _walk(p, "walk alice MaxItems 1 then 3", method, alice, ["1", "3"])
    _walk(p, "walk alice MaxItems 1 then omitted", method, alice, ["1", None])
    _walk(p, "walk alice MaxItems 1 then 1000", method, alice, ["1", "1000"])
    first = _walk(p, "alice's first page", method, alice, ["1"])
    bob_first = _walk(p, "bob's first page", method, {"UserName": BOB}, ["1"])
    marker = first[0] if first else "missing"
    bob_marker = bob_first[0] if bob_first else "missing"
    changed = marker[:-3] + ("B" if marker[-3:-2] != "B" else "C") + marker[-2:]
    for derived in (changed, marker[:-4], marker + "AAAA"):  # opaque like the marker they come from
        p.normaliser.register("Marker", derived)
    for label, params in (
        ("the same marker again", {"UserName": ALICE, "Marker": marker}),
        ("alice's marker for bob", {"UserName": BOB, "Marker": marker}),
        ("alice's marker for root", {"Marker": marker}),
        ("alice's marker, UserName in upper case", {"UserName": "PROBE-ALICE", "Marker": marker}),
        ("bob's marker for alice", {"UserName": ALICE, "Marker": bob_marker}),
        ("alice's marker with MaxItems=0", {"UserName": ALICE, "Marker": marker, "MaxItems": "0"}),
        ("alice's marker with one character changed", {"UserName": ALICE, "Marker": changed}),
        ("alice's marker, cut short", {"UserName": ALICE, "Marker": marker[:-4]}),
        ("alice's marker with a suffix", {"UserName": ALICE, "Marker": marker + "AAAA"}),
    ):
        p.send(f"{method} {label}", LIST, params, method=method)


def auth(p: Prober) -> None:
    for owner, label in ((ALICE, "alice"), (BOB, "bob"), (ALICE, "alice-2")):
        answer = p.send(f"CreateAccessKey {label}", "CreateAccessKey", {"UserName": owner})
        key, secret = answer.first("AccessKeyId"), answer.first("SecretAccessKey")
        if key and secret:
            p.keys[label] = Credentials(key, secret)
    p.send("CreateAccessKey alice, over the quota", "CreateAccessKey", {"UserName": ALICE})
    p.send("ListAccessKeys alice", "ListAccessKeys", {"UserName": ALICE})
    for method in ("POST", "GET"):
        p.send(f"{method} list as alice, no UserName", LIST, {}, method=method, signer="alice")
        p.send(f"{method} list as bob, no UserName, MaxItems=1", LIST, {"MaxItems": "1"}, method=method, signer="bob")
        p.send(f"{method} list bob as alice", LIST, {"UserName": BOB}, method=method, signer="alice")
        for signer in (None, "wrong-secret", "unknown-key"):
            p.send(f"{method} list alice as {signer}", LIST, {"UserName": ALICE}, method=method, signer=signer)
    p.send("GetUser as alice", "GetUser", signer="alice")
    p.send("ListAccessKeys as alice", "ListAccessKeys", signer="alice")
    alice = {"UserName": ALICE}
    for label, options in (
        ("signed 20 minutes ago", {"minutes": -20}),
        ("signed 14 minutes ago", {"minutes": -14}),
        ("signed 20 minutes ahead", {"minutes": 20}),
        ("signed 14 minutes ahead", {"minutes": 14}),
        ("scoped to s3", {"service": "s3"}),
        ("scoped to eu-west-1", {"region": "eu-west-1"}),
    ):
        p.send(f"list alice {label}", LIST, alice, **options)
    for label, tamper in _TAMPERINGS:
        p.send(f"list alice, {label}", LIST, alice, tamper=tamper)
    second = p.keys.get("alice-2")
    if second is not None:
        p.send("DeleteAccessKey alice-2", "DeleteAccessKey", {"UserName": ALICE, "AccessKeyId": second.access_key})
        p.send("list alice with the deleted key", LIST, alice, signer="alice-2")
        p.send(
            "DeleteAccessKey alice-2 again", "DeleteAccessKey", {"UserName": ALICE, "AccessKeyId": second.access_key}
        )
    p.send(
        "DeleteAccessKey, an unknown id", "DeleteAccessKey", {"UserName": ALICE, "AccessKeyId": "AKIAPROBEUNKNOWN0002"}
    )


def changed_in_transit(p: Prober) -> None:
    """Values valid but for a final line break, bytes that are no UTF-8, markers altered, bodies changed after
    signing with their hash declared (and one declared right)."""
    alice = {"UserName": ALICE}
    for label, name in (("alice's name", ALICE), ("a missing user's name", "probe-nobody")):
        p.send(f"{label} with a trailing line break", LIST, {"UserName": name + "\n"})
    first = p.send("alice's first page, for markers altered", LIST, {**alice, "MaxItems": "1"}).first("Marker")
    marker = first or "missing"
    for label, altered in (("a trailing line break", marker + "\n"), ("a character appended", marker + "!")):
        p.normaliser.register("Marker", altered)
        p.send(f"alice's marker with {label}", LIST, {**alice, "MaxItems": "1", "Marker": altered})
    p.send("%FF in UserName (query string of a POST)", LIST, {}, query="UserName=probe%FFalice")
    p.send("%FF in Marker (GET)", LIST, alice, method="GET", query="Marker=%FFprobe")
    p.send("a body changed after signing, its hash declared", LIST, alice, declared_over={"UserName": BOB})
    p.send("its hash declared right", LIST, alice, declared_over={})


def _set(name: str, value: str):
    return lambda headers: headers.__setitem__(name, value)


def _edit_authorization(old: str, new: str):
    def tamper(headers: dict[str, str]) -> None:
        headers["Authorization"] = headers["Authorization"].replace(old, new, 1)

    return tamper


def _drop(name: str):
    return lambda headers: headers.pop(name, None)


def _flip_signature(headers: dict[str, str]) -> None:
    value = headers["Authorization"]
    headers["Authorization"] = value[:-1] + ("0" if value[-1] != "0" else "1")


_TAMPERINGS = (
    ("the signature altered", _flip_signature),
    ("no X-Amz-Date", _drop("X-Amz-Date")),
    ("X-Amz-Date not in basic format", _set("X-Amz-Date", "2020-01-01T00:00:00Z")),
    ("algorithm AWS4-HMAC-SHA1", _edit_authorization("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1")),
    ("no Signature field", _edit_authorization("Signature=", "Sig=")),
    ("SignedHeaders without host", _edit_authorization("host;", "")),
    ("a 4-part credential scope", _edit_authorization("/aws4_request", "")),
    ("terminator aws4_requesx", _edit_authorization("/aws4_request", "/aws4_requesx")),
    ("scope day 2001-01-01", lambda h: h.__setitem__("Authorization", _scope_day(h["Authorization"], "20010101"))),
    ("a wrong X-Amz-Content-SHA256", _set("X-Amz-Content-SHA256", "0" * 64)),
    ("no Authorization, X-Amz-Date kept", _drop("Authorization")),
)


def _scope_day(authorization: str, day: str) -> str:
    head, _, rest = authorization.partition("Credential=")
    key, _, scope = rest.partition("/")
    return f"{head}Credential={key}/{day}{scope[8:]}"


def status_and_deletes(p: Prober, ids: dict[str, list[str]]) -> None:
    alice_ids = ids[ALICE] + ["MISSING0MISSING0MISSING0"] * 2
    bob_ids = ids[BOB] + ["MISSING0MISSING0MISSING0"] * 2
    for status in ("Inactive", "Active", "Inactive", "Expired", "bogus"):
        p.send(
            f"set alice #0 {status}",
            "UpdateSigningCertificate",
            {"UserName": ALICE, "CertificateId": alice_ids[0], "Status": status},
        )
        p.send(f"list alice after setting {status}", LIST, {"UserName": ALICE})
    p.send(
        "update an unknown id",
        "UpdateSigningCertificate",
        {"UserName": ALICE, "CertificateId": "UNKNOWN0UNKNOWN0UNKNOWN0", "Status": "Inactive"},
    )
    p.send(
        "update bob's certificate as alice's",
        "UpdateSigningCertificate",
        {"UserName": ALICE, "CertificateId": bob_ids[0], "Status": "Inactive"},
    )
    p.send(
        "update a too short id",
        "UpdateSigningCertificate",
        {"UserName": ALICE, "CertificateId": "SHORT", "Status": "Inactive"},
    )
    root_ids = ids["root"] + ["MISSING0MISSING0MISSING0"]
    p.send(
        "set root's certificate Inactive",
        "UpdateSigningCertificate",
        {"CertificateId": root_ids[0], "Status": "Inactive"},
    )
    p.send("list root", LIST, {})
    for method in ("POST", "GET"):
        p.send(
            f"{method} walk alice MaxItems=1 over an Inactive certificate",
            LIST,
            {"UserName": ALICE, "MaxItems": "1"},
            method=method,
        )
    first = p.send("alice page 1 before a deletion", LIST, {"UserName": ALICE, "MaxItems": "1"}).first("Marker")
    p.send("delete alice #0", "DeleteSigningCertificate", {"UserName": ALICE, "CertificateId": alice_ids[0]})
    p.send(
        "alice page 2 after deleting page 1's certificate",
        LIST,
        {"UserName": ALICE, "MaxItems": "1", "Marker": first or "missing"},
    )
    p.send("delete alice #0 again", "DeleteSigningCertificate", {"UserName": ALICE, "CertificateId": alice_ids[0]})
    p.send(
        "delete bob's certificate as alice's",
        "DeleteSigningCertificate",
        {"UserName": ALICE, "CertificateId": bob_ids[0]},
    )
    p.send("list alice after the deletion", LIST, {"UserName": ALICE})
    p.send("delete alice #1", "DeleteSigningCertificate", {"UserName": ALICE, "CertificateId": alice_ids[1]})
    p.send("list alice, now empty", LIST, {"UserName": ALICE})
    p.send("alice's old marker on an empty listing", LIST, {"UserName": ALICE, "Marker": first or "missing"})
    p.send(
        "upload alice #2 after the deletions",
        "UploadSigningCertificate",
        {"UserName": ALICE, "CertificateBody": certificate(2)},
    )
    p.send("list alice after a new upload", LIST, {"UserName": ALICE})


def teardown(p: Prober, ids: dict[str, list[str]]) -> None:
    bob = {"UserName": BOB}
    p.send("PutUserPolicy bob", "PutUserPolicy", {**bob, "PolicyName": "probe", "PolicyDocument": POLICY})
    p.send(
        "PutUserPolicy bob, malformed document",
        "PutUserPolicy",
        {**bob, "PolicyName": "bad", "PolicyDocument": "{not json"},
    )
    p.send("ListUserPolicies bob", "ListUserPolicies", bob)
    p.send("DeleteUser bob, certificates left", "DeleteUser", bob)
    for certificate_id in ids[BOB]:
        p.send("delete a bob certificate", "DeleteSigningCertificate", {**bob, "CertificateId": certificate_id})
    p.send("DeleteUser bob, access key left", "DeleteUser", bob)
    bob_key = p.keys.get("bob")
    p.send(
        "DeleteAccessKey bob", "DeleteAccessKey", {**bob, "AccessKeyId": bob_key.access_key if bob_key else "x" * 16}
    )
    p.send("DeleteUser bob, policy left", "DeleteUser", bob)
    p.send("DeleteUserPolicy bob", "DeleteUserPolicy", {**bob, "PolicyName": "probe"})
    p.send("DeleteUserPolicy bob again", "DeleteUserPolicy", {**bob, "PolicyName": "probe"})
    p.send("DeleteUser bob", "DeleteUser", bob)
    p.send("list bob after DeleteUser", LIST, bob)
    p.send("GetUser bob after DeleteUser", "GetUser", bob)
    p.send("DeleteUser bob again", "DeleteUser", bob)
    p.send("list as bob's deleted key", LIST, {}, signer="bob")
    p.send("ListUsers at the end", "ListUsers")


def walk(p: Prober) -> None:
    """The whole sequence; see the module docstring."""
    protocol(p)
    ids = users_and_uploads(p)
    for method in ("POST", "GET"):
        listings(p, method)
        parameters(p, method)
        paging(p, method)
    auth(p)
    changed_in_transit(p)
    status_and_deletes(p, ids)
    teardown(p, ids)
