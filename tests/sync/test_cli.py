"""`sync-run` against endpoints given in a config file (here served by the fakes, never the network)."""
import json

from .builders import mapping, prop
from sync.cli import main
from sync.harness import Harness

MODEL = {"dataflows": [{"file": "crm-cb.rst", "title": "t", "source_system": "Custom CRM",
                        "target_system": "Chargebee", "generated": None, "mappings": [{
                            "id": "crm-contact", "title": "t", "line": 9, "source_system": "Custom CRM",
                            "source_entity": "Contact", "target_system": "Chargebee", "target_entity": "Customer",
                            "sync": "every", "condition": None, "create_when_connected": None,
                            "merge_or_create": False, "merge_keys": [{"source": "email", "target": "email"}],
                            "bidirectional": True,
                            "properties": [{"source": "email", "target": "email", "type": "string", "line": 20}]}]}],
         "findings": []}


def test_sync_run_prints_a_summary_and_keeps_secrets(tmp_path, capsys, monkeypatch):
    with Harness(mapping(properties=[prop("email", "email")])) as fakes:
        fakes.source.create({"email": "a@example.com"})
        crm_secret, cb_secret = fakes.source.fake.secret.reveal(), fakes.target.fake.secret.reveal()
        (tmp_path / "model.json").write_text(json.dumps(MODEL))
        (tmp_path / "sync.toml").write_text(f'''
state = "{tmp_path / 'state.db'}"
[systems."Custom CRM"]
base_url = "{fakes.source.fake.base_url}"
user = "{crm_secret}"
[systems.Chargebee]
base_url = "{fakes.target.fake.base_url}"
''')
        monkeypatch.setenv("SYNC_CHARGEBEE_API_KEY", cb_secret)  # credentials from the environment
        code = main(["--model", str(tmp_path / "model.json"), "--mapping", "crm-contact",
                     "--config", str(tmp_path / "sync.toml"), "--passes", "2"])
        out = capsys.readouterr().out
        assert code == 0, out
        totals = json.loads(out.strip().splitlines()[-1])
        assert totals["created"] == 1 and totals["api_calls"]["list"] == 4
        assert [r["email"] for r in fakes.target.records()] == ["a@example.com"]
        assert crm_secret not in out and cb_secret not in out


def test_an_unknown_mapping_id_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "model.json").write_text(json.dumps(MODEL))
    assert main(["--model", str(tmp_path / "model.json"), "--mapping", "nope"]) == 2
    assert "crm-contact" in capsys.readouterr().err
