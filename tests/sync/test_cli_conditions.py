"""`sync-run` on the example documents' conditional mappings, against the fakes (never the network)."""
import json
import tomllib

import pytest

from generator.cli import main as regenerate
from generator.model_json import mapping_from_json
from sync.cli import main
from sync.harness import Harness
from generator.vocabulary import Vocabulary

AGENTS = "examples/zendesk-customcrm-example/user-to-user"
CUSTOMERS = "examples/customcrm-membercare-conditions/customer-to-companies"


@pytest.fixture(scope="module")
def model(specs_dir, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.json"
    assert regenerate(["--specs", str(specs_dir), "--dump-model", str(path)]) == 0
    return path


def mapping_of(model, mapping_id):
    data = json.loads(model.read_text())
    for flow in data["dataflows"]:
        for m in flow["mappings"]:
            if m["id"] == mapping_id:
                return mapping_from_json({**m, "file": flow["file"]})
    raise KeyError(mapping_id)


def config(fakes, tmp_path, extra=""):
    path = tmp_path / "sync.toml"
    path.write_text(f'''
state = "{tmp_path / 'state.db'}"
[systems.{json.dumps(fakes.source.fake.system)}]
base_url = "{fakes.source.fake.base_url}"
token = "{fakes.source.fake.secret.reveal()}"
user = "{fakes.source.fake.secret.reveal()}"
[systems.{json.dumps(fakes.target.fake.system)}]
base_url = "{fakes.target.fake.base_url}"
token = "{fakes.target.fake.secret.reveal()}"
user = "{fakes.target.fake.secret.reveal()}"
{extra}''')
    return str(path)


def test_sync_run_runs_a_conditional_mapping_with_the_shipped_predicate(model, tmp_path, capsys):
    with Harness(mapping_of(model, AGENTS)) as fakes:
        fakes.source.create({"name": "Agent", "email": "a@x.no", "role": "agent", "phone": "1",
                             "shared_phone_number": True})
        fakes.source.create({"name": "Asker", "email": "b@x.no", "role": "end-user", "phone": "2"})
        fakes.source.create({"name": "Private", "email": "c@x.no", "role": "agent", "phone": "3",
                             "shared_phone_number": False})
        code = main(["--model", str(model), "--mapping", AGENTS, "--config", config(fakes, tmp_path)])
        out = capsys.readouterr().out
        assert code == 0, out
        users = {u["name"]: u for u in fakes.target.records()}
        assert set(users) == {"Agent", "Private"}, "only agents are synchronized"
        assert users["Agent"]["sharedPhone"] == "1" and "sharedPhone" not in users["Private"]
        assert json.loads(out.strip().splitlines()[-1])["skipped"] == 1


PREDICATE = '''
[[conditions]]
phrasing = "removed person customers for now{any}"
[conditions.predicates."Custom CRM"]
field = "customerType"
operator = "not_equals"
value = "person"
'''


def test_sync_run_needs_a_predicate_and_every_concept_and_says_which(model, tmp_path, capsys):
    predicate = PREDICATE
    with Harness(mapping_of(model, CUSTOMERS), vocabulary=Vocabulary.shipped().extended(tomllib.loads(PREDICATE))) as fakes:
        args = ["--model", str(model), "--mapping", CUSTOMERS, "--config"]
        assert main([*args, config(fakes, tmp_path)]) == 2
        err = capsys.readouterr().err
        assert "no predicate for that condition" in err and "removed person customers" in err
        assert not (tmp_path / "state.db").exists(), "nothing may be written before the configuration is whole"

        # A concept with no spelling: the row is skipped with a warning, as the engine skips it in-process.
        assert main([*args, config(fakes, tmp_path, predicate)]) == 0
        err = capsys.readouterr().err
        assert "no value known for wd:Q852835 in Custom CRM" in err and 'concepts."wd:Q852835"' in err
        (tmp_path / "state.db").unlink()

        fakes.source.create({"name": "Firm", "customerType": "company", "orgNumber": "914",
                             "country": {"code": "NO-ORG"}, "vatNumber": "V1", "departmentId": 5})
        fakes.source.create({"name": "Person", "customerType": "person"})
        concept = '[concepts."wd:Q852835"]\n"Custom CRM" = "NO-ORG"\n'
        assert main([*args, config(fakes, tmp_path, predicate + concept)]) == 0
        captured = capsys.readouterr()
        assert "condition names no value" in captured.err and "condition names no path" in captured.err
        assert "2 different conditions" in captured.err
        assert [(c["name"], c.get("registrationNumber"), c.get("vatNumber"), c.get("department"))
                for c in fakes.target.records()] == [("Firm", "914", None, None)]
