"""A sync service broken on purpose, run as an external SUT (`--sut-server 'python tests/sut/broken_sut.py BREAK'`).

It is `sync-run --serve-protocol` with one promise broken, in a process of its own: the checks reach
it only through the protocol and the fake APIs on loopback, as they would reach a service in Java or Go.

* ``integers-as-text``: an integer row's value is written as its text (`"42"`), not as a number;
* ``forgets-links``: the service never reports a link (`links` answers an empty list);
* ``no-report``: the hello leaves `report.json` out (capabilities: what the checks can still judge).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this checkout's `sync`, whatever is installed

import sync.coercion  # noqa: E402
import sync.protocol_server as server  # noqa: E402

BREAK = sys.argv[1] if len(sys.argv) > 1 else ""
if BREAK == "integers-as-text":
    _integer = sync.coercion._CONVERTERS["integer"]
    sync.coercion._CONVERTERS["integer"] = lambda value: str(_integer(value))
elif BREAK == "forgets-links":
    _handle = server.Server.handle
    server.Server.handle = lambda self, request: (
        {"links": []} if request.get("action") == "links" else _handle(self, request))
elif BREAK == "no-report":
    server.CAPABILITIES = [c for c in server.CAPABILITIES if c != "report.json"]
else:
    sys.exit(f"broken_sut.py: no break {BREAK!r} (integers-as-text, forgets-links, no-report)")

raise SystemExit(server.main())
