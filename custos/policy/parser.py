"""Read a policy written in the Trust's Markdown form: numbered clauses and the Appendix B form description.

The form: ``## 1.0 Title`` / ``### A.1 Title`` headings, clauses as ``- **1.1** text`` list items (indented
sub-items belong to the clause above), and ``## Appendix B …`` whose numbered items are the form's sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEADING = re.compile(r"^(#{2,3})\s+(.*\S)\s*$")
_CLAUSE = re.compile(r"^- \*\*((?:\d+|[A-Z])\.\d+(?:\.\d+)?)\*\*\s+(.*)$")
_SECTION_NUMBER = re.compile(r"^((?:\d+\.0)|(?:[A-Z]\.\d+))\s+(.*)$")
_FORM_SECTION = re.compile(r"^(\d+)\.\s+\*\*(.+?)\*\*\s*(.*)$")
_FORM_FIELD = re.compile(r"^\s+-\s+(.*\S)\s*$")


class PolicyFormatError(ValueError):
    pass


@dataclass
class ParsedClause:
    number: str
    section: str
    section_title: str
    text: str


@dataclass
class FormSection:
    number: int
    title: str
    note: str
    fields: list[str] = field(default_factory=list)


@dataclass
class ParsedPolicy:
    title: str
    clauses: list[ParsedClause]
    form_title: str
    form_intro: str
    form_sections: list[FormSection]


def parse_policy(markdown: str) -> ParsedPolicy:
    title = ""
    clauses: list[ParsedClause] = []
    section, section_title = "", ""
    form_title, form_intro_lines = "", list[str]()
    form_sections: list[FormSection] = []
    in_form = False
    current: ParsedClause | None = None
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if line.startswith("# ") and not title:
            title = line[2:].strip()
            continue
        heading = _HEADING.match(line)
        if heading:
            current = None
            text = heading.group(2)
            if text.lower().startswith("appendix b"):
                in_form, form_title = True, text
                continue
            in_form = False
            numbered = _SECTION_NUMBER.match(text)
            if numbered:
                section, section_title = numbered.group(1), numbered.group(2)
            elif text.lower().startswith("appendix"):
                section, section_title = text.split("—")[0].strip(), text
            continue
        if in_form:
            _read_form_line(line, form_sections, form_intro_lines)
            continue
        clause = _CLAUSE.match(line)
        if clause:
            current = ParsedClause(clause.group(1), section, section_title, clause.group(2).strip())
            clauses.append(current)
        elif current is not None and line.startswith("  ") and line.strip():
            current.text += "\n" + line.strip()
    if not clauses:
        raise PolicyFormatError("No numbered clauses found (expected lines like “- **1.1** text”).")
    numbers = [c.number for c in clauses]
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        raise PolicyFormatError("Clause numbers appear twice: " + ", ".join(duplicates))
    return ParsedPolicy(title, clauses, form_title, " ".join(form_intro_lines).strip(), form_sections)


def _read_form_line(line: str, sections: list[FormSection], intro: list[str]) -> None:
    section = _FORM_SECTION.match(line)
    if section:
        sections.append(FormSection(int(section.group(1)), section.group(2), section.group(3).strip()))
        return
    field_line = _FORM_FIELD.match(line)
    if field_line and sections:
        sections[-1].fields.append(field_line.group(1))
    elif line.strip() and not sections:
        intro.append(line.strip())
