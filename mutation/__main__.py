"""`python -m mutation`: see mutation/run.py."""

from mutation.run import main

raise SystemExit(main())
