"""How many calls to the target may be in flight at once, and how fast they may start, within real IAM's manners.

Independent requests overlap (a target 100 ms away otherwise costs 100 ms per request, one after the other), up to
a ceiling (`--max-concurrency`), optionally under a rate (`--max-rps`). The number allowed in flight halves when the
target pushes back (Throttling, 503, a connection reset) and grows back by one after a run of calls without it.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
DEFAULT_CONCURRENCY = 8
GROW_AFTER = 8  # calls without push-back before one more may be in flight again
# Calls fanned out by `overlapped` (batches, walks of many users) leave this many of the allowed slots to calls made
# one after another (a state machine's sequence, a script of writes): those chains are what a run waits for last.
KEPT_FOR_CHAINS = 2
_FANNED_OUT: contextvars.ContextVar[bool] = contextvars.ContextVar("iam_conformance_fanned_out", default=False)


class Pace:
    def __init__(
        self,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        max_rps: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.ceiling = max(1, max_concurrency)
        self.allowed = self.ceiling
        self.max_rps = max_rps
        self.in_flight = 0
        self.lowest = self.ceiling  # the fewest ever allowed in flight: the report says how hard it pushed back
        self.cuts = 0  # how often push-back halved the calls in flight
        self._calm = 0
        self._next_start = 0.0
        self._lock = threading.Condition()
        self._clock, self._sleep = clock, sleep

    def __enter__(self) -> Pace:
        with self._lock:
            while self.in_flight >= self._allowed_for(_FANNED_OUT.get()):
                self._lock.wait()
            self.in_flight += 1
            if self.max_rps:
                start = max(self._clock(), self._next_start)
                self._next_start = start + 1.0 / self.max_rps
                wait = start - self._clock()
            else:
                wait = 0.0
        if wait > 0:
            self._sleep(wait)
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self.in_flight -= 1
            self._lock.notify_all()  # a slot kept for chains wakes a chain, not only the next fanned-out call

    def _allowed_for(self, fanned_out: bool) -> int:
        return max(1, self.allowed - KEPT_FOR_CHAINS) if fanned_out else self.allowed

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
        # Each in a copy of the caller's context: what it carries (whose requests these are) goes along.
        futures = [pool.submit(contextvars.copy_context().run, _fanned_out, work, item) for item in items]
    return [future.result() for future in futures]


def _fanned_out(work: Callable[[T], R], item: T) -> R:
    _FANNED_OUT.set(True)
    return work(item)
