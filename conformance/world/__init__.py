"""What the suite creates on the target and how it goes away again: throw-away certificates (certificates), users
with certificates and keys under the run's own path (seeding), listings walked page by page (walking), the users most
checks list (population), and bounded cleanup (cleanup).

It may import conformance.checks (the data types the checks judge) and below.
"""
