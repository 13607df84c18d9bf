"""``python -m custos.screening [--roster pupils.csv] [FILE]``: JSON Lines in, one line of findings out per input.

A bad line (not JSON, no text, binary, too long) gets an error on stderr naming the line, and the rest goes on;
the exit status is 1 if any line was bad.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import BinaryIO, TextIO

from custos.screening.context import Author, ScreeningContext, Venue
from custos.screening.engine import screen
from custos.screening.roster import Roster, RosterError
from custos.screening.wordlists import WordList, WordListError

MAX_LINE_BYTES = 1_000_000


class BadLine(ValueError):
    pass


def parse_line(raw: bytes) -> tuple[object, str, Author, str | None]:
    if len(raw) > MAX_LINE_BYTES:
        raise BadLine(f"line is {len(raw):,} bytes; the limit is {MAX_LINE_BYTES:,}")
    if b"\x00" in raw:
        raise BadLine("line is binary (contains NUL bytes), not JSON text")
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadLine(f"line is not UTF-8 text ({error.reason} at byte {error.start})") from None
    try:
        record = json.loads(decoded)
    except json.JSONDecodeError as error:
        raise BadLine(f"not JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(record, dict):
        raise BadLine('not a JSON object; expected {"id": ..., "text": ..., "author": ...}')
    text = record.get("text")
    if not isinstance(text, str):
        raise BadLine('missing "text" (a string)' if text is None else '"text" must be a string')
    author_value = record.get("author", "external")
    try:
        author = Author(author_value)
    except ValueError:
        raise BadLine(f'"author" must be "pupil", "staff" or "external", not {author_value!r}') from None
    pupil_id = record.get("pupil_id")
    return record.get("id"), text, author, str(pupil_id) if pupil_id is not None else None


def _lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    for number, raw in enumerate(stream, start=1):
        stripped = raw.rstrip(b"\r\n")
        if stripped.strip():
            yield number, stripped


def run(stream: BinaryIO, out: TextIO, err: TextIO, base: ScreeningContext) -> int:
    status = 0
    for number, raw in _lines(stream):
        try:
            record_id, text, author, pupil_id = parse_line(raw)
        except BadLine as error:
            print(f"custos.screening: line {number}: {error}", file=err)
            status = 1
            continue
        context = ScreeningContext(
            author=author,
            venue=base.venue,
            roster=base.roster,
            author_pupil_id=pupil_id,
            word_lists=base.word_lists,
            organisation_names=base.organisation_names,
            school_email_domains=base.school_email_domains,
        )
        findings = [
            {k: v for k, v in finding.as_dict().items() if k not in ("spans",)} for finding in screen(text, context)
        ]
        out.write(json.dumps({"id": record_id, "findings": findings}, ensure_ascii=False) + "\n")
    out.flush()
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m custos.screening", description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", help="JSON Lines input (default: stdin)")
    parser.add_argument("--roster", help="pupil roster CSV (MIS export) for pupil-name detection")
    parser.add_argument("--word-list", action="append", default=[], help="a trust's extra word list (TOML); repeatable")
    parser.add_argument("--venue", choices=[v.value for v in Venue], default=Venue.SCHOOL_SITE.value)
    parser.add_argument("--organisation", action="append", default=[], help="trust or school name (for 6.1, 6.12)")
    parser.add_argument("--school-email-domain", action="append", default=[], help="school email domain (for 6.10)")
    args = parser.parse_args(argv)
    try:
        roster = Roster.from_csv(args.roster) if args.roster else None
        word_lists = tuple(WordList.from_toml(path) for path in args.word_list)
    except (OSError, RosterError, WordListError, ValueError) as error:
        print(f"custos.screening: {error}", file=sys.stderr)
        return 2
    base = ScreeningContext(
        venue=Venue(args.venue),
        roster=roster,
        word_lists=word_lists,
        organisation_names=tuple(args.organisation),
        school_email_domains=tuple(args.school_email_domain),
    )
    if args.file and args.file != "-":
        try:
            with open(args.file, "rb") as stream:
                return run(stream, sys.stdout, sys.stderr, base)
        except OSError as error:
            print(f"custos.screening: {error}", file=sys.stderr)
            return 2
    return run(sys.stdin.buffer, sys.stdout, sys.stderr, base)
