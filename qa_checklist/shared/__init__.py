"""Below the other rooms, importing none: the failure-message vocabulary checks write and the report reads
(`messages.py`, `describe.py`, `causes.py`), and the generated suite's manifest (`manifest.py`)."""
