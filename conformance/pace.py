"""How many calls to the target may be in flight at once, and how fast they may start, within real IAM's manners.

Independent requests overlap (a target 100 ms away otherwise costs 100 ms per request, one after the other), up to
a ceiling (`--max-concurrency`), optionally under a rate (`--max-rps`). The number allowed in flight halves when the
target pushes back (Throttling, 503, a connection reset) and grows back by one after a run of calls without it.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
DEFAULT_CONCURRENCY = 8
GROW_AFTER = 8  # calls without push-back before one more may be in flight again


class Pace:
    def __init__(self, max_concurrency: int = DEFAULT_CONCURRENCY, max_rps: float | None = None) -> None:
        self.ceiling = max(1, max_concurrency)
        self.allowed = self.ceiling
        self.max_rps = max_rps
        self.in_flight = 0
        self.lowest = self.ceiling  # the fewest ever allowed in flight: the report says how hard it pushed back
        self.cuts = 0  # how often push-back halved the calls in flight
        self._calm = 0
        self._next_start = 0.0
        self._lock = threading.Condition()

    def __enter__(self) -> "Pace":
        with self._lock:
            while self.in_flight >= self.allowed:
                self._lock.wait()
            self.in_flight += 1
            if self.max_rps:
                start = max(time.monotonic(), self._next_start)
                self._next_start = start + 1.0 / self.max_rps
                wait = start - time.monotonic()
            else:
                wait = 0.0
        if wait > 0:
            time.sleep(wait)
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self.in_flight -= 1
            self._lock.notify()

    def pushed_back(self) -> None:
        """The target throttled, shed load or reset a connection: half as many calls in flight (at least one)."""
        with self._lock:
            self.allowed = max(1, self.allowed // 2)
            self.lowest = min(self.lowest, self.allowed)
            self.cuts += 1
            self._calm = 0

    def answered(self) -> None:
        with self._lock:
            self._calm += 1
            if self._calm >= GROW_AFTER and self.allowed < self.ceiling:
                self.allowed += 1
                self._calm = 0
                self._lock.notify()


def overlapped(pace: Pace, work: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """`work(item)` for every item, in as many threads as the pace's ceiling, results in the items' order. Each
    call inside `work` waits for its turn at the pace; an exception in any is raised here once all have ended."""
    items = list(items)
    if pace.ceiling == 1 or len(items) < 2:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(pace.ceiling, len(items)), thread_name_prefix="iam-call") as pool:
        futures = [pool.submit(work, item) for item in items]
    return [future.result() for future in futures]
