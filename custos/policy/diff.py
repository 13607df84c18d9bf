"""Clause-by-clause difference between two policy versions (10.1): plain Python, no Django.

Clauses are matched by number. A clause is added, removed, changed (with a word-level diff of its text) or
unchanged. Whitespace alone is not a change.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class WordRun:
    """A run of words that are the same in both texts ("equal"), only in the old ("delete") or the new ("insert")."""

    op: str
    text: str


@dataclass(frozen=True)
class ClauseDiff:
    number: str
    change: Change
    old: str
    new: str
    words: tuple[WordRun, ...] = ()


def word_diff(old: str, new: str) -> tuple[WordRun, ...]:
    before, after = old.split(), new.split()
    runs: list[WordRun] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append(WordRun("equal", " ".join(before[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            runs.append(WordRun("delete", " ".join(before[i1:i2])))
        if tag in ("insert", "replace"):
            runs.append(WordRun("insert", " ".join(after[j1:j2])))
    return tuple(runs)


def _same(a: str, b: str) -> bool:
    return a.split() == b.split()


def diff_clauses(old: Iterable[tuple[str, str]], new: Iterable[tuple[str, str]]) -> list[ClauseDiff]:
    """Compare ``(number, text)`` pairs, in the new version's order with removed clauses where they stood."""
    old_list, new_list = list(old), list(new)
    old_by_number, new_by_number = dict(old_list), dict(new_list)
    result: list[ClauseDiff] = []
    old_order = [number for number, _ in old_list]
    emitted_removed: set[str] = set()

    def flush_removed_before(number: str | None) -> None:
        # Removed clauses are shown just before the first surviving clause that followed them in the old text.
        for old_number in old_order:
            if old_number == number:
                return
            if old_number not in new_by_number and old_number not in emitted_removed:
                emitted_removed.add(old_number)
                result.append(ClauseDiff(old_number, Change.REMOVED, old_by_number[old_number], ""))

    for number, text in new_list:
        if number not in old_by_number:
            result.append(ClauseDiff(number, Change.ADDED, "", text))
            continue
        flush_removed_before(number)
        before = old_by_number[number]
        if _same(before, text):
            result.append(ClauseDiff(number, Change.UNCHANGED, before, text))
        else:
            result.append(ClauseDiff(number, Change.CHANGED, before, text, word_diff(before, text)))
    flush_removed_before(None)
    return result


def summary(diffs: Iterable[ClauseDiff]) -> dict[str, list[str]]:
    """Clause numbers by kind of change, for headings and audit events."""
    out: dict[str, list[str]] = {c.value: [] for c in Change}
    for item in diffs:
        out[item.change.value].append(item.number)
    return out
