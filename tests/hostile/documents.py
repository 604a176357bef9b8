"""Small dataflow documents to build hostile inputs from."""
from __future__ import annotations


def heading(text: str, mark: str = "-") -> str:
    return f"{text}\n{mark * max(len(text), 4)}\n\n"


def section(source: str = "Person", target: str = "Customer", title: str | None = None,
            rows: tuple[tuple[str, str], ...] = (("name", "full_name"),), body: str = "") -> str:
    title = title or f"Acme {source} to Beta {target}"
    table = "".join(f"   * - {s}\n     - {t}\n     - \"string\"\n" for s, t in rows)
    return (heading(title)
            + f"Every Acme {source} will be synchronized with a Beta {target}.\n\n" + body
            + f"The following properties are synchronized between a Acme {source} and a Beta {target}:\n\n"
            + ".. list-table::\n   :header-rows: 1\n\n"
            + f"   * - Acme {source} Property\n     - Beta {target} Property\n     - Beta Data Type\n" + table + "\n")


def document(*sections: str) -> str:
    title = "Acme to Beta Dataflow"
    return f"{'=' * len(title)}\n{title}\n{'=' * len(title)}\n\n" + heading("Introduction") + "Text.\n\n" + "".join(
        sections or (section(),))
