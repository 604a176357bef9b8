"""A `fake-api serve` subprocess for hostile clients, and the raw wire to speak to it.

A subprocess, not a thread: the tests judge the command users run (its listen backlog, its
state lock, its access log on stderr), and a hostile request must not be able to take the
test process down with it.
"""
from __future__ import annotations

import base64
import json
import re
import socket
import subprocess
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..fake_api_process import drain, fake_api_command, stop

FIRST_LINE = re.compile(r"^serving (?P<system>.+) at (?P<url>http://\S+)$")
CHARGEBEE_KEY = "test_hostile_key"
TOKEN = "hostile_token"


fake_api = fake_api_command


class Served:
    """A running `fake-api serve SYSTEM ...`: its URL, its stderr lines (drained), its process."""

    def __init__(self, *args: str, wait: float = 30):
        self.process = subprocess.Popen([*fake_api(), "serve", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE)
        lines: list[bytes] = []
        reader = threading.Thread(target=lambda: lines.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(wait)
        self.stderr: deque[bytes] = drain(self.process.stderr, keep=2000)
        first = lines[0].decode().rstrip("\n") if lines else ""
        match = FIRST_LINE.match(first)
        if not match:
            self.stop()
            raise AssertionError(f"no 'serving ... at URL' line: {first!r}; stderr: {b''.join(self.stderr)!r}")
        self.url = match["url"]
        split = urlsplit(self.url)
        self.host, self.port, self.base_path = split.hostname, split.port, split.path

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def stop(self) -> int:
        return stop(self.process)

    def send(self, raw: bytes, timeout: float = 10) -> "Answer":
        """`raw` (a whole request, as bytes) on a fresh connection; the answer read to the server's close."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect((self.host, self.port))
            started = time.monotonic()
            try:
                sock.sendall(raw)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered before reading it all: its answer is still to be read
            chunks = []
            while True:
                try:
                    chunk = sock.recv(65536)
                except socket.timeout:
                    raise AssertionError(f"no answer within {timeout} s (the server hangs)") from None
                if not chunk:
                    break
                chunks.append(chunk)
            return Answer.parse(b"".join(chunks), time.monotonic() - started)

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
                timeout: float = 10) -> "Answer":
        """A well-formed HTTP/1.1 request (Connection: close) to `path` under the base path."""
        head = {"Host": f"{self.host}:{self.port}", "Connection": "close", **(headers or {})}
        if (body or method in ("POST", "PUT", "PATCH")) and "Transfer-Encoding" not in head:
            head.setdefault("Content-Length", str(len(body)))
        lines = [f"{method} {self.base_path}{path} HTTP/1.1", *(f"{k}: {v}" for k, v in head.items())]
        return self.send("\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body, timeout)


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes, seconds: float):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @classmethod
    def parse(cls, raw: bytes, seconds: float) -> "Answer":
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        if not lines or not lines[0].startswith("HTTP/"):
            raise AssertionError(f"not an HTTP answer: {raw[:200]!r}")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return cls(int(lines[0].split()[1]), headers, body, seconds)

    def json(self) -> Any:
        """The body as strict JSON: NaN and Infinity are not JSON."""
        def refuse(constant: str) -> Any:
            raise ValueError(f"{constant} in an answer")
        return json.loads(self.body, parse_constant=refuse)

    def __repr__(self) -> str:
        return f"Answer({self.status}, {self.body[:300]!r})"


def basic(user: str, password: str = "") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
