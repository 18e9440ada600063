"""Conformance tests that run beside each other: against a target far away, most of a run is waiting for answers.

A test marked `beside` (conformance.suite) runs from the session's start in a thread of its own, its Hypothesis search
and its requests overlapping the other tests' within the client's pace (Hypothesis runs separate tests in threads
since 6.136). Its test item then waits for it: pytest reports it as it reports every test, in order, with the same
evidence (the judge the thread used is merged into the item's). Requests are counted per test all the same.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, cast

import pytest

from conformance.checks import Judge
from conformance.protocol.client import IamClient


@dataclass
class Beside:
    future: Future[None]
    judge: Judge


@contextmanager
def ast_parsing_serialised() -> Iterator[None]:
    """One `ast.parse` at a time while tests run in threads. CPython 3.11 (before 3.11.8) keeps the AST
    constructor's recursion depth in one per-interpreter counter (python/cpython#106905): two threads parsing at
    once (pytest rendering a failure's source, Hypothesis describing a rule, traceback's carets) can end in
    `SystemError: AST constructor recursion depth mismatch`, a crash of the run instead of its verdict."""
    parse, lock = ast.parse, threading.RLock()

    def serialised(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return parse(*args, **kwargs)

    ast.parse = serialised
    try:
        yield
    finally:
        ast.parse = parse


class BesideRuns:
    """The tests of this process that run beside the others, started once, each awaited by its own item."""

    def __init__(self) -> None:
        self.runs: dict[str, Beside] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._while_running = ExitStack()

    def start(self, request: pytest.FixtureRequest, items: list[pytest.Function], client: IamClient) -> None:
        """Start every item of `items` whose test takes session fixtures only (and its judge); their fixtures are
        resolved here, in the calling thread, as pytest requires."""
        self._while_running.enter_context(ast_parsing_serialised())
        self._pool = ThreadPoolExecutor(max_workers=len(items), thread_name_prefix="iam-beside")
        # The longest first, and each as soon as its own fixtures exist: the state machine (its own users) starts
        # while the users the others share are still being made.
        for item in sorted(items, key=lambda item: item.get_closest_marker("runs_long") is None):
            arguments = _arguments(request, item)
            if arguments is None:
                continue
            judge = arguments["judge"] = Judge()
            self.runs[item.nodeid] = Beside(
                self._pool.submit(_attributed, client, item.nodeid, item.obj, arguments), judge
            )

    def finish(self, item: pytest.Function) -> bool:
        """Wait for `item`'s run, if it ran beside; raise what it raised. Whether it did run beside."""
        run = self.runs.pop(item.nodeid, None)
        if run is None:
            return False
        judge = cast(Judge | None, item.funcargs.get("judge"))
        try:
            run.future.result()
        finally:
            if judge is not None:  # what the thread judged counts for the item, as if the item had judged it
                ledger, theirs = judge.ledger, run.judge.ledger
                ledger.judged += theirs.judged
                for reason in theirs.nothing_to_judge:
                    ledger.keep(ledger.nothing_to_judge, reason)
                for note in theirs.notes:
                    ledger.keep(ledger.notes, note)
                ledger.left_out += theirs.left_out
                ledger.checks += [c for c in theirs.checks if c not in ledger.checks]
                ledger.judgments += theirs.judgments
        return True

    def stop(self) -> None:
        try:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
        finally:
            self._while_running.close()


def _arguments(request: pytest.FixtureRequest, item: pytest.Function) -> dict[str, object] | None:
    """The test's arguments other than Hypothesis' own, each a session fixture's value (or the judge), or None when
    the test cannot run beside (a skipped test, a fixture of narrower scope, a fixture that failed)."""
    if item.get_closest_marker("skip") is not None:
        return None
    arguments: dict[str, object] = {}
    for name in item._fixtureinfo.argnames:  # Hypothesis hides the arguments it draws from pytest
        if name == "judge":
            continue
        definitions = item._fixtureinfo.name2fixturedefs.get(name)
        if not definitions or definitions[-1].scope != "session":
            return None
        try:
            arguments[name] = request.getfixturevalue(name)
        except (KeyboardInterrupt, SystemExit, pytest.exit.Exception):
            raise  # Ctrl-C, SIGTERM or pytest.exit while a fixture was being made: the run stops, and says so
        except BaseException:  # the item, run normally, meets the same failure as its own setup error
            return None
    return arguments


def _attributed(client: IamClient, label: str, test: Callable[..., object], arguments: dict[str, object]) -> None:
    with client.attributed(label):
        test(**arguments)
