"""What keeps a target's answers from harming the person reading the reports: secrets redacted (redaction), what is
kept of one value bounded (bounds), terminal controls neutralised (terminal), files written without following links
and read back with bounds (files).

It may import only conformance.contract and conformance.errors.
"""
