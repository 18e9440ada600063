"""What a run concluded: what the run's owner recorded from every process (record), each deviation's evidence and
signature (evidence, signatures), the immutable, typed result with its verdict (result, outcomes), baselines and the
gate (baselines), and finished runs read back and compared (summary_file, compare, matrix).

It may import conformance.suite and below; never a renderer (conformance.reports) nor the run (conformance.run).
"""
