"""Fuzzing `sync-run`'s config (issue 27, point 5): any mix of right and wrong values for the keys a
system's table and the top level take either runs (exit 0 or 1) or is refused at load (exit 2, the
file and the first wrong key named, nothing sent); never a traceback, never a credential shown, and
never exit 0 with a value of the wrong kind."""
from __future__ import annotations

import contextlib
import io
import json
import math
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from sync.cli import main

from .hostile_api import MODEL, TOKEN, HostileApi

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
WRONG = st.one_of(st.lists(st.integers(), max_size=2), st.dictionaries(st.sampled_from("ab"), st.integers(), max_size=1),
                  st.booleans(), st.floats(allow_nan=False, allow_infinity=False, min_value=-5, max_value=5))


def system_keys(url: str) -> dict:
    """Each key a system's table takes: (a strategy of right values, a strategy of wrong ones)."""
    return {
        "base_url": (st.just(f"{url}/crm"), st.one_of(WRONG, st.sampled_from(
            ["file:///etc/passwd", "ftp://127.0.0.1/", "javascript:alert(1)", "//127.0.0.1/x", "http://", "127.0.0.1",
             "http://127.0.0.1:0x50/", f"{url}/c rm"]))),
        "auth": (st.just("bearer"), st.one_of(WRONG, st.sampled_from(["kerberos", "Bearer", "", "oauth2", "ntlm"]))),
        "token": (st.just(TOKEN), st.one_of(st.lists(st.just(TOKEN), min_size=1, max_size=2),
                                            st.just({"value": TOKEN}), st.booleans())),
        "paths": (st.just({"Contact": "/contact"}), st.one_of(WRONG.filter(lambda v: v != {}), st.just({"Contact": 5}),
                                                              st.just({"Contact": "contact"}))),
        "conditional_writes": (st.booleans(), st.one_of(st.sampled_from(["yes", "true", 1, 0]), st.lists(st.booleans()))),
        "page_style": (st.just("cursor"), st.one_of(WRONG, st.sampled_from(["sideways", "", "CURSOR"]))),
        "id_field": (st.just("id"), st.one_of(WRONG, st.just(""))),
        "since_param": (st.just("since"), st.one_of(WRONG, st.just(""))),
    }


def top_keys() -> dict:
    return {
        "request_seconds": (st.just(5), st.one_of(st.sampled_from([0, -1, "fast", math.inf, True]), st.lists(st.integers()))),
        "max_response_bytes": (st.just(1 << 20), st.sampled_from([0, -5, 1.5, "big", False, [1]])),
        "pass_seconds": (st.just(30), st.sampled_from([0, -1, "long", math.nan, None]).filter(lambda v: v is not None)),
    }


@st.composite
def configs(draw, url: str):
    """(a config, the keys drawn wrong): each key absent, right, or wrong."""
    def pick(keys: dict, prefix: str):
        table, wrong = {}, []
        for key, (right, bad) in keys.items():
            choice = draw(st.sampled_from(["absent", "right", "right", "wrong"]))
            if choice == "right":
                table[key] = draw(right)
            elif choice == "wrong":
                table[key] = draw(bad)
                wrong.append(prefix + key)
        return table, wrong
    crm, wrong = pick(system_keys(url), 'systems."Acme CRM".')
    crm.setdefault("base_url", f"{url}/crm")
    if crm.get("auth", "bearer") == "bearer" and "token" not in crm:
        crm["token"] = TOKEN
    top, wrong_top = pick(top_keys(), "")
    return {**top, "systems": {"Acme CRM": crm, "Acme ERP": {"base_url": f"{url}/erp", "token": "erp-token-5f02"}}}, \
        wrong_top + wrong


@pytest.mark.slow
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_config_runs_or_is_refused_at_load_naming_the_file_and_the_key(data):
    with HostileApi() as api, tempfile.TemporaryDirectory() as folder:
        config, wrong = data.draw(configs(api.url))
        folder = Path(folder)
        (folder / "model.json").write_text(json.dumps(MODEL))
        path = folder / "sync.json"  # JSON: a fuzzed value of any type can be written
        path.write_text(json.dumps({"state": str(folder / "state.db"), **config}))
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--model", str(folder / "model.json"), "--mapping", "acme", "--config", str(path)])
        text = out.getvalue() + err.getvalue()
        assert "Traceback" not in text and TOKEN not in text, text
        if wrong:
            assert code == 2, (wrong, text)
            # NaN and Infinity cannot be written in JSON: the file itself is refused, as not valid JSON
            named = any(key in err.getvalue() for key in wrong) or "not valid JSON" in err.getvalue()
            assert str(path) in err.getvalue() and named, (wrong, text)
            assert not api.requests, "nothing may be sent before the config is whole"
        else:
            assert code in (0, 1), text
