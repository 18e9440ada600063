"""iam-conformance: a conformance suite for implementations of AWS IAM's ListSigningCertificates.

Folders by concern, each importing only from those below it (ARCHITECTURE.md; import-linter checks it):
cli -> selftest -> reference -> run -> reports -> results -> suite -> world -> checks -> config -> protocol -> safety
-> contract -> errors.
"""
