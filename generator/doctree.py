"""Reads one reStructuredText document into a docutils doctree, keeping what docutils reports.

The publisher writes header-only list-tables (a section whose properties are not listed yet).
Stock docutils rejects those with "Insufficient data supplied" and drops the table, so this
module parses with a list-table directive of its own that keeps them, and records the line of
every row (docutils forgets row positions once it has built a table).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser, directives
from docutils.parsers.rst.directives.tables import ListTable
from docutils.utils import new_document


_ROW = re.compile(r"^\*\s+-(?:\s+(?P<text>.*))?$")
_CELL = re.compile(r"^\s+-(?:\s+(?P<text>.*))?$")


class _LiteralListTable(ListTable):
    """`list-table` whose cells are taken as literal text, keeping header-only tables.

    The publisher's cells hold property paths and quoted type names, never markup; reading them
    literally keeps a path such as `custom_` intact (docutils would read it as a reference) and
    spares a nested parse per cell, which is most of the time docutils spends on a document.
    The two-level bullet list is still checked as docutils checks it, with the same messages.
    """

    def run(self):
        if not self.content:
            raise self.error(f'The "{self.name}" directive is empty; content required.')
        rows, row_lines = self._rows()
        header_rows = self.options.get("header-rows", 0)
        if len(rows) < header_rows:
            raise self.error(f"{header_rows} header row(s) specified but only {len(rows)} row(s) of data "
                             f'supplied ("{self.name}" directive).')
        table = self._table(rows, header_rows)
        table["row_lines"] = row_lines
        table["directive_line"] = self.lineno
        table.source, table.line = self.state_machine.get_source_and_line(self.lineno)
        return [table]

    def _rows(self) -> tuple[list[list[str]], list[int]]:
        rows: list[list[list[str]]] = []
        row_lines: list[int] = []
        for text, (_source, offset) in zip(self.content, self.content.items):
            row = _ROW.match(text)
            cell = _CELL.match(text)
            if row:
                rows.append([[row["text"] or ""]])
                row_lines.append(offset + 1)
            elif cell and rows:
                rows[-1].append([cell["text"] or ""])
            elif text.strip() and rows:
                rows[-1][-1].append(text.strip())
            elif text.strip():
                raise self.error(f'Error parsing content block for the "{self.name}" directive: '
                                 "exactly one bullet list expected.")
        columns = len(rows[0]) if rows else 0
        for number, row in enumerate(rows[1:], 2):
            if len(row) != columns:
                raise self.error(
                    f'Error parsing content block for the "{self.name}" directive: uniform two-level bullet list '
                    f"expected, but row {number} does not contain the same number of items as row 1 "
                    f"({len(row)} vs {columns}).")
        return [[" ".join(part for part in cell if part) for cell in row] for row in rows], row_lines

    def _table(self, rows: list[list[str]], header_rows: int) -> nodes.table:
        columns = len(rows[0]) if rows else 0
        table = nodes.table()
        group = nodes.tgroup(cols=columns)
        table += group
        for _ in range(columns):
            group += nodes.colspec(colwidth=1)
        for part, chunk in ((nodes.thead, rows[:header_rows]), (nodes.tbody, rows[header_rows:])):
            section = part()
            for cells in chunk:
                row = nodes.row()
                for text in cells:
                    row += nodes.entry("", nodes.paragraph(text, text))
                section += row
            group += section
        return table


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
    directives.register_directive("list-table", _LiteralListTable)
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
