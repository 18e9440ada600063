"""One wall-clock budget per call to the target, whatever its pacing: connect, TLS handshake, status line, headers
and body together. A single watchdog thread of the process shuts a call's socket down when its budget is spent.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import socket
import threading
import time
from typing import TYPE_CHECKING, Any, cast

import requests
import urllib3

if TYPE_CHECKING:  # what the mixins below are mixed into (at run time they sit before it in the MRO)
    from urllib3._base_connection import BaseHTTPConnection
    from urllib3.connection import HTTPConnection
    from urllib3.connectionpool import HTTPConnectionPool

    _ConnectionBase = HTTPConnection
    _PoolBase = HTTPConnectionPool
else:
    _ConnectionBase = _PoolBase = object


class CallBudget:
    """One call's wall-clock budget, enforced by a watchdog thread that shuts the call's socket down when spent.

    Why a watchdog rather than socket timeouts: a socket timeout bounds each receive, and a target that sends
    one byte per second (status line, headers or body) satisfies every receive. Shutting the TCP socket down (not
    closing it: the calling thread still owns it) makes a blocked receive, plain or TLS, return at once, whatever
    phase the call is in; the calling thread then sees a failed or cut answer.
    """

    _current = threading.local()  # the budget of the call in progress on this thread, for the pools to find

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = 0.0
        self.spent = False
        self.finished = False
        self.sockets: list[socket.socket] = []
        self.duplicates: list[socket.socket] = []  # the budget's own descriptors, closed when the call ends

    @classmethod
    def current(cls) -> CallBudget | None:
        return getattr(cls._current, "budget", None)

    def watch(self, sock: socket.socket | None, *, duplicate: bool = False) -> None:
        """Shut `sock` down when the budget is spent; `duplicate`: through a descriptor of the budget's own, for a
        socket whose object is about to be handed over (TLS wrapping detaches the plain socket object)."""
        if not isinstance(sock, socket.socket):
            return
        if duplicate:
            sock = sock.dup()
            self.duplicates.append(sock)
        self.sockets.append(sock)

    def __enter__(self) -> CallBudget:
        type(self)._current.budget = self
        self.expires = time.monotonic() + self.seconds
        _WATCHDOG.add(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        type(self)._current.budget = None
        _WATCHDOG.finish(self)


class _Watchdog:
    """One thread for every budget of the process (a thread per call would cost a tenth of a loopback call):
    it sleeps until the earliest budget is due and shuts that call's socket down if the call is still on."""

    RETRY_S = 0.05  # a call still resolving or connecting has no socket yet (its connect timeout bounds that)

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._due: list[tuple[float, int, CallBudget]] = []  # a heap by expiry; finished ones drop off at the top
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, budget: CallBudget, at: float | None = None) -> None:
        with self._lock:
            heapq.heappush(self._due, (at or budget.expires, next(self._order), budget))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="iam-call-budgets", daemon=True)
                self._thread.start()
            if self._due[0][2] is budget:  # due before whatever the thread sleeps towards
                self._lock.notify()

    def finish(self, budget: CallBudget) -> None:
        with self._lock:  # after this, `spent` no longer changes and no socket of the call is touched
            budget.finished = True
            budget.sockets = []
            for duplicate in budget.duplicates:
                duplicate.close()  # the connection's own descriptor stays open for the next call

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._due and self._due[0][2].finished:
                    heapq.heappop(self._due)
                if not self._due:
                    self._lock.wait()
                    continue
                wait = self._due[0][0] - time.monotonic()
                if wait > 0:
                    self._lock.wait(wait)
                    continue
                budget = heapq.heappop(self._due)[2]
                budget.spent = True
                # Under the lock, so a descriptor is never closed (and its number reused) in between.
                if not any(map(_shut_down, budget.sockets)):
                    heapq.heappush(self._due, (time.monotonic() + self.RETRY_S, next(self._order), budget))


_WATCHDOG = _Watchdog()


def _shut_down(sock: socket.socket) -> bool:
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's: SSLSocket.shutdown drops its TLS state
    except OSError:  # closed already
        return False
    return True


class _WatchedConnection(_ConnectionBase):
    """Mixed into urllib3's connections: a new TCP socket is watched by the call's budget from the moment it is
    connected, TLS handshake included. Through a duplicate descriptor: shutdown acts on the socket itself, and
    TLS wrapping detaches the object urllib3 created."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        budget = CallBudget.current()
        if budget is not None:
            budget.watch(sock, duplicate=True)
        return sock


class _WatchedPool(_PoolBase):
    """Mixed into urllib3's pools: a kept-open connection handed to a call is watched by the call's budget.
    (Taken now: http.client lets go of the connection's socket once an answer says Connection: close.)"""

    def _get_conn(self, timeout: float | None = None) -> BaseHTTPConnection:
        connection = super()._get_conn(timeout)
        budget = CallBudget.current()
        if budget is not None:
            sock = getattr(connection, "sock", None)
            # TLS inside a TLS tunnel (an HTTPS proxy) wraps the socket in an object that is not one.
            budget.watch(sock if isinstance(sock, socket.socket) else getattr(sock, "socket", None))
        return connection


@functools.cache
def _watched(pool_class: type[HTTPConnectionPool]) -> type[HTTPConnectionPool]:
    connection_class = type(
        f"Watched{pool_class.ConnectionCls.__name__}", (_WatchedConnection, pool_class.ConnectionCls), {}
    )
    watched = type(f"Watched{pool_class.__name__}", (_WatchedPool, pool_class), {"ConnectionCls": connection_class})
    return cast("type[HTTPConnectionPool]", watched)


def _watch_pools_of(manager: urllib3.PoolManager) -> urllib3.PoolManager:
    """`manager`'s pools watched by the call's budget; once: requests hands the same proxy manager back for every call
    through a proxy, and a pool class watched twice has no consistent method resolution order."""
    manager.pool_classes_by_scheme = {
        scheme: _watched_once(pool) for scheme, pool in manager.pool_classes_by_scheme.items()
    }
    return manager


def _watched_once(pool: type[HTTPConnectionPool]) -> type[HTTPConnectionPool]:
    return pool if _WatchedPool in pool.__mro__ else _watched(cast(Any, pool))  # classes are hashable


class WatchedAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _watch_pools_of(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> urllib3.PoolManager:
        return _watch_pools_of(super().proxy_manager_for(proxy, **proxy_kwargs))
