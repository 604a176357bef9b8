"""A misbehaving JSON API on 127.0.0.1 for `sync-run` to meet, and the files a run of it needs.

`HostileApi(answer)` serves every request with `answer(request) -> Answer` in its own thread; the
server records each request (method, path, query, headers) and how many body bytes it managed to
send, and shuts itself down after `LIFETIME` seconds whatever the test did. Two generic systems live
on it: "Acme CRM" (source, its contacts at /crm/contact) and "Acme ERP" (target, /erp/customer).
"""
from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import parse_qsl, urlsplit

from sync.cli import main

LIFETIME = 60.0
TOKEN = "crm-token-b81d"  # the source's credential: never in any output
ERP_TOKEN = "erp-token-5f02"

MODEL = {"dataflows": [{"file": "acme.rst", "title": "t", "source_system": "Acme CRM", "target_system": "Acme ERP",
                        "generated": None, "mappings": [{
                            "id": "acme", "title": "t", "line": 3, "source_system": "Acme CRM",
                            "source_entity": "Contact", "target_system": "Acme ERP", "target_entity": "Customer",
                            "sync": "every", "condition": None, "create_when_connected": None,
                            "merge_or_create": False, "merge_keys": [{"source": "email", "target": "email"}],
                            "bidirectional": False,
                            "properties": [{"source": "email", "target": "email", "type": "string", "line": 5}]}]}],
         "findings": []}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 200  # 0: `body` is written raw, status line and headers included
    body: bytes | Iterable[bytes] = b"{}"  # an iterable is sent chunk by chunk, each flushed (a trickle, a bomb)
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


def json_answer(value: Any, status: int = 200) -> Answer:
    return Answer(status, value if isinstance(value, bytes) else json.dumps(value).encode())


def default_answer(request: Request) -> Answer:
    """A well-behaved API: no contacts, no customers, a create answered with the record and an id."""
    if request.method == "POST":
        return json_answer({**json.loads(request.body or b"{}"), "id": "c1"}, 201)
    return json_answer({"items": []})


class HostileApi:
    def __init__(self, answer: Callable[[Request], Answer] = default_answer):
        self.answer = answer
        self.requests: list[Request] = []
        self.sent = 0  # body bytes written to clients
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 30

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = Request(self.command, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)),
                                  dict(self.headers), body)
                api.requests.append(request)
                answer = api.answer(request)
                if answer.status == 0:  # raw bytes, status line and headers included (a trickle of the headers)
                    self.close_connection = True
                    for chunk in answer.body:
                        if not self._write(chunk):
                            return
                    return
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if isinstance(answer.body, bytes):
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self._write(answer.body)
                    return
                self.send_header("Connection", "close")  # a streamed body ends when the connection does
                self.close_connection = True
                self.end_headers()
                for chunk in answer.body:
                    if not self._write(chunk):
                        return

            def _write(self, data: bytes) -> bool:
                try:
                    self.wfile.write(data)
                    self.wfile.flush()
                except OSError:  # the client gave up: what a bounded client does
                    return False
                api.sent += len(data)
                return True

            do_GET = do_POST = do_PUT = do_PATCH = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "HostileApi":
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self._backstop = threading.Timer(LIFETIME, self.httpd.shutdown)
        self._backstop.daemon = True
        self._backstop.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._backstop.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()

    def lists(self, prefix: str = "/crm/") -> list[Request]:
        return [r for r in self.requests if r.method == "GET" and r.path.startswith(prefix)]


def write_files(tmp_path: Path, url: str, *, source: str = "", target: str = "", top: str = "") -> list[str]:
    """The model and a config for the two systems on `url`; `source`/`target`/`top` are more TOML lines."""
    (tmp_path / "model.json").write_text(json.dumps(MODEL))
    (tmp_path / "sync.toml").write_text(f'''state = "{tmp_path / 'state.db'}"
{top}
[systems."Acme CRM"]
base_url = "{url}/crm"
token = "{TOKEN}"
{source}
[systems."Acme ERP"]
base_url = "{url}/erp"
token = "{ERP_TOKEN}"
{target}
''')
    return ["--model", str(tmp_path / "model.json"), "--mapping", "acme", "--config", str(tmp_path / "sync.toml")]


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def text(self) -> str:
        return self.out + self.err


def sync_run(args: list[str], timeout: float = 30, *, process: bool = False) -> Run:
    """`sync-run`, in this process (the fast way), or in its own, stopped after `timeout` seconds, where the code
    before a fix would never end or its memory is measured (a run that does not end is a failure)."""
    started = time.monotonic()
    if not process:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
        return Run(code, out.getvalue(), err.getvalue(), time.monotonic() - started)
    try:
        done = subprocess.run([sys.executable, "-m", "sync.cli", *args], capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"sync-run did not end within {timeout} s") from None
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def assert_clean(run: Run) -> None:
    """No traceback and no credential in anything sync-run wrote."""
    assert "Traceback" not in run.text, run.text
    assert TOKEN not in run.text and ERP_TOKEN not in run.text, run.text
