"""A conformance run inside pytest: how it starts (start, preflight), the one process that owns it (owner), each
process's part (process, phases), the users shared with xdist workers (shared) and the pytest plugin that is inert
until asked (plugin).

It may import conformance.reports and below.
"""
