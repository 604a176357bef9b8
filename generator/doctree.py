"""Reads one reStructuredText document into a docutils doctree, keeping what docutils reports.

The publisher writes header-only list-tables (a section whose properties are not listed yet).
Stock docutils rejects those with "Insufficient data supplied" and drops the table, so this
module parses with a list-table directive that keeps them, and records the line of every row
(docutils forgets row positions once it has built the table).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser, directives
from docutils.parsers.rst.directives.tables import ListTable
from docutils.utils import new_document


class _ListTableKeepingHeaderOnly(ListTable):
    """`list-table` that accepts a table with header rows and no body, and knows its row lines."""

    def check_table_dimensions(self, rows, header_rows, stub_columns):
        if header_rows and len(rows) == header_rows:
            return
        super().check_table_dimensions(rows, header_rows, stub_columns)

    def run(self):
        result = super().run()
        row_lines = [
            offset + 1
            for text, (_source, offset) in zip(self.content, self.content.items)
            if text.lstrip().startswith("* ") or text.strip() == "*"
        ]
        for node in result:
            if isinstance(node, nodes.table):
                node["row_lines"] = row_lines
                node["directive_line"] = self.lineno
        return result


@dataclass(frozen=True, slots=True)
class Message:
    """A docutils system message: 1 info, 2 warning, 3 error, 4 severe."""

    level: int
    line: int
    text: str


@cache
def _settings():
    # Building docutils' settings runs its whole option parser; do it once per process.
    settings = get_default_settings(Parser)
    settings.report_level = 5  # say nothing on stderr: messages are collected instead
    settings.halt_level = 5
    settings.file_insertion_enabled = False  # spec text must not pull in other files
    settings.raw_enabled = False
    return settings


@cache
def _parser() -> Parser:
    directives.register_directive("list-table", _ListTableKeepingHeaderOnly)
    return Parser()


def read_doctree(text: str, source: str) -> tuple[nodes.document, list[Message]]:
    """The doctree of `text` and the messages docutils reported while building it."""
    document = new_document(source, _settings())
    messages: list[Message] = []

    def observe(msg: nodes.system_message) -> None:
        body = msg.children[0].astext() if msg.children else msg.astext()
        messages.append(Message(msg["level"], msg.get("line") or 1, " ".join(body.split())))

    document.reporter.attach_observer(observe)
    _parser().parse(text, document)
    return document, messages
