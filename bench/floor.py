"""The floor of a suite run: one interpreter start, the same HTTP and signing imports, and N bare SigV4-signed
requests to the same kind of target over one pooled connection. bench.py times the whole process."""

import sys

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main(url: str, count: int, key: str, secret: str) -> None:
    session = requests.Session()
    credentials = Credentials(key, secret)
    for _ in range(count):
        aws = AWSRequest(
            method="POST",
            url=url,
            data={"Action": "ListSigningCertificates", "Version": "2010-05-08"},
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        SigV4Auth(credentials, "iam", "us-east-1").add_auth(aws)
        prepared = aws.prepare()
        response = session.request("POST", prepared.url, headers=dict(prepared.headers), data=prepared.body, timeout=30)
        _ = response.content


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])
