"""What a report says about the run that made it: when, how long, which commit, which arguments."""
from __future__ import annotations

import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from .place import run_leaves_out


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def commit(folder: Path) -> str | None:
    """`git rev-parse HEAD` in `folder`; None outside a repository or without git."""
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def hypothesis_profile(config: pytest.Config) -> str:
    chosen = config.getoption("hypothesis_profile", None)
    if chosen:
        return str(chosen)
    from hypothesis import settings

    return getattr(settings, "_current_profile", None) or "ci"


def run_block(config: pytest.Config, started_at: str, duration_s: float, exitstatus: int) -> dict[str, Any]:
    interrupted = exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR)
    return {
        "started_at": started_at,
        "duration_s": round(duration_s, 2),
        "commit": commit(config.rootpath),
        "pytest_args": [str(a) for a in config.invocation_params.args],
        "hypothesis_profile": hypothesis_profile(config),
        "api_faults": float(config.getoption("api_faults", 0.0) or 0.0),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "exit_status": int(exitstatus),
        "stale": "the run did not finish (interrupted): the results are partial" if interrupted else None,
        "partial": run_leaves_out(config),  # how the run left items out (-k contact), or None
    }
