"""The pace of calls: bounded in flight, halved on push-back and grown back slowly, rate-limited on request; and
overlapped work that keeps its order and its errors."""

import threading
import time

import pytest

from conformance.protocol.pace import GROW_AFTER, KEPT_FOR_CHAINS, Pace, overlapped
from conformance.run.preflight import FAST_ROUND_TRIP_MS, paced


def test_never_more_in_flight_than_allowed_and_fanned_out_calls_leave_room_for_chains():
    pace, peak, lock = Pace(5), [0], threading.Lock()

    def work(_):
        with pace:
            with lock:
                peak[0] = max(peak[0], pace.in_flight)
            time.sleep(0.01)

    overlapped(pace, work, range(20))  # a fan-out: KEPT_FOR_CHAINS slots stay free for calls made in a row
    assert peak[0] == 5 - KEPT_FOR_CHAINS and pace.in_flight == 0
    peak[0] = 0
    threads = [threading.Thread(target=work, args=(n,)) for n in range(20)]  # calls of their own: every slot
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 5


def test_push_back_halves_and_calm_grows_back_one_at_a_time():
    pace = Pace(8)
    pace.pushed_back()
    pace.pushed_back()
    assert pace.allowed == 2 and pace.lowest == 2 and pace.cuts == 2
    for _ in range(GROW_AFTER):
        pace.answered()
    assert pace.allowed == 3
    for _ in range(100 * GROW_AFTER):
        pace.answered()
    assert pace.allowed == 8
    for _ in range(10):
        pace.pushed_back()
    assert pace.allowed == 1


def test_a_rate_spaces_the_starts():
    now, slept = [100.0], []

    def sleep(seconds):
        slept.append(seconds)

    pace = Pace(8, max_rps=50, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):  # five calls at the same instant: each waits its turn, 1/50 s after the one before
        with pace:
            pass
    assert slept == pytest.approx([0.02, 0.04, 0.06, 0.08])
    now[0] = 200.0  # long after: no wait
    with pace:
        pass
    assert len(slept) == 4


def test_overlapped_keeps_order_and_raises_after_all_ended():
    pace, done = Pace(4), []

    def work(n):
        time.sleep(0.001 * (10 - n))
        if n == 3:
            raise ValueError("three")
        done.append(n)
        return n * n

    assert overlapped(pace, lambda n: n * n, range(6)) == [0, 1, 4, 9, 16, 25]
    with pytest.raises(ValueError, match="three"):
        overlapped(pace, work, range(10))
    assert sorted(done) == [0, 1, 2, 4, 5, 6, 7, 8, 9]


def test_one_at_a_time_runs_in_the_callers_thread():
    callers = overlapped(Pace(1), lambda _: threading.current_thread(), range(3))
    assert set(callers) == {threading.current_thread()}


# -- the pace a run chooses from the preflight's round trip ------------------------------------------------------
def settings_with(**values):
    from conformance.config.options import OPTIONS
    from conformance.config.settings import resolve

    return resolve(
        {o.dest: o.default for o in OPTIONS} | {"endpoint_url": "http://127.0.0.1:1/"} | values, seed=1, in_ci=False
    )


@pytest.mark.parametrize(
    "round_trip_ms,given,expected",
    [
        (2.5, None, 1),  # an emulator on this machine: one call at a time, and the run says why
        (FAST_ROUND_TRIP_MS, None, 8),  # as slow as that, overlapping pays
        (120.0, None, 8),  # a target across a network
        (None, None, 8),  # no round trip measured (the embedded target not started yet, a failed preflight)
        (2.5, 4, 4),  # --max-concurrency given: the user's choice stands
        (2.5, 8, 8),
    ],
)
def test_the_preflights_round_trip_decides_the_calls_in_flight_unless_the_user_did(round_trip_ms, given, expected):
    settings = paced(settings_with(max_concurrency=given), round_trip_ms)
    assert settings.max_concurrency == expected
    assert ("one call in flight" in settings.pace_note) == (expected == 1 and given is None)


def test_a_run_says_why_it_sends_one_call_at_a_time_and_the_pace_changes_no_request(run_cli, root_credentials_env):
    """Which pace a run on loopback gets depends on how fast the preflight was answered (a loaded machine may take
    longer than FAST_ROUND_TRIP_MS; test_the_preflights_round_trip_decides... pins that rule): whichever it got, the
    console, summary and HTML say the same, and the requests do not depend on it."""
    from conformance.reference import ReferenceServer

    with ReferenceServer() as server:
        chosen = run_cli(
            "run", "--endpoint-url", server.url, "--profile", "quick", "--seed", "7", env=root_credentials_env
        )
        html, first = (chosen.report_dir / "report.html").read_text(), chosen.summary
        overlapped_run = run_cli(
            "run",
            "--endpoint-url",
            server.url,
            "--profile",
            "quick",
            "--seed",
            "7",
            "--max-concurrency",
            "4",
            env=root_credentials_env,
        )
    second = overlapped_run.summary
    assert chosen.code == 0 and first["calls_in_flight"] in (1, 8)
    if first["calls_in_flight"] == 1:  # the preflight was answered fast: one call at a time, and the run says why
        assert first["pace_note"].startswith("one call in flight: the target answered in")
        assert first["pace_note"] in chosen.stdout and first["pace_note"] in html
    else:
        assert first["pace_note"] == "" and "one call in flight" not in chosen.stdout
    assert overlapped_run.code == 0 and second["calls_in_flight"] == 4
    assert second["pace_note"] == "" and "one call in flight" not in overlapped_run.stdout
    assert second["request_count"] == first["request_count"]  # the pace changes no request


WATCHES_GC = """
import gc, os, pathlib
seen = []
def pytest_configure(config):
    seen.append(("configure", gc.isenabled()))
def pytest_runtest_call(item):
    seen.append((item.name, gc.isenabled()))
def pytest_unconfigure(config):
    pathlib.Path(os.environ["GC_SEEN"]).write_text(repr(seen))
"""


def test_the_cli_collects_no_garbage_while_starting_and_the_test_that_waits_on_the_clock_runs_last(
    run_cli, root_credentials_env, tmp_path
):
    import ast
    import os

    from conformance.reference import ReferenceServer

    (tmp_path / "watches_gc.py").write_text(WATCHES_GC)
    path = os.pathsep.join(filter(None, (str(tmp_path), os.environ.get("PYTHONPATH"))))
    seen_file = tmp_path / "gc-seen.txt"
    with ReferenceServer() as server:
        run = run_cli(
            "run",
            "--endpoint-url",
            server.url,
            "--profile",
            "quick",
            env=root_credentials_env | {"PYTEST_PLUGINS": "watches_gc", "PYTHONPATH": path, "GC_SEEN": str(seen_file)},
        )
    assert run.code == 0, run.stdout[-2000:] + run.stderr[-2000:]
    seen = ast.literal_eval(seen_file.read_text())
    assert seen[0] == ("configure", False)
    assert len(seen) > 30 and all(enabled for phase, enabled in seen[1:])
    # SHAPE-07 waits for a second past an upload: last, that second has mostly passed (nothing beside at one call
    # in flight).
    assert seen[-1][0] == "test_upload_dates_are_when_the_certificates_were_uploaded"
