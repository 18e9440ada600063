"""The pace of calls: bounded in flight, halved on push-back and grown back slowly, rate-limited on request; and
overlapped work that keeps its order and its errors."""
import threading
import time

import pytest

from conformance.pace import GROW_AFTER, Pace, overlapped


def test_never_more_in_flight_than_allowed():
    pace, peak, lock = Pace(3), [0], threading.Lock()

    def work(_):
        with pace:
            with lock:
                peak[0] = max(peak[0], pace.in_flight)
            time.sleep(0.01)

    overlapped(pace, work, range(20))
    assert peak[0] == 3 and pace.in_flight == 0


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
    pace = Pace(8, max_rps=50)
    starts = []

    def work(_):
        with pace:
            starts.append(time.monotonic())

    overlapped(pace, work, range(10))
    starts.sort()
    assert all(b - a >= 0.015 for a, b in zip(starts, starts[1:]))  # 1/50 s apart, less scheduling jitter


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
