"""`make bench`: the standard profile against the reference target beside its floor, medians of several runs.

(a) `iam-conformance run --profile standard` against a reference served on loopback, whole process, the suite as
    installed (a wheel of this checkout in a venv of its own, tools/wheel_venv.py), as a CI job installs it; warm (the
    user's caches) and cold (an empty HOME, as a CI runner starts);
(b) its floor (bench/floor.py): interpreter start, the same imports, the same number of bare signed requests.
(a) and (b) run in pairs, back to back, so that a machine slowing down for a while slows both; the ratio is the
median of the pairs' ratios, wall and CPU. Also: a per-request breakdown (sign, send, parse, validate), the quick
profile, the request count per category, -n 1 vs -n 2 on loopback (where every process competes for the same cores),
and against the same reference holding every answer back by --rtt-ms, as a target across a network does: the
default run beside requests x RTT, the same run with no limit on calls in flight, -n 2, and the verdicts of --seeds
runs with fresh seeds. Figures go to bench/results.json (or --out), samples included. Nothing here asserts a time:
it measures.
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
sys.path.insert(0, str(HERE.parent))  # tools/ of this checkout (run as a script, only bench/ is on the path)
PYTHON = [sys.executable]  # the installed suite's interpreter, once main() has installed it
# Where every timed command runs: an empty folder, as a CI job's step using the installed package. Never the checkout:
# `python -m conformance.cli` there imports the checkout's modules, not the wheel's, and Hypothesis, finding them
# outside site-packages, reads every one for constants to draw (cached in HOME: a cold run then paid for it alone).
WORKDIR = [tempfile.gettempdir()]
GOALS = {"ratio_to_floor": 2.0, "cpu_ratio_to_floor": 2.0, "requests": 400, "remote_ratio": 0.35, "quick_s": 5.0}
REAL_IAM_RTT_MS = 100  # the figure for one request to real IAM


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def _own_cpu() -> float:  # this process: the reference server's threads (the bench itself only waits)
    times = os.times()
    return times.user + times.system


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, float, subprocess.CompletedProcess]:
    """Wall seconds, CPU seconds of the command's processes, CPU seconds of the reference server, the result."""
    cpu, served, started = _children_cpu(), _own_cpu(), time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=WORKDIR[0])
    return time.perf_counter() - started, _children_cpu() - cpu, _own_cpu() - served, done


def suite_run(url: str, env: dict[str, str], *extra: str) -> dict:
    with tempfile.TemporaryDirectory() as reports:
        wall, cpu, server_cpu, done = timed(
            [*PYTHON, "-m", "conformance.cli", "run", "--endpoint-url", url, "--report-dir", reports, *extra], env
        )
        if done.returncode != 0:
            raise SystemExit(
                f"bench: the suite did not pass on the reference (exit {done.returncode}):\n{done.stdout[-2000:]}"
            )
        summary = json.loads((Path(reports) / "summary.json").read_text())
    chain = max(
        (
            test["requests"]
            for row in summary["requirements"]
            if row["id"] == "PAG-10"
            for test in row["test_results"]
            if "sequence" in test["name"]
        ),
        default=0,
    )
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "server_cpu_s": server_cpu,
        "requests": summary["request_count"],
        "requests_by_category": summary["requests_by_category"],
        "verdict": summary["verdict"],
        "failed": [row["id"] for row in summary["requirements"] if row["status"] == "failed"],
        "state_machine_requests": chain,
    }


def cold_run(url: str, env: dict[str, str], *extra: str) -> dict:
    """suite_run with a new, empty HOME and no XDG_CACHE_HOME: a CI runner's first run, every cache empty."""
    with tempfile.TemporaryDirectory(prefix="bench-home-") as home:
        return suite_run(url, {k: v for k, v in env.items() if k != "XDG_CACHE_HOME"} | {"HOME": home}, *extra)


def floor_run(url: str, env: dict[str, str], requests_sent: int, key: str, secret: str) -> dict:
    wall, cpu, server_cpu, _ = timed([*PYTHON, str(HERE / "floor.py"), url, str(requests_sent), key, secret], env)
    return {"wall_s": wall, "cpu_s": cpu, "server_cpu_s": server_cpu}


def breakdown(url: str, key: str, secret: str, samples: int = 60) -> dict[str, float]:
    """Median milliseconds per phase of one listing of a user with two certificates."""
    import requests
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from conformance.contract.schemas import SUCCESS_SCHEMA, schema_errors
    from conformance.protocol.client import IamClient, Identity
    from conformance.protocol.wire import parse_xml
    from conformance.world.seeding import Seeder

    client = IamClient(url, "us-east-1", Identity("bench", Credentials(key, secret)))
    seeder = Seeder(client, "bench0000-bench")
    user = seeder.fill(seeder.user("breakdown"), 2)
    session, credentials = requests.Session(), Credentials(key, secret)
    phases: dict[str, list[float]] = {"sign": [], "send": [], "parse": [], "validate": []}
    try:
        for _ in range(samples):
            t0 = time.perf_counter()
            aws = AWSRequest(
                method="POST",
                url=url,
                data={"Action": "ListSigningCertificates", "Version": "2010-05-08", "UserName": user.name},
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            )
            SigV4Auth(credentials, "iam", "us-east-1").add_auth(aws)
            prepared = aws.prepare()
            t1 = time.perf_counter()
            body = session.request("POST", prepared.url, headers=dict(prepared.headers), data=prepared.body).content
            t2 = time.perf_counter()
            root = parse_xml(body)
            t3 = time.perf_counter()
            assert schema_errors(root, SUCCESS_SCHEMA) == []
            t4 = time.perf_counter()
            for name, seconds in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=False):
                phases[name].append(seconds * 1000)
    finally:
        seeder.cleanup()
        client.close()
    return {name: round(statistics.median(values), 3) for name, values in phases.items()}


def median_of(runs: list[dict], key: str = "wall_s") -> float:
    return round(statistics.median(run[key] for run in runs), 2)


def remote_like(url: str, env: dict[str, str], repeat: int, rtt_ms: int, seeds: int) -> dict:
    """The default standard run against a target `rtt_ms` away, beside the sum of its round trips; the same run with
    no limit on calls in flight (what the chains of dependent requests cost); the same with -n 2; and the verdicts
    of `seeds` runs with fresh seeds."""
    runs = [suite_run(url, env, "--profile", "standard") for _ in range(repeat)]
    cold_runs = [cold_run(url, env, "--profile", "standard") for _ in range(repeat)]
    unbounded = [suite_run(url, env, "--profile", "standard", "--max-concurrency", "10000") for _ in range(repeat)]
    two = [suite_run(url, env, "--profile", "standard", "-n", "2") for _ in range(repeat)]
    seeded_env = {k: v for k, v in env.items() if k != "CI"}
    verdicts = [
        suite_run(url, seeded_env, "--profile", "standard", "--seed", str(seed)) for seed in range(1, seeds + 1)
    ]
    wall, requests_sent = median_of(runs), runs[0]["requests"]
    cold_wall = median_of(cold_runs)
    return {
        "wall_s": wall,
        "requests": requests_sent,
        "ratio": round(wall / (requests_sent * rtt_ms / 1000), 2),
        "cold_wall_s": cold_wall,
        "cold_ratio": round(cold_wall / (cold_runs[0]["requests"] * rtt_ms / 1000), 2),
        "unbounded_s": median_of(unbounded),
        "n2_s": median_of(two),
        "n2_requests": two[0]["requests"],
        "state_machine_requests": runs[0]["state_machine_requests"],
        "seeds": seeds,
        "verdicts": sorted({(v["verdict"], tuple(v["failed"])) for v in verdicts}),
        "requests_over_seeds": [v["requests"] for v in verdicts],
        "samples": {"default": runs, "cold": cold_runs, "unbounded": unbounded, "n2": two},
    }


def workers_compared(url: str, env: dict[str, str], repeat: int) -> dict:
    """-n 1 and -n 2 alternately, `repeat` times each."""
    one, two = [], []
    for _ in range(repeat):
        one.append(suite_run(url, env, "--profile", "standard", "-n", "1"))
        two.append(suite_run(url, env, "--profile", "standard", "-n", "2"))
    figures = {
        "n1_s": median_of(one),
        "n2_s": median_of(two),
        "n2_requests": two[0]["requests"],
        "samples": {"n1": one, "n2": two},
    }
    figures["speedup"] = round(figures["n1_s"] / figures["n2_s"], 2)
    # Two workers on 2 cores need at least half the CPU seconds all processes spent, the target's included.
    cpu_n2 = statistics.median(run["cpu_s"] + run["server_cpu_s"] for run in two)
    figures["n2_cpu_s"] = round(cpu_n2, 2)
    figures["speedup_bound"] = round(figures["n1_s"] / (cpu_n2 / (os.cpu_count() or 1)), 2)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--repeat", type=int, default=5, help="runs per loopback figure; medians are reported")
    parser.add_argument(
        "--rtt-ms",
        type=int,
        default=REAL_IAM_RTT_MS,
        help=f"how long the remote-like target holds each answer (default {REAL_IAM_RTT_MS})",
    )
    parser.add_argument("--rtt-repeat", type=int, default=3, help="runs per figure against the remote-like target")
    parser.add_argument("--seeds", type=int, default=20, help="runs with fresh seeds against the remote-like target")
    parser.add_argument("--out", default=str(HERE / "results.json"))
    parser.add_argument("--summary", metavar="RESULTS", help="print the summary of an earlier run's results and exit")
    args = parser.parse_args(argv)
    if args.summary:
        print("\n".join(summary_lines(json.loads(Path(args.summary).read_text(encoding="utf-8")))))
        return 0

    from conformance.reference import ROOT_ACCESS_KEY, ROOT_SECRET_KEY, ReferenceServer
    from tools import wheel_venv

    installed = tempfile.TemporaryDirectory(prefix="bench-installed-")
    bin_folder = wheel_venv.venv_beside(Path(installed.name) / "venv")
    wheel_venv.install(bin_folder, wheel_venv.build(Path(installed.name) / "dist"))  # pip byte-compiles it
    PYTHON[:] = [str(bin_folder / "python")]
    workdir = tempfile.TemporaryDirectory(prefix="bench-workdir-")
    WORKDIR[:] = [workdir.name]

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=ROOT_ACCESS_KEY, AWS_SECRET_ACCESS_KEY=ROOT_SECRET_KEY, CI="1"
    )  # CI's seed: the same requests every run
    with ReferenceServer() as server:
        suite_run(server.url, env, "--profile", "quick")  # warm-up: file caches, compiled regexes on disk
        standard, standard_cold, floor = [], [], []
        for _ in range(args.repeat):  # warm, cold and the floor back to back: a slower moment slows all three
            standard.append(suite_run(server.url, env, "--profile", "standard"))
            standard_cold.append(cold_run(server.url, env, "--profile", "standard"))
            floor.append(floor_run(server.url, env, standard[-1]["requests"], ROOT_ACCESS_KEY, ROOT_SECRET_KEY))
        quick = [suite_run(server.url, env, "--profile", "quick") for _ in range(args.repeat)]
        loopback = workers_compared(server.url, env, args.repeat)
        phases = breakdown(server.url, ROOT_ACCESS_KEY, ROOT_SECRET_KEY)
    with ReferenceServer(latency_s=args.rtt_ms / 1000) as remote:
        remote = remote_like(remote.url, env, args.rtt_repeat, args.rtt_ms, args.seeds)

    figures = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "repeat": args.repeat,
        "rtt_repeat": args.rtt_repeat,
        "standard_s": median_of(standard),
        "floor_s": median_of(floor),
        "ratio_to_floor": round(
            statistics.median(s["wall_s"] / f["wall_s"] for s, f in zip(standard, floor, strict=True)), 2
        ),
        "standard_cpu_s": median_of(standard, "cpu_s"),
        "cold_cpu_s": median_of(standard_cold, "cpu_s"),
        "cold_s": median_of(standard_cold),
        "floor_cpu_s": median_of(floor, "cpu_s"),
        "requests": standard[0]["requests"],
        "requests_by_category": standard[0]["requests_by_category"],
        "quick_s": median_of(quick),
        "per_request_ms": phases,
        "loopback": loopback,
        "rtt_ms": args.rtt_ms,
        "remote_like": remote,
        "samples": {"standard": standard, "cold": standard_cold, "floor": floor, "quick": quick},
    }
    installed.cleanup()
    workdir.cleanup()
    Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    for line in summary_lines(figures):
        print(line)
    print(f"  figures written to {args.out}")
    return 0


def summary_lines(figures: dict) -> list[str]:
    def verdict(ok: bool) -> str:
        return "meets" if ok else "MISSES"

    ratio, requests_sent = figures["ratio_to_floor"], figures["requests"]
    cpu_ratio = round(figures["standard_cpu_s"] / figures["floor_cpu_s"], 2)
    cold_ratio = round(figures["cold_cpu_s"] / figures["floor_cpu_s"], 2)
    loopback, remote, rtt = figures["loopback"], figures["remote_like"], figures["rtt_ms"]
    chain = remote["state_machine_requests"]
    return [
        f"bench on {figures['machine']} (medians of {figures['repeat']} runs; {figures['rtt_repeat']} against the "
        f"remote-like target)",
        f"  target {rtt} ms away, standard profile: {remote['wall_s']:.2f} s for {remote['requests']} requests = "
        f"{remote['ratio']} x (requests x {rtt} ms) ({verdict(remote['ratio'] <= GOALS['remote_ratio'])} the goal of "
        f"<= {GOALS['remote_ratio']})",
        f"  the same, cold (empty HOME, every cache empty, as a CI runner starts): {remote['cold_wall_s']:.2f} s = "
        f"{remote['cold_ratio']} x ({verdict(remote['cold_ratio'] <= GOALS['remote_ratio'])} "
        f"<= {GOALS['remote_ratio']})",
        f"  critical path: the state machine's {chain} requests, each waiting on the one before "
        f"({chain * rtt / 1000:.1f} s); with no limit on calls in flight the run takes {remote['unbounded_s']:.2f} s",
        f"  {remote['seeds']} fresh seeds against it: {len(remote['verdicts'])} verdict(s) {remote['verdicts']}, "
        f"{min(remote['requests_over_seeds'])}-{max(remote['requests_over_seeds'])} requests",
        f"  -n 2 against it: {remote['n2_s']:.2f} s ({remote['n2_requests']} requests: the workers share the owner's "
        f"users; in one process the tests already run beside each other)",
        f"  loopback, standard profile, whole process: {figures['standard_s']:>6.2f} s, {requests_sent} requests "
        f"(CPU {figures['standard_cpu_s']:.2f} s)",
        f"  floor (same imports + {requests_sent} bare signed requests): {figures['floor_s']:>6.2f} s "
        f"(CPU {figures['floor_cpu_s']:.2f} s)",
        f"  ratio {ratio}x wall ({verdict(ratio <= GOALS['ratio_to_floor'])} <= {GOALS['ratio_to_floor']}x), "
        f"{cpu_ratio}x CPU ({verdict(cpu_ratio <= GOALS['cpu_ratio_to_floor'])} <= {GOALS['cpu_ratio_to_floor']}x); "
        f"requests {verdict(requests_sent <= GOALS['requests'])} the budget of {GOALS['requests']}",
        f"  cold (empty HOME): {figures['cold_s']:>6.2f} s, CPU {figures['cold_cpu_s']:.2f} s = {cold_ratio}x the "
        f"floor's CPU ({verdict(cold_ratio <= GOALS['cpu_ratio_to_floor'])} <= {GOALS['cpu_ratio_to_floor']}x)",
        "  requests by category: " + ", ".join(f"{k} {v}" for k, v in figures["requests_by_category"].items()),
        "  per request (median ms): " + ", ".join(f"{k} {v}" for k, v in figures["per_request_ms"].items()),
        f"  quick profile: {figures['quick_s']:.2f} s ({verdict(figures['quick_s'] < GOALS['quick_s'])} the goal of "
        f"< {GOALS['quick_s']} s)",
        f"  -n 1 vs -n 2 on loopback: {loopback['n1_s']:.2f} s vs {loopback['n2_s']:.2f} s, speedup "
        f"{loopback['speedup']}x; CPU-bound: -n 2 spends {loopback['n2_cpu_s']:.2f} CPU-seconds (target included), "
        f"so at most {loopback['speedup_bound']}x is possible on this machine",
    ]


if __name__ == "__main__":
    sys.exit(main())
