"""Read a pupil roster CSV as school MIS systems export it; report every bad row by its line number.

Columns (matched without regard to case, spaces or underscores):
``UPN, Legal Forename, Legal Surname, Preferred Forename, Preferred Surname, Year, DOB``.
Dates may be ``DD/MM/YYYY`` (as the MIS exports them) or ``YYYY-MM-DD``; Year may be ``R``, ``7`` or ``Year 7``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

REQUIRED = ("upn", "legal forename", "legal surname", "year", "dob")
OPTIONAL = ("preferred forename", "preferred surname")
ALIASES = {
    "forename": "legal forename",
    "surname": "legal surname",
    "legal first name": "legal forename",
    "legal last name": "legal surname",
    "preferred first name": "preferred forename",
    "preferred last name": "preferred surname",
    "year group": "year",
    "date of birth": "dob",
}
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
_NAME = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '’.-])*$")
MAX_ROWS = 20_000


@dataclass(frozen=True)
class RosterRow:
    upn: str
    legal_first_name: str
    legal_last_name: str
    preferred_first_name: str
    preferred_last_name: str
    year_group: int
    date_of_birth: dt.date


@dataclass
class RosterFile:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, what is wrong), every problem

    def problems_by_line(self) -> list[tuple[int, list[str]]]:
        """Each bad line once, with all of its problems, in file order."""
        grouped: dict[int, list[str]] = {}
        for line, problem in self.errors:
            grouped.setdefault(line, []).append(problem)
        return list(grouped.items())


def upn_check_letter(body: str) -> str:
    """The check letter of a UPN from its last 12 characters (DfE algorithm: weights 2..13, mod 23)."""
    total = sum(int(ch) * weight for weight, ch in enumerate(body, start=2) if ch.isdigit())
    return UPN_CHECK_LETTERS[total % 23]


def _header_key(raw: str) -> str:
    key = re.sub(r"[\s_]+", " ", raw.strip().lstrip("\ufeff").lower())
    return ALIASES.get(key, key)


def _parse_date(raw: str) -> dt.date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date()  # noqa: DTZ007 - a date, not a moment
        except ValueError:
            continue
    raise ValueError(f"date of birth “{raw}” is not a date like 31/01/2014")


def _parse_year(raw: str) -> int:
    cleaned = raw.strip().lower().removeprefix("year").strip()
    if cleaned in {"r", "rec", "reception"}:
        return 0
    if cleaned.isdigit() and 0 <= int(cleaned) <= 14:
        return int(cleaned)
    raise ValueError(f"year “{raw}” is not a year group (R, 1–14)")


def _check_name(value: str, label: str, required: bool) -> str:
    value = " ".join(value.split())
    if not value:
        if required:
            raise ValueError(f"{label} is missing")
        return ""
    if len(value) > 100 or not _NAME.match(value):
        raise ValueError(f"{label} “{value[:40]}” is not a name")
    return value


def parse_roster(data: bytes, *, today: dt.date) -> RosterFile:
    result = RosterFile()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            result.errors.append((1, "the file is not text (save it from the MIS as CSV)"))
            return result
    if "\x00" in text:
        result.errors.append((1, "the file is not text (save it from the MIS as CSV)"))
        return result
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [_header_key(cell) for cell in next(reader)]
    except StopIteration:
        result.errors.append((1, "the file is empty"))
        return result
    except csv.Error as exc:
        result.errors.append((1, f"the header cannot be read ({exc})"))
        return result
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        result.errors.append((1, "the header lacks the column(s): " + ", ".join(m.title() for m in missing)))
        return result
    index = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
    seen: dict[str, int] = {}
    bad_lines = 0
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(result.rows) + bad_lines >= MAX_ROWS:
                result.errors.append((line, f"the file has more than {MAX_ROWS} pupils"))
                break
            parsed, problems = _parse_row(row, index, today)
            upn = parsed.upn if parsed else _upn_if_valid(row, index)
            if upn and upn in seen:
                problems.append(f"UPN {upn} is also on line {seen[upn]}")
            elif upn:
                seen[upn] = line
            if problems or parsed is None:
                bad_lines += 1
                result.errors.extend((line, problem[:200]) for problem in problems)
                continue
            result.rows.append(parsed)
    except csv.Error as exc:
        result.errors.append((reader.line_num, f"the line cannot be read as CSV ({exc})"))
    return result


def _cell(row: list[str], index: dict[str, int], name: str) -> str:
    position = index.get(name)
    return row[position].strip() if position is not None and position < len(row) else ""


def _check_upn(raw: str) -> str:
    upn = raw.upper()
    if not _UPN.match(upn):
        raise ValueError(f"UPN “{upn[:20]}” is not 13 characters: a letter then 12 digits")
    if upn[1:].isdigit() and upn_check_letter(upn[1:]) != upn[0]:
        raise ValueError(f"UPN {upn} has the wrong check letter (expected {upn_check_letter(upn[1:])})")
    return upn


def _upn_if_valid(row: list[str], index: dict[str, int]) -> str:
    try:
        return _check_upn(_cell(row, index, "upn"))
    except ValueError:
        return ""


def _check_born(raw: str, today: dt.date) -> dt.date:
    born = _parse_date(raw)
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if not 2 <= age <= 20:
        raise ValueError(f"date of birth {born:%d/%m/%Y} gives an age of {age}, not a pupil's")
    return born


def _parse_row(row: list[str], index: dict[str, int], today: dt.date) -> tuple[RosterRow | None, list[str]]:
    """The row, or every problem on it: the import page promises each line's problems all at once."""
    problems: list[str] = []
    values: dict[str, object] = {}
    checks = (
        ("upn", lambda: _check_upn(_cell(row, index, "upn"))),
        ("legal_first_name", lambda: _check_name(_cell(row, index, "legal forename"), "Legal Forename", True)),
        ("legal_last_name", lambda: _check_name(_cell(row, index, "legal surname"), "Legal Surname", True)),
        (
            "preferred_first_name",
            lambda: _check_name(_cell(row, index, "preferred forename"), "Preferred Forename", False),
        ),
        (
            "preferred_last_name",
            lambda: _check_name(_cell(row, index, "preferred surname"), "Preferred Surname", False),
        ),
        ("year_group", lambda: _parse_year(_cell(row, index, "year"))),
        ("date_of_birth", lambda: _check_born(_cell(row, index, "dob"), today)),
    )
    for name, check in checks:
        try:
            values[name] = check()
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        return None, problems
    return RosterRow(**values), []  # type: ignore[arg-type]
