"""What real IAM's manners cost a standard run: requests, wall time and consistency waits against the reference with
each kind of caller (the root's keys, a user holding exactly README's least-privilege policy, a role's session) and
with listings that lag behind writes. `python bench/manners.py [--seed N]`; the README's table comes from it.
Nothing here asserts: it measures (the conformance of each case is asserted in tests/test_real_iam_manners.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conformance.reference import ACCOUNT_ID, ROOT_ACCESS_KEY, ROOT_SECRET_KEY, ReferenceApp, ReferenceServer, Store

README = Path(__file__).resolve().parents[1] / "README.md"
ROOT_ENV = {"AWS_ACCESS_KEY_ID": ROOT_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": ROOT_SECRET_KEY}


def readme_policy() -> str:
    section = README.read_text(encoding="utf-8").split("## Running against real AWS", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```json\n(.*?)```", section, re.S)[0].replace("111122223333", ACCOUNT_ID)


def least_privilege_user(store: Store) -> dict[str, str]:
    user = store.create_user("ci")
    store.put_user_policy(user, "from-readme", readme_policy())
    key = store.create_access_key(user)
    return {"AWS_ACCESS_KEY_ID": key.access_key_id, "AWS_SECRET_ACCESS_KEY": key.secret}


def role_session(store: Store) -> dict[str, str]:
    issued = store.issue_session()
    return {
        "AWS_ACCESS_KEY_ID": issued.access_key_id,
        "AWS_SECRET_ACCESS_KEY": issued.secret,
        "AWS_SESSION_TOKEN": issued.token,
    }


CASES = (  # (caller, lag in seconds, the store's options)
    ("root", 0.0, {}),
    ("least-privilege user", 0.0, {"enforce_policies": True}),
    ("role session", 0.0, {}),
    ("least-privilege user", 1.5, {"enforce_policies": True}),
    ("root", 3.0, {}),
)
CALLERS = {"root": lambda store: ROOT_ENV, "least-privilege user": least_privilege_user, "role session": role_session}


def measure(caller: str, lag: float, options: dict, seed: int) -> dict:
    store = Store(consistency_lag_s=lag, **options)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | CALLERS[caller](store)
    report_dir = Path(tempfile.mkdtemp(prefix="iam-conformance-manners-"))
    with ReferenceServer(app=ReferenceApp(store=store)) as server:
        started = time.monotonic()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "conformance.cli",
                "run",
                "--endpoint-url",
                server.url,
                "--report-dir",
                str(report_dir),
                "--seed",
                str(seed),
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        wall = time.monotonic() - started
    summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    waits = summary.get("consistency_waits", [])
    return {
        "caller": caller,
        "lag_s": lag,
        "exit": done.returncode,
        "verdict": summary["verdict"],
        "requests": summary["request_count"],
        "wall_s": round(wall, 1),
        "waits": len(waits),
        "waited_s": round(sum(w.get("seconds", 0) for w in waits), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"{'caller':22} {'lag':>5}  {'exit':>4} {'verdict':12} {'requests':>8} {'wall':>7}  waits")
    for caller, lag, options in CASES:
        row = measure(caller, lag, options, args.seed)
        print(
            f"{caller:22} {lag:4.1f}s  {row['exit']:>4} {row['verdict']:12} {row['requests']:>8} "
            f"{row['wall_s']:6.1f}s  {row['waits']} ({row['waited_s']} s in all, overlapped)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
