"""The ways a sync can fail, as values a report or a test can name."""
from __future__ import annotations


class ConfigurationError(ValueError):
    """The engine was set up in a way that cannot run: a person must fix the configuration."""


class ApiError(Exception):
    """An API answered with an error; `message` is the API's own words, never a credential."""

    def __init__(self, status: int, message: str, code: str | None = None, *, retriable: bool = False):
        super().__init__(f"HTTP {status}: {message}" + (f" [{code}]" if code else ""))
        self.status, self.message, self.code, self.retriable = status, message, code, retriable


class StaleRecord(ApiError):
    """The record changed since we last read it, so a write based on that read was refused."""


class ListFailed(Exception):
    """Listing one side failed; the pass must not mistake the missing records for deletions."""


class CreateOutcomeUnknown(ApiError):
    """A create to an API that takes no idempotency key failed after it was sent (a 5xx, or no answer):
    the API may have made the record, so sending it again could make it twice."""
