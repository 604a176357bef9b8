"""An API that echoes the credentials it was sent (some do, in error bodies and headers): nothing
`sync-run` prints, logs or stores shows them, in any form. Served by a real local HTTP server."""
import base64
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, quote_plus

import pytest

from sync.cli import main

USER, PASSWORD, TOKEN = "svc-user@acme", "p4ss w0rd/+=", "tok_9f8e7d6c5b4a"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def forms(*secrets):
    """Every form a leak could take: raw, `user:password`, Base64, percent-encoded, JSON-escaped."""
    found = set()
    for secret in secrets:
        found |= {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    return found


class Echo(BaseHTTPRequestHandler):
    """Answers every request 401 with everything it was sent, in its body and its headers."""

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        decoded = base64.b64decode(auth.split(" ", 1)[1]).decode() if auth.startswith("Basic ") else ""
        further = " ".join(f"{name}={self.headers[name]}" for name in ("SO-AppToken", "Ocp-Apim-Subscription-Key")
                           if self.headers.get(name))  # a vendor's second secret, echoed as well
        message = (f"invalid credentials: Authorization={auth} decoded={decoded} "
                   f"as-query={quote(decoded or auth, safe='')} path={self.path} {further}")
        # where the generic API and SuperOffice each put an error's message
        body = json.dumps({"error": {"message": message, "code": auth}, "ErrorMessage": message}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("WWW-Authenticate", f'Basic realm="{auth}"')
        self.send_header("X-Echo", quote_plus(decoded or auth))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def echo_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def model(tmp_path, source="Acme", target="Beta"):
    mapping = {"id": "m", "title": "t", "line": 9, "source_system": source, "source_entity": "Person",
               "target_system": target, "target_entity": "Customer", "sync": "every", "condition": None,
               "create_when_connected": None, "merge_or_create": False, "merge_keys": [], "bidirectional": False,
               "properties": [{"source": "name", "target": "name", "type": "string", "line": 20}]}
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"dataflows": [{"file": "a.rst", "title": "t", "source_system": source,
                                               "target_system": target, "generated": None,
                                               "mappings": [mapping]}], "findings": []}))
    return path


def sync_run(tmp_path, config: str, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    (tmp_path / "sync.toml").write_text(config)
    code = main(["--model", str(model(tmp_path)), "--mapping", "m", "--config", str(tmp_path / "sync.toml"),
                 "--state", str(tmp_path / "state.db")])
    captured = capsys.readouterr()
    state = b"".join(p.read_bytes() for p in tmp_path.glob("state.db*"))
    return code, captured.out + captured.err + caplog.text, state


def assert_no_leak(text: str, state: bytes, secrets):
    for form in forms(*secrets):
        assert form not in text, f"{form!r} leaked: {text}"
        assert form.encode() not in state
    assert "***" in text  # the echo did reach the output, redacted


@pytest.mark.parametrize("style", ["basic", "bearer"])
def test_credentials_echoed_in_an_api_error_never_leave_sync_run(tmp_path, capsys, caplog, echo_server, style):
    credentials = f'user = "{USER}"\npassword = "{PASSWORD}"' if style == "basic" else f'token = "{TOKEN}"'
    code, text, state = sync_run(tmp_path, f'''
[systems.Acme]
base_url = "{echo_server}/api"
auth = "{style}"
{credentials}
[systems.Beta]
base_url = "{echo_server}/api"
token = "beta-token"
''', capsys, caplog)
    assert code == 1 and "invalid credentials" in text
    assert_no_leak(text, state, [USER, PASSWORD, f"{USER}:{PASSWORD}", BASIC] if style == "basic" else [TOKEN])


def test_a_vendors_second_secret_echoed_never_leaves_sync_run(tmp_path, capsys, caplog, echo_server):
    app_token = "app-secret-5e4d3c2b1a"  # SuperOffice's SO-AppToken beside its ticket (issue 25)
    caplog.set_level(logging.DEBUG)
    (tmp_path / "sync.toml").write_text(f'''
[systems.SuperOffice]
base_url = "{echo_server}/Cust1"
token = "{TOKEN}"
app_token = "{app_token}"
[systems.Beta]
base_url = "{echo_server}/api"
token = "beta-token"
''')
    code = main(["--model", str(model(tmp_path, source="SuperOffice")), "--mapping", "m", "--config",
                 str(tmp_path / "sync.toml"), "--state", str(tmp_path / "state.db")])
    captured = capsys.readouterr()
    text = captured.out + captured.err + caplog.text
    state = b"".join(p.read_bytes() for p in tmp_path.glob("state.db*"))
    assert code == 1 and "invalid credentials" in text and "SO-AppToken=***" in text, text
    assert_no_leak(text, state, [TOKEN, app_token])


def test_credentials_in_the_url_never_leave_sync_run(tmp_path, capsys, caplog, echo_server):
    user, password = "url-user", "url:p@ss"
    address = echo_server.replace("http://", f"http://{user}:{quote(password, safe='')}@")
    # Basic auth with no user or password given: the URL's are used (sync.config), never an empty Basic header.
    code, text, state = sync_run(tmp_path, f'''
[systems.Acme]
base_url = "{address}/api"
auth = "basic"
[systems.Beta]
base_url = "{echo_server}/api"
token = "beta-token"
''', capsys, caplog)
    assert code == 1 and "invalid credentials" in text
    assert_no_leak(text, state, [user, password, f"{user}:{password}",
                                 base64.b64encode(f"{user}:{password}".encode()).decode()])


def test_a_token_http_cannot_send_is_a_configuration_error(tmp_path, capsys, caplog):
    code, text, _state = sync_run(tmp_path, '''
[systems.Acme]
base_url = "http://127.0.0.1:9/api"
auth = "bearer"
token = "tök€n-secret"
''', capsys, caplog)
    assert code == 2 and "cannot send" in text and "Traceback" not in text and "tök€n-secret" not in text


@pytest.mark.parametrize("state", ["folder", "unwritable"])
def test_a_bad_state_path_is_a_configuration_error(tmp_path, capsys, state):
    if state == "folder":
        path = tmp_path / "state-folder"
        path.mkdir()
    else:
        path = tmp_path / "no" / "such" / "state.db"
    (tmp_path / "sync.toml").write_text('[systems.Acme]\nbase_url = "http://127.0.0.1:9/api"\ntoken = "t"\n')
    code = main(["--model", str(model(tmp_path)), "--mapping", "m", "--config", str(tmp_path / "sync.toml"),
                 "--state", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and f"state file {path}" in err and "Traceback" not in err


def test_the_redactor_knows_every_form_of_a_credential():
    from sync.credentials import Credentials, Secret
    from sync.redaction import Redactor
    redact = Redactor.of([Credentials("basic", Secret("ålice"), Secret("s€cret/+ x"))])
    pair = "ålice:s€cret/+ x"
    for form in [*forms("ålice", "s€cret/+ x", pair), quote(pair, safe="").lower(),
                 base64.b64encode(pair.encode()).decode(), base64.urlsafe_b64encode(pair.encode()).decode(),
                 json.dumps(pair)[1:-1]]:
        assert redact(f"<{form}>") == "<***>", form


def test_a_scrubbed_exception_keeps_no_secret_in_its_message_or_chain():
    from sync.credentials import Credentials, Secret
    from sync.errors import ApiError
    from sync.redaction import Redactor
    redact = Redactor.of([Credentials("bearer", token=Secret(TOKEN))])
    try:
        try:
            raise ValueError(f"inner {TOKEN}")
        except ValueError:
            raise ApiError(401, f"bad token {TOKEN}", f"Bearer {TOKEN}")
    except ApiError as exc:
        scrubbed = redact.scrub(exc)
    assert TOKEN not in str(scrubbed) + scrubbed.message + scrubbed.code
    assert scrubbed.__context__ is None and scrubbed.__cause__ is None


def test_a_config_of_the_wrong_shape_is_a_configuration_error(tmp_path, capsys):
    (tmp_path / "sync.json").write_text(json.dumps({"systems": ["Acme"], "state": str(tmp_path / "s.db")}))
    code = main(["--model", str(model(tmp_path)), "--mapping", "m", "--config", str(tmp_path / "sync.json")])
    assert code == 2 and "sync-run: " in capsys.readouterr().err
