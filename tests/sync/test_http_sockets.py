"""The transport's retries over real sockets, against small servers on 127.0.0.1.

The `responses` mock the other tests use raises the `requests` exceptions itself; over a socket the
timeouts and dropped connections come up through urllib3 instead, wrapped differently. These tests
make each failure happen for real: an answer later than the read timeout, a connection closed after
the request with no answer, a port nobody listens on, and a listener whose backlog is full (a
connect timeout). Each server counts the requests it received and stops by itself.
"""
from __future__ import annotations

import socket
import threading
import time
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest
import requests

from sync.http import build_session, not_replayable

TIMEOUT = (1, 0.2)  # connect, read
SLOW = 0.25  # a "slow" answer: later than the read timeout, well sooner than twice it
LIFETIME = 20.0  # a server shuts itself down after this long, whatever the test did


class Server:
    """A loopback HTTP server that answers the requests it gets in the order of `answers`: "late"
    (nothing, until the client gives up and closes), "slow" (200 after SLOW seconds), "hang up" (the request
    read, the socket closed with no answer), a status code ("503"), or "ok" (200, JSON), which is also the
    answer once they run out."""

    def __init__(self, *answers: str, port: int = 0):
        self.answers = list(answers)
        self.received: list[str] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 5  # a handler never waits forever for a client

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with server.lock:
                    server.received.append(self.command)
                    answer = server.answers.pop(0) if server.answers else "ok"
                if answer in ("late", "hang up"):
                    if answer == "late":  # a stalled API: nothing, whatever the client's read timeout
                        try:
                            self.connection.settimeout(LIFETIME)
                            while self.connection.recv(4096):
                                pass
                        except OSError:
                            pass
                    self.close_connection = True
                    return
                if answer == "slow":
                    time.sleep(SLOW)
                status = 200 if answer in ("ok", "slow") else int(answer)
                body = b'{"ok": true}' if status == 200 else b'{"error": "unavailable"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/records"

    @contextmanager
    def running(self) -> Iterator["Server"]:
        thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        backstop = threading.Timer(LIFETIME, self.httpd.shutdown)
        backstop.daemon = True
        thread.start()
        backstop.start()
        try:
            yield self
        finally:
            backstop.cancel()
            self.httpd.shutdown()
            self.httpd.server_close()
            thread.join(5)


def _closed_port() -> int:
    """A port nothing listens on: bound, then closed, so a connection to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _full_backlog() -> Iterator[int]:
    """A port whose listener never accepts and whose backlog is full: a connection to it times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(3):
            filler = socket.socket()
            fillers.append(filler)
            filler.setblocking(False)
            try:
                filler.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
        time.sleep(0.05)
        outcome = "accepts"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except (socket.timeout, TimeoutError):
            outcome = "times out"
        except ConnectionRefusedError:
            outcome = "refuses"
        if outcome != "times out":
            pytest.skip(f"this system {outcome} past a full backlog: no connect timeout to be had on loopback")
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


# a late answer (read timeout)

def test_a_get_answered_late_is_sent_again_and_gets_the_answer():
    sleeps: list[float] = []
    with Server("late", "late").running() as server:
        response = build_session(sleep=sleeps.append).get(server.url, timeout=TIMEOUT)
    assert response.json() == {"ok": True}
    assert server.received == ["GET", "GET", "GET"]
    assert sleeps == [1.0]  # urllib3's backoff: none before the first retry, 0.5 * 2 before the second


def test_an_answer_later_than_the_read_timeout_is_waited_for_longer_on_the_retry():
    # A slow API is not a dead one: each retry of a read that timed out waits twice as long (the test mode's
    # short read timeouts took a loaded machine's late answers for faults, and ran out of retries).
    with Server(*["slow"] * 9).running() as server:
        response = build_session(sleep=[].append).get(server.url, timeout=TIMEOUT)
    assert response.json() == {"ok": True}
    assert server.received == ["GET", "GET"]


def test_a_get_never_answered_in_time_gives_up_after_the_policy_with_a_read_timeout():
    sleeps: list[float] = []
    with Server(*["late"] * 9).running() as server:
        with pytest.raises(requests.ReadTimeout):
            build_session(retries=2, sleep=sleeps.append).get(server.url, timeout=TIMEOUT)
    assert server.received == ["GET"] * 3  # the first try and two retries: urllib3 does not add its own
    assert sleeps == [1.0]


def test_a_create_answered_late_is_not_sent_again():
    sleeps: list[float] = []
    with Server("late").running() as server:
        with pytest.raises(requests.ReadTimeout) as caught, not_replayable():
            build_session(sleep=sleeps.append).post(server.url, json={"name": "Ada"}, timeout=TIMEOUT)
    assert not isinstance(caught.value, requests.ConnectTimeout)  # the API may have made the record
    assert server.received == ["POST"]
    assert sleeps == []


def test_a_create_with_an_idempotency_key_answered_late_is_sent_again():
    with Server("late").running() as server:
        response = build_session(sleep=[].append).post(server.url, json={"name": "Ada"}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert server.received == ["POST", "POST"]


def test_late_answers_and_5xx_together_are_retried_within_one_budget():
    """urllib3 retries the 503s and the adapter the late answers, out of the same count."""
    sleeps: list[float] = []
    with Server(*["503", "late"] * 9).running() as server:
        with pytest.raises(requests.ReadTimeout):
            build_session(retries=3, sleep=sleeps.append).get(server.url, timeout=TIMEOUT)
    assert server.received == ["GET"] * 4  # not 4 late answers each after a fresh round of 503s
    assert sleeps == [1.0, 2.0]


# a connection closed after the request, with no answer

def test_a_get_whose_connection_is_closed_without_an_answer_is_retried_by_the_policy():
    sleeps: list[float] = []
    with Server(*["hang up"] * 9).running() as server:
        with pytest.raises(requests.ConnectionError) as caught:
            build_session(retries=3, sleep=sleeps.append).get(server.url, timeout=TIMEOUT)
    assert not isinstance(caught.value, requests.ConnectTimeout)
    assert server.received == ["GET"] * 4
    assert sleeps == [1.0, 2.0]


def test_a_create_whose_connection_is_closed_without_an_answer_is_not_sent_again():
    sleeps: list[float] = []
    with Server(*["hang up"] * 9).running() as server:
        with pytest.raises(requests.RequestException) as caught, not_replayable():
            build_session(sleep=sleeps.append).post(server.url, json={"name": "Ada"}, timeout=TIMEOUT)
    assert not isinstance(caught.value, requests.ConnectTimeout)  # the API may have made the record
    assert server.received == ["POST"]
    assert sleeps == []


# a connection never made (refused, or timed out): the API surely did not act

@pytest.mark.parametrize("replayable", [True, False], ids=["get", "create"])
def test_a_refused_connection_is_retried_by_the_policy_whether_or_not_the_request_is_replayable(replayable):
    sleeps: list[float] = []
    url = f"http://127.0.0.1:{_closed_port()}/records"
    session = build_session(retries=3, sleep=sleeps.append)
    with pytest.raises(requests.ConnectionError):
        if replayable:
            session.get(url, timeout=TIMEOUT)
        else:
            with not_replayable():
                session.post(url, json={"name": "Ada"}, timeout=TIMEOUT)
    assert sleeps == [1.0, 2.0]  # three retries (none before the first), and no more


@pytest.mark.parametrize("replayable", [True, False], ids=["get", "create"])
def test_a_connect_timeout_is_retried_by_the_policy_whether_or_not_the_request_is_replayable(replayable):
    sleeps: list[float] = []
    with _full_backlog() as port:
        url = f"http://127.0.0.1:{port}/records"
        session = build_session(retries=2, sleep=sleeps.append)
        with pytest.raises(requests.ConnectTimeout):
            if replayable:
                session.get(url, timeout=(0.2, 0.3))
            else:
                with not_replayable():
                    session.post(url, json={"name": "Ada"}, timeout=(0.2, 0.3))
    assert sleeps == [1.0]  # two retries, and no more


def test_a_get_refused_then_answered_gets_the_answer():
    """The retry after a refused connection reaches the server once it listens."""
    sleeps: list[float] = []
    port = _closed_port()
    servers: list[Server] = []

    with ExitStack() as stack:
        def listen_then_sleep(seconds: float) -> None:
            sleeps.append(seconds)
            if not servers:
                servers.append(stack.enter_context(Server(port=port).running()))
        response = build_session(sleep=listen_then_sleep).get(f"http://127.0.0.1:{port}/records", timeout=TIMEOUT)
    assert response.json() == {"ok": True}
    assert servers[0].received == ["GET"]
    assert sleeps == [1.0]  # refused twice (no backoff before the first retry), answered the third time
