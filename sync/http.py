"""HTTP sessions with retries by urllib3's `Retry`, and a sleep tests can replace.

429 (honouring Retry-After) and 5xx are retried by the `Retry` mounted as the adapter's
`max_retries`, for every method. A connection never made (refused, or timed out) and a request sent
but not answered (a read timeout, or the connection closed with no response) are retried by
`RetryingAdapter` with a second `Retry` of the same policy, whether they come from a socket or from
the `responses` mock, which emulates status retries but raises these failures itself.

urllib3 is told not to retry these failures, so the two never multiply, and each attempt starts
urllib3 from what the request has already spent, so 5xx and timeouts share one budget too.
`read=False` makes urllib3 hand a read timeout or a dropped connection straight up, which requests
turns into `ReadTimeout`, or a `ConnectionError` around urllib3's `ProtocolError`. (With `read=0`
urllib3 spends the count at once and requests reports that as a `ConnectionError` around
`MaxRetryError(ReadTimeoutError)`, not a `Timeout`: over a real socket no read timeout was ever
retried, and a create's read timeout did not say it was one.) Connect failures cannot come up raw
(requests would let urllib3's own exceptions escape), so urllib3 keeps `connect=0`: requests raises
`ConnectTimeout`, or for a refused connection a `ConnectionError` around
`MaxRetryError(NewConnectionError)`, and `transport_failure` reads the cause out of it.

A request sent inside `deadline(at)` must be whole by then, however its time is spent: a server that
trickles a byte a second satisfies every per-read timeout, so a watchdog thread shuts the request's
sockets down at the deadline (the blocked read returns at once; one thread watches every deadline), no retry starts after it, and no
backoff or Retry-After sleeps past it. The caller reads `Deadline.expired` to tell a deadline from a
dropped connection.

A request sent inside `not_replayable()` (a create to an API that takes no idempotency key) is
retried only where the API surely did not act on it: a 429, or a connection never made. After a
5xx or a lost answer the API may have made the record, and sending it again could make it twice;
the caller gets the failure (`ReadTimeout` for a late answer, `ConnectionError` for a connection
closed with none; never `ConnectTimeout`) and finds out what happened (`sync.engine`).
"""
from __future__ import annotations

import heapq
import socket
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterator

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (ConnectTimeoutError, HTTPError, MaxRetryError, NewConnectionError,
                                ProtocolError, ReadTimeoutError)
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

RETRY_STATUSES = (429, 500, 502, 503, 504)
# A read that timed out is sent again with twice the read timeout, up to this many times the first (or up to
# READ_TIMEOUT_GROWN_FLOOR seconds, where that is longer): a server that is slow (a loaded machine, a long query) is
# not a dead one, and an answer that came late once is waited for.
READ_TIMEOUT_GROWTH = 8
READ_TIMEOUT_GROWN_FLOOR = 2.0
Sleep = Callable[[float], None]

_replayable: ContextVar[bool] = ContextVar("replayable", default=True)
# During one attempt of `RetryingAdapter.send`: the status policy as that request has spent it so far.
_attempt: ContextVar["list[SleepyRetry] | None"] = ContextVar("attempt", default=None)


class Deadline:
    """The moment by which the requests sent inside `deadline()` must be whole, and the sockets they use."""

    def __init__(self, at: float):
        self.at = at
        self.expired = False
        self._done = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if self._done:
                return
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _abort(sock)

    def fire(self) -> None:
        """Shuts down every socket the request uses: a read blocked on one returns at once."""
        with self._lock:
            if self._done:
                return
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _abort(sock)

    def finish(self) -> None:
        with self._lock:
            self._done = True
            self._sockets.clear()

    @property
    def done(self) -> bool:
        return self._done


def _abort(sock: socket.socket) -> None:
    try:
        # socket.socket's own shutdown, under TLS too: the descriptor is shut, whatever the TLS layer holds.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _Watchdog:
    """One daemon thread firing every deadline that comes due (a thread per request would cost more than
    many a request: a test suite sends hundreds of thousands through the mock transport)."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, Deadline]] = []
        self._count = 0
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, watch: Deadline) -> None:
        with self._wake:
            while self._due and self._due[0][2].done:
                heapq.heappop(self._due)  # finished in time (most do, in order): the heap stays as small as in flight
            self._count += 1
            heapq.heappush(self._due, (watch.at, self._count, watch))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sync-deadlines", daemon=True)
                self._thread.start()
            elif self._due[0][2] is watch:
                self._wake.notify()  # sooner than what the thread waits for

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._due and self._due[0][2].done:
                    heapq.heappop(self._due)  # finished in time: nothing to fire
                if not self._due:
                    self._wake.wait()
                    continue
                wait = self._due[0][0] - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                watch = heapq.heappop(self._due)[2]
            watch.fire()


_WATCHDOG = _Watchdog()
_deadline: ContextVar[Deadline | None] = ContextVar("deadline", default=None)


@contextmanager
def deadline(at: float) -> Iterator[Deadline]:
    """Requests sent (and bodies read) inside are cut off at `at` (time.monotonic()); see `Deadline.expired`."""
    watch = Deadline(at)
    token = _deadline.set(watch)
    _WATCHDOG.add(watch)
    try:
        yield watch
    finally:
        watch.finish()
        _deadline.reset(token)


class DeadlineExceeded(requests.Timeout):
    """A request (with its retries and its waits) could not be whole by its deadline."""


def _past_deadline(wait: float = 0.0) -> None:
    """Raises DeadlineExceeded when the current deadline has passed, or would pass during a wait of `wait` s."""
    watch = _deadline.get()
    if watch is not None and (watch.expired or watch.remaining() <= wait):
        watch.expired = True
        raise DeadlineExceeded("the deadline passed")


class _WatchedConnection:
    """A connection whose new socket the current request's deadline watches (a response that will close its
    connection takes the socket away from `connection.sock`, so it is remembered when made)."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        watch = _deadline.get()
        if watch is not None:
            watch.watch(self.sock)  # type: ignore[attr-defined]


class WatchedHTTPConnection(_WatchedConnection, HTTPConnection):
    pass


class WatchedHTTPSConnection(_WatchedConnection, HTTPSConnection):
    pass


class _WatchedPool:
    """A connection pool whose connections (new, or kept alive from an earlier request) the deadline watches."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)  # type: ignore[misc]
        watch = _deadline.get()
        if watch is not None:
            watch.watch(getattr(connection, "sock", None))
        return connection


class WatchedHTTPPool(_WatchedPool, HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSPool(_WatchedPool, HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


@contextmanager
def not_replayable() -> Iterator[None]:
    """Requests sent inside are retried only on a 429 or a connection never made."""
    token = _replayable.set(False)
    try:
        yield
    finally:
        _replayable.reset(token)


class SleepyRetry(Retry):
    """urllib3's Retry whose sleeping (backoff and Retry-After) goes through an injectable function."""

    def __init__(self, *args: Any, sleep: Sleep = time.sleep, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sleep_function = sleep

    def new(self, **kwargs: Any) -> "SleepyRetry":
        renewed = super().new(**kwargs)
        renewed.sleep_function = self.sleep_function
        return renewed

    def increment(self, *args: Any, **kwargs: Any) -> "SleepyRetry":
        renewed = super().increment(*args, **kwargs)
        attempt = _attempt.get()
        if attempt is not None:
            attempt[0] = renewed  # the adapter carries what urllib3 spent over to its own retries
        return renewed

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code != 429 and not _replayable.get():
            return False  # a 5xx may come after the API acted on the request
        return super().is_retry(method, status_code, has_retry_after)

    def sleep(self, response: Any = None) -> None:
        # A wait that would end past the request's deadline is not begun (a Retry-After of a day is no answer).
        if self.respect_retry_after_header and response is not None:
            retry_after = self.get_retry_after(response)
            if retry_after:
                _past_deadline(retry_after)
                self.sleep_function(retry_after)
                return
        backoff = self.get_backoff_time()
        if backoff > 0:
            _past_deadline(backoff)
            self.sleep_function(backoff)


def retry_policy(*, total: int = 6, backoff_factor: float = 0.5, sleep: Sleep = time.sleep,
                 timeouts: bool = False) -> SleepyRetry:
    """The shared retry policy; `timeouts=False` is the copy urllib3 uses (status retries only: it raises
    connect failures at once, and hands read failures up untouched)."""
    return SleepyRetry(
        total=total, connect=total if timeouts else 0, read=total if timeouts else False, status=total,
        other=0, backoff_factor=backoff_factor, backoff_max=30, status_forcelist=RETRY_STATUSES,
        allowed_methods=None, respect_retry_after_header=True, raise_on_status=False, sleep=sleep,
    )


def transport_failure(exc: requests.RequestException) -> HTTPError | None:
    """The urllib3 error a retry after `exc` counts as: a connect error (the request never left) or a read
    error (sent, and no answer); None for what a retry would not cure (TLS, proxy, no mock registered).
    `exc` comes from a socket (the cause is urllib3's error, or the `MaxRetryError` around it) or from
    the `responses` mock (a bare message)."""
    cause = exc.args[0] if exc.args else None
    if isinstance(cause, MaxRetryError):
        cause = cause.reason
    if isinstance(exc, requests.ConnectTimeout) or isinstance(cause, NewConnectionError):  # refused, or timed out
        return cause if isinstance(cause, ConnectTimeoutError) else ConnectTimeoutError(str(exc))
    if isinstance(exc, requests.ReadTimeout) or isinstance(cause, ReadTimeoutError):
        return cause if isinstance(cause, ReadTimeoutError) else ReadTimeoutError(None, "", str(exc))
    if isinstance(cause, ProtocolError):  # the connection closed, or was reset, before an answer
        return cause
    return None


class RetryingAdapter(HTTPAdapter):
    """An HTTPAdapter that also retries connections not made and answers not received, driven by a
    urllib3 `Retry`. Both layers count against one budget: each attempt hands urllib3 the status policy
    with what the request has spent so far (5xx and timeouts alike), and takes back what urllib3 spent."""

    def __init__(self, policy: SleepyRetry, timeout_policy: SleepyRetry):
        super().__init__(max_retries=policy)
        self.timeout_policy = timeout_policy

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        # Connections a deadline can cut off (`deadline`); the pool manager makes its pools from these.
        self.poolmanager.pool_classes_by_scheme = {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}

    @property
    def max_retries(self) -> Retry:
        """The status policy urllib3 (or the `responses` mock) starts the current attempt from."""
        attempt = _attempt.get()
        return attempt[0] if attempt is not None else self._max_retries

    @max_retries.setter
    def max_retries(self, policy: Retry) -> None:
        self._max_retries = policy

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        retry = self.timeout_policy
        attempt = [self._max_retries]
        first = kwargs.get("timeout")
        while True:
            _past_deadline()  # no attempt starts after the deadline
            token = _attempt.set(attempt)
            try:
                return super().send(request, **kwargs)
            except (requests.Timeout, requests.ConnectionError) as exc:
                failure = exc
            finally:
                _attempt.reset(token)
            watch = _deadline.get()
            if watch is not None and watch.expired:
                raise DeadlineExceeded("the deadline passed") from None
            error = transport_failure(failure)
            if error is None:
                raise failure
            if not isinstance(error, ConnectTimeoutError) and not _replayable.get():
                raise failure  # sent, and no answer: the API may have acted on it
            spent = attempt[0]  # the 5xx urllib3 retried in this attempt count too
            try:
                retry = retry.new(total=spent.total, status=spent.status, history=spent.history).increment(
                    request.method, request.url, error=error)
            except MaxRetryError:
                raise failure from None
            retry.sleep()
            attempt = [self._max_retries.new(total=retry.total, status=retry.status, history=retry.history)]
            if isinstance(error, ReadTimeoutError):
                kwargs["timeout"] = _longer(kwargs.get("timeout"), first)


def _longer(timeout: Any, first: Any) -> Any:
    """The timeout of the attempt after a read timed out: its read part doubled, up to READ_TIMEOUT_GROWTH times
    the first's or READ_TIMEOUT_GROWN_FLOOR (None, no read timeout, stays None)."""
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    first_read = first[1] if isinstance(first, tuple) else first
    if read is None or first_read is None:
        return timeout
    return connect, min(read * 2, max(first_read * READ_TIMEOUT_GROWTH, READ_TIMEOUT_GROWN_FLOOR))


def build_session(*, retries: int = 6, backoff_factor: float = 0.5, sleep: Sleep = time.sleep) -> requests.Session:
    """A requests.Session whose http and https adapters retry 429, 5xx and timeouts."""
    session = requests.Session()
    adapter = RetryingAdapter(
        retry_policy(total=retries, backoff_factor=backoff_factor, sleep=sleep),
        retry_policy(total=retries, backoff_factor=backoff_factor, sleep=sleep, timeouts=True),
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
