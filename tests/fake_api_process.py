"""`fake-api serve` as a subprocess, shared by the contract tests and the hostile-client tests: how to start
it, its stderr read in the background, and a stop that always ends it."""
from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path
from typing import Any


def fake_api_command() -> list[str]:
    script = Path(sys.executable).with_name("fake-api")
    return [str(script)] if script.exists() else [shutil.which("fake-api") or "fake-api"]


def drain(stream: Any, keep: int = 200) -> deque:
    """Read a served fake's stderr (one access line per request) in the background, keeping the last lines:
    an unread pipe fills after a few hundred requests and stalls the server."""
    lines: deque = deque(maxlen=keep)

    def read() -> None:
        try:
            for line in stream:
                lines.append(line)
        except (ValueError, OSError):  # closed when the server is stopped
            pass

    threading.Thread(target=read, daemon=True).start()
    return lines


def stop(process: subprocess.Popen) -> int:
    """SIGTERM, then the exit status (killed after 10 s if it would not stop); its pipes closed."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdout, process.stderr):
        if stream:
            stream.close()
    return process.returncode
