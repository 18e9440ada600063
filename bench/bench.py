"""`make bench`: the standard profile against the reference target beside its floor, medians of several runs.

(a) `iam-conformance run --profile standard` against a reference served on loopback, whole process;
(b) its floor (bench/floor.py): interpreter start, the same imports, the same number of bare signed requests.
Also: a per-request breakdown (sign, send, parse, validate), -n 1 vs -n 2, the quick profile, and the request
count per category. Figures go to bench/results.json (or --out). Nothing here asserts a time: it measures.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOALS = {"ratio_to_floor": 2.0, "requests": 400, "speedup_n2": 1.6, "quick_s": 5.0}


def timed(command: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    return time.perf_counter() - started, done


def suite_run(url: str, env: dict[str, str], *extra: str) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as reports:
        seconds, done = timed([sys.executable, "-m", "conformance.cli", "run", "--endpoint-url", url,
                               "--report-dir", reports, *extra], env)
        if done.returncode != 0:
            raise SystemExit(f"bench: the suite did not pass on the reference (exit {done.returncode}):\n{done.stdout[-2000:]}")
        return seconds, json.loads((Path(reports) / "summary.json").read_text())


def breakdown(url: str, key: str, secret: str, samples: int = 60) -> dict[str, float]:
    """Median milliseconds per phase of one listing of a user with two certificates."""
    import requests
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from conformance.client import IamClient, Identity
    from conformance.schemas import SUCCESS_SCHEMA, schema_errors
    from conformance.seeding import Seeder
    from conformance.wire import parse_xml

    client = IamClient(url, "us-east-1", Identity("bench", Credentials(key, secret)))
    seeder = Seeder(client, "bench0000-bench")
    user = seeder.fill(seeder.user("breakdown"), 2)
    session, credentials = requests.Session(), Credentials(key, secret)
    phases: dict[str, list[float]] = {"sign": [], "send": [], "parse": [], "validate": []}
    try:
        for _ in range(samples):
            t0 = time.perf_counter()
            aws = AWSRequest(method="POST", url=url, data={"Action": "ListSigningCertificates", "Version": "2010-05-08",
                                                           "UserName": user.name},
                             headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
            SigV4Auth(credentials, "iam", "us-east-1").add_auth(aws)
            prepared = aws.prepare()
            t1 = time.perf_counter()
            body = session.request("POST", prepared.url, headers=dict(prepared.headers), data=prepared.body).content
            t2 = time.perf_counter()
            root = parse_xml(body)
            t3 = time.perf_counter()
            assert schema_errors(root, SUCCESS_SCHEMA) == []
            t4 = time.perf_counter()
            for name, seconds in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                phases[name].append(seconds * 1000)
    finally:
        seeder.cleanup()
        client.close()
    return {name: round(statistics.median(values), 3) for name, values in phases.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; medians are reported")
    parser.add_argument("--out", default=str(HERE / "results.json"))
    args = parser.parse_args(argv)

    from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY, ReferenceServer

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=ROOT_ACCESS_KEY, AWS_SECRET_ACCESS_KEY=ROOT_SECRET_KEY, CI="1")  # derandomized
    median = statistics.median
    with ReferenceServer() as server:
        standard = [suite_run(server.url, env, "--profile", "standard") for _ in range(args.repeat)]
        requests_sent = standard[0][1]["request_count"]
        floor = [timed([sys.executable, str(HERE / "floor.py"), server.url, str(requests_sent), ROOT_ACCESS_KEY,
                        ROOT_SECRET_KEY], env)[0] for _ in range(args.repeat)]
        one = [suite_run(server.url, env, "--profile", "standard", "-n", "1")[0] for _ in range(args.repeat)]
        two = [suite_run(server.url, env, "--profile", "standard", "-n", "2")[0] for _ in range(args.repeat)]
        quick = [suite_run(server.url, env, "--profile", "quick")[0] for _ in range(args.repeat)]
        phases = breakdown(server.url, ROOT_ACCESS_KEY, ROOT_SECRET_KEY)

    figures = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "repeat": args.repeat,
        "standard_s": round(median(s for s, _ in standard), 2),
        "floor_s": round(median(floor), 2),
        "requests": requests_sent,
        "requests_by_category": standard[0][1]["requests_by_category"],
        "n1_s": round(median(one), 2),
        "n2_s": round(median(two), 2),
        "quick_s": round(median(quick), 2),
        "per_request_ms": phases,
    }
    figures["ratio_to_floor"] = round(figures["standard_s"] / figures["floor_s"], 2)
    figures["speedup_n2"] = round(figures["n1_s"] / figures["n2_s"], 2)
    Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")

    def verdict(ok: bool) -> str:
        return "meets" if ok else "MISSES"

    print(f"bench on {figures['machine']} (medians of {args.repeat} runs)")
    print(f"  standard profile, whole process: {figures['standard_s']:>6.2f} s, {requests_sent} requests")
    print(f"  floor (same imports + {requests_sent} bare signed requests): {figures['floor_s']:>6.2f} s")
    print(f"  ratio {figures['ratio_to_floor']}x  ({verdict(figures['ratio_to_floor'] <= GOALS['ratio_to_floor'])} "
          f"the goal of <= {GOALS['ratio_to_floor']}x); requests {verdict(requests_sent <= GOALS['requests'])} "
          f"the budget of {GOALS['requests']}")
    print("  requests by category: " + ", ".join(f"{k} {v}" for k, v in figures["requests_by_category"].items()))
    print("  per request (median ms): " + ", ".join(f"{k} {v}" for k, v in phases.items()))
    print(f"  -n 1: {figures['n1_s']:.2f} s, -n 2: {figures['n2_s']:.2f} s, speedup {figures['speedup_n2']}x "
          f"({verdict(figures['speedup_n2'] >= GOALS['speedup_n2'])} the goal of >= {GOALS['speedup_n2']}x)")
    print(f"  quick profile: {figures['quick_s']:.2f} s ({verdict(figures['quick_s'] < GOALS['quick_s'])} "
          f"the goal of < {GOALS['quick_s']} s)")
    print(f"  figures written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
