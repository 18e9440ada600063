"""`python -m conformance.cli`: the `iam-conformance` command."""

from conformance.cli import entry

entry()
