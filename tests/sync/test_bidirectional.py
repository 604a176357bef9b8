"""Bidirectional: edits flow both ways; per property the latest wins; conflicts name their rule."""
from .builders import mapping, prop
from sync.report import RULE_EMPTY_NEVER_OVERWRITES, RULE_LATEST_WINS

PROPS = [prop("first_name", "firstname"), prop("last_name", "lastname"), prop("phone", "phone")]


def linked_pair(sync_harness, **kwargs):
    h = sync_harness(mapping("Custom CRM Contact", "Custom PMS Contact", bidirectional=True, properties=PROPS,
                             **kwargs))
    sid = h.source.create({"first_name": "Ada", "last_name": "Lovelace", "phone": "1"})
    h.run_pass()
    [(_, tid)] = h.links()
    return h, sid, tid


def test_a_target_edit_reaches_the_source_through_the_table_read_backwards(sync_harness):
    h, sid, tid = linked_pair(sync_harness)
    h.target.edit(tid, {"lastname": "King"})
    report = h.run_pass()
    assert report.updated == 1
    assert h.source.get(sid)["last_name"] == "King"
    [write] = [r for r in h.source.requests if r.is_write]
    assert write.body == {"last_name": "King"}


def test_a_one_way_mapping_leaves_target_edits_alone(sync_harness):
    h = sync_harness(mapping("Custom CRM Contact", "Custom PMS Contact", properties=PROPS))
    sid = h.source.create({"first_name": "Ada"})
    h.run_pass()
    [(_, tid)] = h.links()
    h.target.edit(tid, {"firstname": "Hand"})
    h.run_pass()
    assert h.source.get(sid)["first_name"] == "Ada" and h.target.get(tid)["firstname"] == "Hand"


def test_changed_on_both_sides_the_most_recent_wins_and_is_reported(sync_harness):
    h, sid, tid = linked_pair(sync_harness)
    h.source.edit(sid, {"first_name": "Source"})
    h.target.edit(tid, {"firstname": "Target"})  # later on the shared clock
    report = h.run_pass()
    [conflict] = report.conflicts
    assert (conflict.entity_id, conflict.path, conflict.rule) == (sid, "first_name", RULE_LATEST_WINS)
    assert h.source.get(sid)["first_name"] == "Target" and h.target.get(tid)["firstname"] == "Target"


def test_an_empty_value_never_overwrites_a_filled_one(sync_harness):
    h, sid, tid = linked_pair(sync_harness)
    h.source.edit(sid, {"phone": "2"})
    h.target.edit(tid, {"phone": ""})
    report = h.run_pass()
    [conflict] = report.conflicts
    assert conflict.rule == RULE_EMPTY_NEVER_OVERWRITES
    assert h.target.get(tid)["phone"] == "2" and h.source.get(sid)["phone"] == "2"
    h.source.edit(sid, {"phone": None})
    h.run_pass()
    assert h.target.get(tid)["phone"] == "2"


def test_all_changed_properties_of_one_entity_go_out_in_one_write(sync_harness):
    h, sid, tid = linked_pair(sync_harness)
    before = h.target.writes
    h.source.edit(sid, {"first_name": "A", "last_name": "B", "phone": "3"})
    h.run_pass()
    assert h.target.writes == before + 1
    assert h.target.requests[-1].body == {"firstname": "A", "lastname": "B", "phone": "3"}


def test_different_properties_edited_on_each_side_both_survive(sync_harness):
    h, sid, tid = linked_pair(sync_harness)
    h.source.edit(sid, {"first_name": "Augusta"})
    h.target.edit(tid, {"lastname": "King"})
    report = h.run_pass()
    assert report.conflicts == ()
    assert h.target.get(tid)["firstname"] == "Augusta" and h.source.get(sid)["last_name"] == "King"


def test_no_echo_after_writing_both_ways(sync_harness):
    h, sid, tid = linked_pair(sync_harness)
    h.source.edit(sid, {"first_name": "Augusta"})
    h.target.edit(tid, {"lastname": "King"})
    h.run_pass()
    writes = (h.source.writes, h.target.writes)
    assert h.run_pass().updated == 0
    assert (h.source.writes, h.target.writes) == writes


def test_one_source_property_feeds_several_target_paths_with_their_own_types(sync_harness):
    m = mapping("HubSpot Contact", "Salesforce Account", properties=[
        prop("properties.zip", "postalAddress.postalCode"), prop("properties.zip", "physicalAddress.postalCode"),
        prop("properties.zip", "deliveryAddress.number", "integer"),
    ])
    h = sync_harness(m)
    h.source.create({"properties": {"zip": "0150"}})
    h.run_pass()
    [held] = h.target.records()
    assert held["postalAddress"] == {"postalCode": "0150"} and held["physicalAddress"] == {"postalCode": "0150"}
    assert held["deliveryAddress"] == {"number": 150}


def test_paths_through_lists_apply_to_every_item(sync_harness):
    m = mapping("Salesforce Orderitem", "MemberCare Invoices", bidirectional=True,
                properties=[prop("Quantity", "invoiceItems.quantity")])
    h = sync_harness(m)
    sid = h.source.create({"Quantity": "2"})
    h.run_pass()
    [(_, tid)] = h.links()
    h.target.edit(tid, {"invoiceItems": [{"quantity": "2"}, {"quantity": "2", "unitPrice": "9"}]})
    h.source.edit(sid, {"Quantity": "5"})
    h.run_pass()
    items = h.target.get(tid)["invoiceItems"]
    assert [i["quantity"] for i in items] == ["5", "5"] and items[1]["unitPrice"] == "9"
    assert h.run_pass().updated == 0
