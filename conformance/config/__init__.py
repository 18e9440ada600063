"""A run's configuration: its options as the CLI and the pytest plugin declare them (options), the Hypothesis profiles
(profiles), the resolved, frozen settings every process of a run shares (settings), and the user's cache folder
(caches).

It may import conformance.protocol and below.
"""
