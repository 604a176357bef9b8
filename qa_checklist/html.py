"""Renders the report data as one self-contained HTML file (CSS and JS inline, nothing fetched)."""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

LABELS = {"passed": "verified", "failed": "failed", "skipped": "not verifiable", "not_testable": "not run"}


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,  # spec text such as <script> must show as text
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render_html(report: dict[str, Any]) -> str:
    return _environment().get_template("report.html.jinja").render(
        summary=report["summary"], dataflows=report["dataflows"], labels=LABELS
    )
