"""Tests that run beside each other share one interpreter: what they share must hold under threads."""

from __future__ import annotations

import ast
import gc
import inspect
import threading

from conformance.suite.side_by_side import ast_parsing_serialised


class Finalised:
    def __del__(self) -> None:  # Python code the collector runs, mid-parse: there the GIL can change threads
        pass


def parse_in_threads(rounds: int, threads: int = 4) -> list[BaseException]:
    source = inspect.getsource(inspect)
    crashes: list[BaseException] = []

    def parse_amid_garbage() -> None:
        for _ in range(rounds):
            cycle = [Finalised() for _ in range(50)]
            for a, b in zip(cycle, cycle[1:], strict=False):
                a.next, b.previous = b, a
            del cycle
            try:
                ast.parse(source)
            except SystemError as crash:  # AST constructor recursion depth mismatch (python/cpython#106905)
                crashes.append(crash)
                return

    threshold = gc.get_threshold()
    gc.set_threshold(50)
    try:
        started = [threading.Thread(target=parse_amid_garbage) for _ in range(threads)]
        for thread in started:
            thread.start()
        for thread in started:
            thread.join()
    finally:
        gc.set_threshold(*threshold)
    return crashes


def test_threads_parsing_source_at_once_do_not_crash_while_serialised():
    with ast_parsing_serialised():
        assert parse_in_threads(rounds=15) == []


def test_the_serialisation_ends_with_the_runs():
    original = ast.parse
    with ast_parsing_serialised():
        assert ast.parse is not original and ast.parse("x = 1").body
    assert ast.parse is original


def test_parses_never_overlap_while_serialised_and_do_without(monkeypatch):
    """What the serialisation promises, on any Python: no two ast.parse calls at once (the crash above needs the
    CPython bug to show; this does not). Without it, the same threads do overlap: the test can tell."""
    import time

    real, guard = ast.parse, threading.Lock()
    seen = {"active": 0, "most": 0}

    def slow_parse(*args, **kwargs):
        with guard:
            seen["active"] += 1
            seen["most"] = max(seen["most"], seen["active"])
        time.sleep(0.02)
        with guard:
            seen["active"] -= 1
        return real(*args, **kwargs)

    def most_at_once() -> int:
        seen["most"] = 0
        threads = [threading.Thread(target=ast.parse, args=("x = 1",)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return seen["most"]

    monkeypatch.setattr(ast, "parse", slow_parse)
    assert most_at_once() > 1
    with ast_parsing_serialised():
        assert most_at_once() == 1
