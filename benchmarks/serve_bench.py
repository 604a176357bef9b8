"""`fake-api serve` under hostile load: 64 clients at once, then an unauthenticated flood of hostile bodies.

    python benchmarks/serve_bench.py [--clients 64] [--rounds 5] [--flood 200] [--tree PATH]

Serves the Chargebee fake in a subprocess. First `--clients` threads connect at the same instant
(a barrier), each sends an authenticated list request and reads the answer, `--rounds` times:
connection resets, other failures and non-200 answers are counted. Then the server's RSS is
read, `--flood` requests without credentials are sent from 8 threads (2 MiB form and JSON
bodies, a form index of 10,000,000, JSON nested 100,000 deep, a declared length of 1 TB), and
the RSS read again, with the peak (VmHWM). `--tree PATH` serves the code of another checkout
(e.g. `git archive <commit> | tar -x -C PATH`) for a before/after comparison.
The last line is JSON.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

KEY = "bench_key"
AUTH = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()


def start(tree: str | None) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, **({"PYTHONPATH": tree} if tree else {})}
    command = [sys.executable, "-c", "from sync.fakes.serve import main; raise SystemExit(main())",
               "serve", "chargebee", "--api-key", KEY]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd="/")
    first = process.stdout.readline().decode().strip()
    if not first.startswith("serving "):
        process.kill()
        raise SystemExit(f"fake-api did not start: {first!r}")
    return process, first.rsplit(" ", 1)[1]


def memory(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def exchange(host: str, port: int, raw: bytes, timeout: float = 60) -> bytes:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        try:
            sock.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered before it was all read: the answer is still to be read
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def concurrent_clients(url: str, clients: int, rounds: int) -> dict[str, int | float]:
    split = urlsplit(url)
    raw = (f"GET {split.path}/customers?limit=1 HTTP/1.1\r\nHost: {split.netloc}\r\nAuthorization: {AUTH}\r\n"
           "Connection: close\r\n\r\n").encode()
    counts = {"requests": 0, "resets": 0, "timeouts": 0, "other_errors": 0, "not_200": 0}
    lock = threading.Lock()

    def client(barrier: threading.Barrier) -> None:
        barrier.wait()
        outcome = "requests"
        try:
            answer = exchange(split.hostname, split.port, raw)
            if not answer.startswith(b"HTTP/1.0 200") and not answer.startswith(b"HTTP/1.1 200"):
                outcome = "not_200"
        except ConnectionResetError:
            outcome = "resets"
        except TimeoutError:  # a handshake dropped from a full backlog, retried past the client's patience
            outcome = "timeouts"
        except OSError:
            outcome = "other_errors"
        with lock:
            counts["requests"] += 1
            if outcome != "requests":
                counts[outcome] += 1

    started = time.perf_counter()
    for _ in range(rounds):
        barrier = threading.Barrier(clients)
        threads = [threading.Thread(target=client, args=(barrier,)) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return {**counts, "seconds": round(time.perf_counter() - started, 2)}


def hostile_bodies(url: str) -> list[bytes]:
    split = urlsplit(url)

    def post(content_type: str, body: bytes, length: str | None = None) -> bytes:
        return (f"POST {split.path}/customers HTTP/1.1\r\nHost: {split.netloc}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {length or len(body)}\r\nConnection: close\r\n\r\n").encode() + body

    big = b"a" * (2 * 1024 * 1024)
    return [post("application/x-www-form-urlencoded", b"first_name=" + big),
            post("application/json", b'{"first_name": "' + big + b'"}'),
            post("application/x-www-form-urlencoded", b"tags[10000000]=x"),
            post("application/json", b"[" * 100_000 + b"]" * 100_000),
            post("application/json", b"{}", length=str(10**12))]


def flood(url: str, pid: int, count: int) -> dict[str, object]:
    split = urlsplit(url)
    kinds = hostile_bodies(url)
    before = memory(pid)
    statuses: dict[str, int] = {}
    lock = threading.Lock()

    def one(n: int) -> None:
        try:
            answer = exchange(split.hostname, split.port, kinds[n % len(kinds)], timeout=120)
            status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/") else "no answer"
        except OSError as exc:
            status = type(exc).__name__
        with lock:
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(count)))
    seconds = time.perf_counter() - started
    after = memory(pid)
    return {"requests": count, "seconds": round(seconds, 2), "statuses": statuses,
            "rss_before_kib": before["VmRSS"], "rss_after_kib": after["VmRSS"],
            "rss_grown_kib": after["VmRSS"] - before["VmRSS"], "peak_grown_kib": after["VmHWM"] - before["VmHWM"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--flood", type=int, default=200)
    parser.add_argument("--tree", help="serve the code of this checkout instead (a before/after comparison)")
    args = parser.parse_args()
    process, url = start(args.tree)
    try:
        clients = concurrent_clients(url, args.clients, args.rounds)
        print(f"{args.clients} concurrent clients x {args.rounds} rounds: {clients['resets']} resets, "
              f"{clients['timeouts']} timeouts, {clients['other_errors']} other errors, {clients['not_200']} not 200, in {clients['seconds']} s")
        flooded = flood(url, process.pid, args.flood)
        print(f"unauthenticated flood of {args.flood} hostile bodies in {flooded['seconds']} s, answers "
              f"{flooded['statuses']}: RSS {flooded['rss_before_kib'] / 1024:.1f} MiB before, "
              f"{flooded['rss_after_kib'] / 1024:.1f} MiB after (grew {flooded['rss_grown_kib'] / 1024:.1f} MiB; "
              f"peak grew {flooded['peak_grown_kib'] / 1024:.1f} MiB)")
        alive = process.poll() is None
        print(json.dumps({"tree": args.tree or "this checkout", "clients": clients, "flood": flooded,
                          "alive_after": alive}))
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    main()
