"""Talking to an IAM endpoint: which target and credentials (target), the query-protocol client with SigV4 from
botocore (client) and how the auth checks sign otherwise than they send (signing), a bounded reading of what came
back (wire), the time each call may take (budget) and how many may be in flight (pace).

It may import conformance.safety, conformance.contract and conformance.errors.
"""
