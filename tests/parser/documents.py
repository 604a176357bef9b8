"""Small dataflow documents built in tests, in the publisher's format."""
from __future__ import annotations

from textwrap import dedent

from generator.parser import parse_document


def document(*sections: str, title: str = "Custom CRM to Chargebee Dataflow") -> str:
    bar = "=" * len(title)
    head = f"{bar}\n{title}\n{bar}\n\nGenerated: 2024-09-11 07:41:19\n\nIntroduction\n------------\n\nAn example.\n"
    return head + "".join("\n" + dedent(section).strip("\n") + "\n" for section in sections)


def section(title: str, *paragraphs: str) -> str:
    return f"{title}\n{'-' * len(title)}\n" + "\n\n".join(dedent(p).strip("\n") for p in paragraphs) + "\n"


def table(*rows: tuple[str, ...], header: tuple[str, ...]) -> str:
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in (header, *rows):
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    return "\n".join(lines)


def parse(text: str, name: str = "customcrm-chargebee.rst"):
    return parse_document(text, name)


EVERY = "Every Customcrm Contact will be synchronized with a Chargebee Customer."
CONTACT_TITLE = "Customcrm Contact to Chargebee Customer"
PROPERTY_HEADER = ("Customcrm Contact Property", "Chargebee Customer Property", "Chargebee Data Type")
PROPERTIES_INTRO = "The following properties are synchronized between a Customcrm Contact and a Chargebee Customer:"
