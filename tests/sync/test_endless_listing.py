"""A listing that never says it has ended (a fresh cursor on every page) stops at a bound, as a failed listing."""
import itertools

import pytest
import responses

import sync.connectors.paging
from sync.connectors.registry import connector_for
from sync.credentials import Credentials, Secret
from sync.errors import ListFailed


def test_a_listing_with_a_fresh_cursor_on_every_page_stops_at_the_page_bound(monkeypatch):
    monkeypatch.setattr(sync.connectors.paging, "MAX_PAGES", 5)
    cursors = itertools.count()
    connector = connector_for("Salesforce", entity="Account", base_url="https://endless.test/api",
                              credentials=Credentials("bearer", token=Secret("t")))
    with responses.RequestsMock() as mock:
        mock.add_callback(responses.GET, "https://endless.test/api/account",
                          callback=lambda request: (200, {}, f'{{"items": [], "next_cursor": "c{next(cursors)}"}}'))
        with pytest.raises(ListFailed, match="more than 5 pages"):
            connector.list_records("Account")
        assert len(mock.calls) == 5
