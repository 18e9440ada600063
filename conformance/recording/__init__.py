"""A recording of a run: every request it sent and every answer it got, normalised so that another run (another
target) can be compared with it, and the judgments its tests made; written by the run's owner (`run --record DIR`),
read back by `iam-conformance diff` (conformance.differential). The format is documented in docs/differential.md.

placeholders: the stable names values get on first sight; normalise: requests and answers in that form; format: the
files and their versioned records; capture: one process's share (its calls, its judgments, encoded); assemble: the
owner's merge of every process's share into one recording; differences: what a diff found, as reports render it.

It may import conformance.checks and below.
"""
