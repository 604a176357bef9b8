"""Turns one document's doctree into a `Dataflow` and its findings.

This module and `doctree.py` are the only ones that know docutils.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from docutils import nodes

from .doctree import read_doctree
from .findings import FindingLog
from .layout import IdRegistry, Placed, document_id, module_path
from .limits import check_text, check_title
from .model import (
    CreationRule,
    Dataflow,
    EntityMapping,
    MergeKey,
    SpecError,
    Statement,
)
from .names import fold, slug, split_at_first_word, split_section_title, systems_from_file, systems_from_title
from .statements import Sentence, recognise
from .tables import TABLE_COLUMNS, property_row, report_property_clashes, table_rows

_SYNC_KINDS = ("every", "link_required", "conditional")


def build_dataflow(text: str, file: str, place: Placed | None = None) -> tuple[Dataflow, FindingLog]:
    """The model of one document; raises `SpecError` when it cannot be read.

    `place` is the document's id among the others (see `layout.place_documents`); alone, it
    keeps its natural id.
    """
    check_text(text, file)
    try:
        return _build(text, file, place or Placed(document_id(file), document_id(file)))
    except RecursionError:
        # docutils parses nested lists and block quotes recursively; Python's stack is the limit.
        line, depth = _deepest_line(text)
        raise SpecError(file, line, f"nested too deeply to read (indented {depth} columns here)") from None


def _deepest_line(text: str) -> tuple[int, int]:
    depths = [(len(line) - len(line.lstrip()), -number) for number, line in enumerate(text.splitlines(), 1)
              if line.strip()]
    depth, line = max(depths, default=(0, -1))
    return -line, depth


def _build(text: str, file: str, place: Placed) -> tuple[Dataflow, FindingLog]:
    document, messages = read_doctree(text, file)
    log = FindingLog(file)
    for message in messages:
        if message.level >= 3:
            raise SpecError(file, message.line, message.text)
        if message.level == 2:
            log.warning(message.line, "docutils", message.text)

    top = next((child for child in document.children if isinstance(child, nodes.section)), None)
    if top is None:
        line = next((n.line for n in document.findall(nodes.Element) if n.line), 1)
        raise SpecError(file, line, 'no title: expected a title "<Source> to <Target> Dataflow"')
    title_node = top[0]
    title = title_node.astext()
    title_line = _title_line(title_node)
    check_title(title, file, title_line)
    systems = systems_from_title(title)
    if systems is None:
        raise SpecError(file, title_line, f'title {title!r} is not of the form "<Source> to <Target> Dataflow"')
    source_system, target_system = _fill_blank_systems(systems, file, title_line, log)
    if place.taken_by is not None:
        log.warning(title_line, "document-id-collision",
                    f"the document's id {place.natural!r} is already that of {place.taken_by!r}; "
                    f"its sections' ids start with {place.id!r}")
    context = _DocumentContext(file, place.id, source_system,
                               target_system, blank_source=not systems[0], blank_target=not systems[1])

    generated = None
    mappings: list[EntityMapping] = []
    for child in top.children[1:]:
        if isinstance(child, nodes.paragraph) and child.astext().startswith("Generated:"):
            generated = child.astext().removeprefix("Generated:").strip()
        elif isinstance(child, nodes.section):
            mapping = _build_section(child, context, log)
            if mapping is not None:
                mappings.append(mapping)
    _report_repeats(mappings, log)
    dataflow = Dataflow(file, title, source_system, target_system, generated, title_line, tuple(mappings))
    return dataflow, log


@dataclass
class _DocumentContext:
    file: str
    stem: str
    source_system: str
    target_system: str
    blank_source: bool
    blank_target: bool
    repeats: dict[str, int] = field(default_factory=dict)
    registry: IdRegistry = field(default_factory=lambda: IdRegistry(lambda i: "module:" + module_path(i)))

    def unique_id(self, base: str, line: int, log: FindingLog) -> str:
        """`base`, `base-2` for its first repeat and so on; a suffix more where that id (or its
        module) is already another section's, reported as an `id-collision`."""
        count = self.repeats[base] = self.repeats.get(base, 0) + 1
        placed = self.registry.place(base if count == 1 else f"{base}-{count}", f"line {line}")
        if placed.taken_by is not None:
            log.warning(line, "id-collision", f"the id {placed.natural!r} is already the section's on "
                        f"{placed.taken_by}; this section's is {placed.id!r}")
        return placed.id


def _title_line(title: nodes.title) -> int:
    # docutils gives a title the line of its underline; the text stands one line above.
    return max((title.line or 2) - 1, 1)


def _fill_blank_systems(systems: tuple[str, str], file: str, line: int, log: FindingLog) -> tuple[str, str]:
    from_file = systems_from_file(file)
    filled = tuple(name or fallback for name, fallback in zip(systems, from_file))
    for side, name, fallback in zip(("source", "target"), systems, from_file):
        if not name:
            log.warning(line, "blank-system", f"the title names no {side} system; using {fallback!r} from the file name")
    return filled  # type: ignore[return-value]


def _build_section(section: nodes.section, ctx: _DocumentContext, log: FindingLog) -> EntityMapping | None:
    title = section[0].astext()
    line = _title_line(section[0])
    check_title(title, ctx.file, line)
    if fold(title) == "introduction":
        return None
    entities = split_section_title(
        title, ctx.source_system, ctx.target_system, ctx.blank_source, ctx.blank_target
    )
    if entities is None:
        entities = split_at_first_word(title)
        if entities is None:
            raise SpecError(
                ctx.file, line,
                f'section title {title!r} is not "<{ctx.source_system} entity> to <{ctx.target_system} entity>"',
            )
        log.warning(line, "section-systems",
                    f"section title {title!r} does not name the systems {ctx.source_system!r} and "
                    f"{ctx.target_system!r}; read as {entities[0]!r} to {entities[1]!r}")
    source_entity, target_entity = entities
    names = _SectionNames(title, source_entity, target_entity)

    statements: list[Statement] = []
    sentences: dict[str, Sentence] = {}
    tables: dict[str, nodes.table] = {}
    expecting_table: str | None = None
    for child in section.children[1:]:
        if isinstance(child, nodes.system_message):
            continue
        if isinstance(child, nodes.table):
            if expecting_table is None:
                log.warning(child.get("directive_line", line), "unrecognized-table",
                            "a table that no statement introduces; it is ignored")
            else:
                tables[expecting_table] = child
                expecting_table = None
            continue
        expecting_table = None
        text = child.astext()
        sentence = recognise(text) if isinstance(child, nodes.paragraph) else None
        child_line = child.line or line
        if sentence is None:
            log.warning(child_line, "unrecognized-paragraph", f"not a statement this tool knows: {_short(text)!r}")
            continue
        kind = "sync" if sentence.kind in _SYNC_KINDS else sentence.kind
        if kind in sentences or (kind == "sync" and any(k in sentences for k in _SYNC_KINDS)):
            log.warning(child_line, "repeated-statement", f"a second {kind} statement in one section; the first counts")
            continue
        sentences[kind if kind != "sync" else sentence.kind] = sentence
        statements.append(Statement(kind, sentence.text, child_line))
        names.check(sentence, child_line, log)
        if kind in TABLE_COLUMNS:
            expecting_table = kind

    sync_kind = next((k for k in _SYNC_KINDS if k in sentences), None)
    if sync_kind is None:
        raise SpecError(ctx.file, line, f"section {title!r} has no synchronization statement "
                        '("Every ... will be synchronized with ...", "Before any synchronization ...", '
                        'or "<condition>, it will be synchronized with ...")')

    statement_line = {s.kind: s.line for s in statements}
    for kind in TABLE_COLUMNS:
        if kind in sentences and kind not in tables:
            log.warning(statement_line[kind], "missing-table", f"the {kind.replace('_', '-')} statement is not followed by a table")
    merge_keys = tuple(
        MergeKey(cells[0], cells[1], ctx.file, row_line)
        for cells, row_line in table_rows(tables.get("merge_keys"), "merge_keys", entities, ctx.file, log,
                                          statement_line.get("merge_keys", line))
    )
    properties = tuple(
        property_row(cells, row_line, ctx.file, log)
        for cells, row_line in table_rows(tables.get("properties"), "properties", entities, ctx.file, log,
                                          statement_line.get("properties", line))
    )
    if "properties" in sentences and not properties:
        log.warning(statement_line["properties"], "nothing-to-verify",
                    f"{title!r}: the property table lists no properties; nothing to verify")
    report_property_clashes(properties, log)
    for row in properties:
        if row.type is None:
            log.warning(row.line, "na-type", f"{row.source!r} -> {row.target!r} has data type N/A: passed through unchanged")

    creation = sentences.get("creation_rule")
    return EntityMapping(
        id=ctx.unique_id(f"{ctx.stem}/{slug(source_entity)}-to-{slug(target_entity)}", line, log),
        title=title,
        file=ctx.file,
        line=line,
        source_system=ctx.source_system,
        source_entity=source_entity,
        target_system=ctx.target_system,
        target_entity=target_entity,
        sync=sync_kind,  # type: ignore[arg-type]
        condition=sentences["conditional"].condition if sync_kind == "conditional" else None,
        create_when_connected=(
            CreationRule(creation.via, creation.into, ctx.file, statement_line["creation_rule"]) if creation else None
        ),
        merge_or_create="merge_or_create" in sentences,
        merge_keys=merge_keys,
        bidirectional="bidirectional" in sentences,
        properties=properties,
        statements=tuple(statements),
    )


@dataclass(frozen=True)
class _SectionNames:
    """The section's two entity names as its statements should spell them, to check against."""

    title: str
    source_entity: str
    target_entity: str

    def check(self, sentence: Sentence, line: int, log: FindingLog) -> None:
        for side, named, entity in (("source", sentence.source, self.source_entity),
                                    ("target", sentence.target, self.target_entity)):
            if named is not None and not fold(named).endswith(fold(entity)):
                log.warning(line, "statement-names-differ",
                            f"the statement names {named!r} where the section title has the {side} entity {entity!r}")


def _report_repeats(mappings: list[EntityMapping], log: FindingLog) -> None:
    seen: dict[tuple, EntityMapping] = {}
    for mapping in mappings:
        key = (mapping.title, mapping.sync, mapping.condition, mapping.create_when_connected and mapping.create_when_connected.via,
               mapping.merge_or_create, tuple((k.source, k.target) for k in mapping.merge_keys), mapping.bidirectional,
               tuple((p.source, p.target, p.type, p.when) for p in mapping.properties))
        if key in seen:
            log.warning(mapping.line, "repeated-section",
                        f"section {mapping.title!r} repeats the one on line {seen[key].line}; kept as {mapping.id!r}")
        else:
            seen[key] = mapping


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
