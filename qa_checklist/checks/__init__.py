"""What generated tests call: `checks.<name>(sync_harness, MAPPING, ...)`, a check per kind of checklist item.

`linked.py` holds the linked-pair checks (statements, property rows, the promises of a link),
`user_inputs.py` the property rows with the inputs users produce, `pair.py` a pass's writes,
conflict rules, one-way and faults, `sync_report.py` the engine's pass report. They set up through
`scenario.py` on `records.py`, with `conditions.py`, `kept_fields.py`, `values.py` and
`expected.py`; their failures speak the report's words (`qa_checklist/shared/`). Nothing here
imports the report or the runners.
"""
from ..shared.manifest import load_mapping  # noqa: F401  (generated modules call checks.load_mapping)
from .linked import (  # noqa: F401
    bidirectional,
    conflict,
    creation_rule,
    merge_key,
    merge_or_create_match,
    merge_or_create_no_match,
    no_echo,
    nothing_to_verify,
    optimistic_locking,
    property_row,
    property_row_values,
    sync_rule,
)
from .pair import conflict_rules, faults, one_way, write_counts  # noqa: F401
from .sync_report import pass_report  # noqa: F401
from .user_inputs import property_list_items, property_text_and_empty, property_uncoercible  # noqa: F401
