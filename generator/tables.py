"""The two tables of a section: merge keys (2 columns) and properties (3 columns), checked and read."""
from __future__ import annotations

from docutils import nodes

from .conditions import report_condition, split_cell
from .findings import FindingLog
from .model import DATA_TYPES, Condition, PropertyMapping, SpecError
from .names import fold
from .property_paths import check_property_path

TABLE_COLUMNS = {"merge_keys": 2, "properties": 3}


def table_rows(table: nodes.table | None, kind: str, entities: tuple[str, str], file: str,
               log: FindingLog, statement_line: int) -> list[tuple[list[str], int]]:
    """(cells, line) of each body row of a statement's table, after checking its shape and header."""
    if table is None:
        return []
    tgroup = next(iter(table.findall(nodes.tgroup)))
    columns = int(tgroup["cols"])
    table_line = table.get("directive_line", statement_line)
    if columns != TABLE_COLUMNS[kind]:
        label = "merge-key" if kind == "merge_keys" else "property"
        raise SpecError(file, table_line,
                        f"the {label} table has {columns} columns; expected {TABLE_COLUMNS[kind]}")
    row_lines = table.get("row_lines", [])
    header = [row for part in tgroup.findall(nodes.thead) for row in part.findall(nodes.row)]
    body = [row for part in tgroup.findall(nodes.tbody) for row in part.findall(nodes.row)]
    if header:
        _check_header(_cells(header[0]), entities, log, row_lines[0] if row_lines else table_line)
    rows = []
    for index, row in enumerate(body):
        row_line = row_lines[len(header) + index] if len(header) + index < len(row_lines) else table_line
        cells = _cells(row)
        for cell in cells[:2]:
            check_property_path(cell, file, row_line)
        rows.append((cells, row_line))
    return rows


def _cells(row: nodes.row) -> list[str]:
    return [" ".join(entry.astext().split()) for entry in row.findall(nodes.entry)]


def _check_header(cells: list[str], entities: tuple[str, str], log: FindingLog, line: int) -> None:
    for cell, entity in zip(cells[:2], entities):
        if not fold(cell).endswith(fold(f"{entity} Property")):
            log.warning(line, "table-header",
                        f"the table header {cell!r} does not name the section's entity {entity!r}")


def property_row(cells: list[str], line: int, file: str, log: FindingLog) -> PropertyMapping:
    source, source_when = split_cell(cells[0], "source")
    target, target_when = split_cell(cells[1], "target")
    when = source_when or target_when
    if source_when and target_when:  # both cells conditioned: one row cannot honour two sides
        when = Condition(source_when.side, source_when.path, source_when.has, (*source_when.others, target_when))
    report_condition(when, line, log)
    raw_type = cells[2]
    if raw_type.upper() == "N/A":
        data_type = None
    else:
        data_type = raw_type.strip('"').strip()
        if data_type not in DATA_TYPES:
            raise SpecError(file, line, f"unknown data type {raw_type!r}; expected one of "
                            + ", ".join(f'"{t}"' for t in DATA_TYPES) + " or N/A")
    return PropertyMapping(source, target, data_type, file, line, when)  # type: ignore[arg-type]


def report_property_clashes(properties: tuple[PropertyMapping, ...], log: FindingLog) -> None:
    first_by_target: dict[str, PropertyMapping] = {}
    for row in properties:
        first = first_by_target.setdefault(row.target, row)
        if first is row:
            continue
        if first.type != row.type:
            log.warning(row.line, "target-two-types",
                        f"target {row.target!r} is declared {first.type or 'N/A'} on line {first.line} "
                        f"and {row.type or 'N/A'} here")
        if first.source != row.source:
            log.warning(row.line, "target-two-sources",
                        f"target {row.target!r} is fed by {first.source!r} on line {first.line} and by {row.source!r} here")
