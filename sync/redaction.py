"""Credentials scrubbed from every text that leaves the engine or `sync-run`.

Some APIs echo a request's credentials in their error messages or headers, and a URL may carry
`user:password@`. A `Redactor` knows the configured secrets in every form a server or a library
might write them back: as they are, `user:password`, the Base64 of the Basic value (with
`Bearer`/`Basic` prefixes that leaves the secret part), percent-encoded (upper- and lower-case
hex, `+` for spaces) and JSON-escaped; each occurrence becomes `***`.

A form shorter than `SHORT` characters is masked only where it stands alone (no letter or digit on either
side): a one-letter password masked inside every word would garble the whole output ("s***a***e file")
while hiding nothing a reader could not guess; standing alone (`token=ab`, `Bearer ab`, `"ab"`) it is masked.
"""
from __future__ import annotations

import base64
import json
import re
from typing import Iterable
from urllib.parse import quote, quote_plus, unquote, urlsplit

from .credentials import Credentials

MASK = "***"
SHORT = 8
_ALONE = r"(?<![^\W_])(?:{})(?![^\W_])"  # no letter or digit (any script) just before or after
_HEX = re.compile(r"%[0-9A-F]{2}")


def _forms(secret: str) -> set[str]:
    encoded = {quote(secret, safe=""), quote(secret), quote_plus(secret)}
    encoded |= {_HEX.sub(lambda m: m.group().lower(), text) for text in encoded}
    return {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1], *encoded} - {""}


def _base64(text: str) -> set[str]:
    # requests sends Basic credentials as Latin-1 where it can; other clients use UTF-8.
    raws = {text.encode("utf-8")} | ({text.encode("latin-1")} if _latin1(text) else set())
    return {encode(raw).decode() for raw in raws for encode in (base64.b64encode, base64.urlsafe_b64encode)}


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


class Redactor:
    """Replaces every form of the secrets it was given by `***`; a callable on text."""

    def __init__(self, secrets: Iterable[str] = ()):
        self._secrets = frozenset(s for s in secrets if s)
        self._compiled: re.Pattern[str] | None = None

    @property
    def _pattern(self) -> re.Pattern[str] | None:
        # Compiled on first use: a test suite makes tens of thousands of connectors, each with fresh
        # secrets, and most of them never have anything to redact (compiling was 5% of its run time).
        if self._compiled is None and self._secrets:
            forms = sorted({f for s in self._secrets for f in _forms(s)}, key=lambda f: (-len(f), f))
            long = [re.escape(f) for f in forms if len(f) >= SHORT]
            short = [re.escape(f) for f in forms if len(f) < SHORT]
            self._compiled = re.compile("|".join([*long, *([_ALONE.format("|".join(short))] if short else [])]))
        return self._compiled

    @classmethod
    def of(cls, credentials: Iterable[Credentials] = (), urls: Iterable[str] = (),
           values: Iterable[str] = (), public: Iterable[str] = ()) -> "Redactor":
        """The secrets of these credentials, of the `user:password@` of these URLs, and `values`; not the
        `public` parts of a credential an API's description fixes (Tripletex's basic-auth user "0")."""
        secrets = set(values)
        for creds in credentials:
            user, password, token = creds.user.reveal(), creds.password.reveal(), creds.token.reveal()
            secrets |= {user, password, token, *(secret.reveal() for _name, secret in creds.named)}
            if user or password:
                secrets |= {f"{user}:{password}", *_base64(f"{user}:{password}")}
            if token:
                secrets |= _base64(token)
        for url in urls:
            try:
                parts = urlsplit(url)
            except ValueError:
                continue
            for part in (parts.username, parts.password):
                if part:
                    secrets |= {part, unquote(part)}
            if parts.username or parts.password:
                secrets |= set(_base64(f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"))
        return cls(secrets - set(public))

    def __call__(self, text: str) -> str:
        pattern = self._pattern
        return pattern.sub(MASK, text) if pattern is not None else text

    def __add__(self, other: "Redactor") -> "Redactor":
        return Redactor(self._secrets | other._secrets)

    def absorb(self, other: "Redactor") -> None:
        """Learns `other`'s secrets in place: a secret made mid-run (a session token) reaches every holder
        of this redactor, not only those that ask for it afresh."""
        self._secrets = self._secrets | other._secrets
        self._compiled = None

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"

    def scrub(self, exc: BaseException) -> BaseException:
        """`exc` with its message (and an `ApiError`'s message and code) redacted, and no chained
        exceptions that could still show the secret in a traceback."""
        exc.args = tuple(self(a) if isinstance(a, str) else self(str(a)) for a in exc.args)
        for name in ("message", "code"):
            value = getattr(exc, name, None)
            if isinstance(value, str):
                setattr(exc, name, self(value))
        exc.__cause__ = exc.__context__ = None
        exc.__suppress_context__ = True
        return exc
