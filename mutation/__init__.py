"""Mutation testing of the reference IAM (issue 14): how much of the reference's behaviour the suite pins down.

Run: `make mutation` (installs the `mutation` extra, then `python -m mutation`; options: `--budget-minutes`,
`--workers`, mutmut name patterns to run a subset, written to mutation/.work/partial-results.json). Writes
mutation/results.json (committed) and prints a summary, the score first.

How it works
- Tool: mutmut 3.8. It writes every mutant of a function into one copy of the module behind a trampoline and
  selects the active one per process (MUTANT_UNDER_TEST), forking each mutant's test run from a process that has
  already imported and run everything. cosmic-ray 8.7 rewrites the file on disk per mutant and starts the test
  command as a new process each time (~3 s of interpreter start-up and imports per mutant, ~2,000 mutants here);
  mutmut's fork costs milliseconds. Its configuration is mutation/setup.cfg.
- Mutated: conformance/reference/{app,store,render,sigv4}.py. mutmut itself leaves out docstrings, type
  annotations and decorated functions; the reference has no logging.
- Per mutant (mutation/harness/test_reference_mutant.py): the real suite, `conformance.cli.main(["run",
  "--profile", "standard", "--seed", "1414", ...])`, in the forked process against the mutated reference (exit 0
  survived, 1 killed, 2 incomplete; summary.json's failed requirements kept), then the differential probe.
  Requests reach the app through a requests transport adapter, not sockets (mutation/transport.py): 0.65 s
  instead of 1.15 s per suite run; a test checks that the probe sees identical answers either way. The suite's
  eventual-consistency sleeps only advance a virtual monotonic clock (`suite_run.instant_waits`): against an
  in-process target nothing changes while it sleeps. Checked on 13 slow killed mutants: the same failed
  requirements, 1-7 s instead of 10-62 s; 7 former timeouts (~63 s each) were such sleeps and end in 1-3 s.
- Limits: mutmut stops a mutant after (estimate + 2 s) x 8 of wall time (~30 s) and twice that of CPU time; the
  whole run has a budget (default 29 minutes, so that `make mutation` ends within 30): on overrun mutmut is
  interrupted and the rest counted `not_run`.
- Equivalence (mutation/probe.py, probe_sequence.py, probe_steps.py): ~270 fixed requests covering every
  action the reference serves and every ListSigningCertificates parameter valid and invalid, GET and POST,
  walks with MaxItems 1-3 and changed between pages, foreign, tampered and suffixed markers, values valid but for a
  line break, %FF, bodies changed after signing with their hash declared, unsigned / wrong secret / unknown key /
  root / user / deleted keys, stale and future signatures, Inactive and deleted certificates. Answers are
  normalised (ids, request ids, secrets, markers, dates) and compared with the unmutated reference's; a mutant the
  suite did not catch is equivalent only when the whole sequence matches. Every differing ListSigningCertificates
  answer is judged (how many, and whether each differs only in an error's wording), not only the first.
- Classification and score: mutation/results.py. Score = killed / (total - excluded); exclusions are counted by
  reason (equivalent, outside the contract, timeout, suite error), each mutant's with a one-line reason; a run
  that ended incomplete is a survivor unless its difference lies outside the contract. The suite runs with
  --known-good-credentials: a mutant refusing the reference's own valid key is judged by the requirements.
- Results: mutation/results.json, committed (per mutant: id, diff, outcome, why, the requests that killed it;
  mutmut's version, the seeds, the command); docs/proving.md and README.md show the score recomputed from it.

Not covered: the reference under non-default Flavours (code only they reach shows up as equivalent), and
server.py (the socket server) and the Flavour defaults themselves.
"""
