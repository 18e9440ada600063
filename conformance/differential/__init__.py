"""`iam-conformance diff`: a recording (conformance.recording) replayed against another target, and every answer
compared with the recorded one.

replay: the recorded requests sent again in their order, placeholders bound to the new target's values (its own
users, certificates, access keys, Markers), within the suite's safety rules; compare: how two normalised answers
differ; judging: the recorded run's judgments made again on the new answers (contract differences); allowlist: known
behaviour differences; session: the whole command (options, target, preflight, cleanup, reports).

It may import conformance.run and below.
"""
