"""HTTP sessions with retries by urllib3's `Retry`, and a sleep tests can replace.

429 (honouring Retry-After) and 5xx are retried by the `Retry` mounted as the adapter's
`max_retries`, for every method. Timeouts are retried by `RetryingAdapter` with a second `Retry`
of the same policy (urllib3 itself is told not to retry them, so the two never multiply); this
also covers the `responses` mock, which emulates status retries but lets timeouts escape.

A request sent inside `not_replayable()` (a create to an API that takes no idempotency key) is
retried only where the API surely did not act on it: a 429, or a connection never made. After a
5xx or a lost answer the API may have made the record, and sending it again could make it twice;
the caller gets the failure and finds out what happened (`sync.engine`).
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterator

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry

RETRY_STATUSES = (429, 500, 502, 503, 504)
Sleep = Callable[[float], None]

_replayable: ContextVar[bool] = ContextVar("replayable", default=True)


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

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code != 429 and not _replayable.get():
            return False  # a 5xx may come after the API acted on the request
        return super().is_retry(method, status_code, has_retry_after)

    def sleep(self, response: Any = None) -> None:
        if self.respect_retry_after_header and response is not None:
            retry_after = self.get_retry_after(response)
            if retry_after:
                self.sleep_function(retry_after)
                return
        backoff = self.get_backoff_time()
        if backoff > 0:
            self.sleep_function(backoff)


def retry_policy(*, total: int = 6, backoff_factor: float = 0.5, sleep: Sleep = time.sleep,
                 timeouts: bool = False) -> SleepyRetry:
    """The shared retry policy; `timeouts=False` is the copy urllib3 uses (status retries only)."""
    return SleepyRetry(
        total=total, connect=total if timeouts else 0, read=total if timeouts else 0, status=total,
        other=0, backoff_factor=backoff_factor, backoff_max=30, status_forcelist=RETRY_STATUSES,
        allowed_methods=None, respect_retry_after_header=True, raise_on_status=False, sleep=sleep,
    )


class RetryingAdapter(HTTPAdapter):
    """An HTTPAdapter that also retries timeouts, driven by a urllib3 `Retry`."""

    def __init__(self, policy: SleepyRetry, timeout_policy: SleepyRetry):
        super().__init__(max_retries=policy)
        self.timeout_policy = timeout_policy

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        retry = self.timeout_policy
        while True:
            try:
                return super().send(request, **kwargs)
            except requests.Timeout as exc:
                if not isinstance(exc, requests.ConnectTimeout) and not _replayable.get():
                    raise  # sent, and no answer: the API may have acted on it
                try:
                    retry = retry.increment(request.method, request.url,
                                            error=ReadTimeoutError(None, request.url, "timed out"))
                except MaxRetryError:
                    raise exc from None
                retry.sleep()


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
