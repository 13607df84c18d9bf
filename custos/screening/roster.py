"""The school's pupil roster, compiled once into a name matcher (A.5.2, 5.4, 6.8).

Full names, a first name with the surname's initial, "Surname, Firstname", and common spellings and
obfuscations of each (Jayden/Jaiden/Jaden, Sophie/Sophy, 5ophie, Sooophie) are found. A first name alone is
reported as ``info`` only, and not at all when it is the writing pupil's own name.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from custos.screening.context import Author, ScreeningContext, Venue
from custos.screening.findings import Category, Finding, Severity
from custos.screening.normalise import WORD, TextView, collapse, fold


@dataclass(frozen=True, slots=True)
class RosterPupil:
    first_name: str
    last_name: str
    preferred_first_name: str = ""
    preferred_last_name: str = ""
    pupil_id: str = ""


# Spelling swaps applied one at a time, both ways, to make the variants of a name.
_SWAPS = [("y", "i"), ("ie", "y"), ("ey", "y"), ("ee", "i"), ("ph", "f"), ("ck", "k"), ("c", "k"), ("ai", "ay"),
          ("ay", "a"), ("ai", "a"), ("ae", "a"), ("th", "t"), ("z", "s"), ("ou", "u"), ("oe", "o"), ("ah", "a"),
          ("ei", "ie"), ("x", "ks"), ("ie", "i"), ("ia", "ya"), ("mm", "m"), ("nn", "n"), ("ll", "l"), ("tt", "t"),
          ("rr", "r"), ("ss", "s"), ("ff", "f"), ("dd", "d"), ("u", "o"), ("w", "v")]  # fmt: skip
# First names that are also everyday words: alone they are not worth an info finding.
_EVERYDAY = frozenset(
    re.findall(
        r"[a-z]+",
        "will may june grace rose hope joy faith mark bill jack bob sunny summer amber ruby pearl holly ivy "
        "lily daisy poppy heather hazel jade skye sky rain river storm dawn autumn april august guy art "
        "frank rich sue pat peter bella max ray reed miles chase hunter mason archer taylor piper brook "
        "harvey tom ben sam dan don ken jim nick rob chip drew neil carol chance king prince angel saint "
        "star honey kit bear fox wolf ",
    )
)
_SECOND_PERSON_OR_OWN = frozenset({"i", "im", "me", "my"})


def name_variants(name: str) -> set[str]:
    base = "".join(WORD.findall(fold(name)))
    if len(base) < 2:
        return set()
    variants = {base, collapse(base)}
    for a, b in _SWAPS:
        for old, new in ((a, b), (b, a)):
            if old not in base:
                continue
            variants.add(base.replace(old, new))
            position = base.find(old)
            while position != -1:
                variants.add(base[:position] + new + base[position + len(old) :])
                position = base.find(old, position + 1)
    variants |= {collapse(v) for v in variants}
    return {v for v in variants if len(v) >= 3 or v == base}


class Roster:
    """Pupils' names compiled for fast matching; build once per school and reuse for every text."""

    def __init__(self, pupils: Iterable[RosterPupil]) -> None:
        self.pupils = tuple(pupils)
        self._first: dict[str, set[int]] = {}
        self._first_exact: set[str] = set()
        self._last: dict[str, set[int]] = {}
        self._surname_sequences: list[set[tuple[str, ...]]] = []
        self._surname_multi: list[list[tuple[str, ...]]] = []
        self._first_forms: list[set[str]] = []
        self._initials: list[set[str]] = []
        for number, pupil in enumerate(self.pupils):
            firsts = {n for n in (pupil.first_name, pupil.preferred_first_name) if n.strip()}
            lasts = {n for n in (pupil.last_name, pupil.preferred_last_name) if n.strip()}
            first_forms: set[str] = set()
            for first in firsts:
                words = WORD.findall(fold(first))
                if words:
                    first_forms |= name_variants(words[0])
                    self._first_exact |= {words[0], collapse(words[0])}
            sequences: set[tuple[str, ...]] = set()
            initials: set[str] = set()
            for last in lasts:
                parts = tuple(WORD.findall(fold(last)))
                if not parts:
                    continue
                initials.add(parts[0][0])
                sequences.add(parts)
                for variant in name_variants("".join(parts)):
                    sequences.add((variant,))
            for form in first_forms:
                self._first.setdefault(form, set()).add(number)
            for sequence in sequences:
                self._last.setdefault(sequence[0], set()).add(number)
            self._first_forms.append(first_forms)
            self._surname_sequences.append(sequences)
            self._surname_multi.append([seq for seq in sequences if len(seq) > 1])
            self._initials.append(initials)
        self.words: frozenset[str] = frozenset(self._first) | frozenset(self._last)
        # Full names spelled out letter by letter ("g r a c e  t u r n e r"), joined.
        self._spelled: dict[str, int] = {}
        for number, pupil in enumerate(self.pupils):
            for first in (pupil.first_name, pupil.preferred_first_name):
                for last in (pupil.last_name, pupil.preferred_last_name):
                    if first.strip() and last.strip():
                        self._spelled.setdefault("".join(WORD.findall(fold(first + last))), number)

    @classmethod
    def from_csv(cls, source: str | Path | io.TextIOBase) -> Roster:
        return cls(read_roster_csv(source))

    def __len__(self) -> int:
        return len(self.pupils)

    def find(self, view: TextView, context: ScreeningContext) -> list[Finding]:
        spelled = [
            self._finding(context, (start, end), "full_name", self._spelled[joined])
            for joined, start, end in view.spaced_runs
            if joined in self._spelled
        ]
        return spelled + self._find_words(view, context)

    def _find_words(self, view: TextView, context: ScreeningContext) -> list[Finding]:
        collapsed_words = view.collapsed_words
        present = self.words.intersection(view.plain_words) | self.words.intersection(collapsed_words)
        if not present:
            return []
        words = view.words
        text = view.text
        findings: list[Finding] = []
        used_until = -1
        for position, (word, start, end) in enumerate(words):
            if position <= used_until or (word not in present and collapsed_words[position] not in present):
                continue
            firsts = self._lookup(self._first, word)
            lasts = self._lookup(self._last, word)
            matched = False
            for number in sorted(firsts):
                last_position = self._match_surname(words, position + 1, number)
                if last_position is not None:
                    findings.append(self._finding(context, (start, words[last_position][2]), "full_name", number))
                    used_until, matched = last_position, True
                    break
                if position + 1 < len(words):
                    letter, letter_start, letter_end = words[position + 1]
                    original = text[letter_start:letter_end]
                    if (
                        len(letter) == 1
                        and letter in self._initials[number]
                        and (original.isupper() or text[letter_end : letter_end + 1] == ".")
                        and letter_start - end <= 2
                    ):
                        span_end = letter_end + (1 if text[letter_end : letter_end + 1] == "." else 0)
                        findings.append(self._finding(context, (start, span_end), "first_name_initial", number))
                        used_until, matched = position + 1, True
                        break
            if matched:
                continue
            for number in sorted(lasts):
                if position + 1 < len(words) and self._is_first(words[position + 1][0], number):
                    gap = text[end : words[position + 1][1]]
                    if gap.strip() in ("", ","):
                        findings.append(
                            self._finding(context, (start, words[position + 1][2]), "surname_first_name", number)
                        )
                        used_until, matched = position + 1, True
                        break
            if matched or not firsts:
                continue
            if word not in self._first_exact and collapse(word) not in self._first_exact:
                continue  # a spelling variant alone is too weak a signal
            if self._is_own_name(firsts, context) or word in _EVERYDAY or collapse(word) in _EVERYDAY:
                continue
            if position > 0 and words[position - 1][0] in _SECOND_PERSON_OR_OWN and context.author is Author.PUPIL:
                continue  # "my name is ..." by a pupil is about themselves
            findings.append(
                Finding(
                    Category.PUPIL_IDENTIFICATION,
                    Severity.INFO,
                    ((start, end),),
                    self._clauses(context),
                    "A pupil's first name on its own: not identifying by itself, but check nothing else in the "
                    "post (surname, class, photo) identifies the pupil.",
                    "first_name",
                )
            )
        return findings

    @staticmethod
    def _lookup(index: dict[str, set[int]], word: str) -> set[int]:
        found = index.get(word)
        if found is None:
            collapsed = collapse(word)
            found = index.get(collapsed) if collapsed != word else None
        return found or set()

    def _is_first(self, word: str, number: int) -> bool:
        forms = self._first_forms[number]
        return word in forms or collapse(word) in forms

    def _match_surname(self, words: list[tuple[str, int, int]], position: int, number: int) -> int | None:
        sequences = self._surname_sequences[number]
        if position >= len(words):
            return None
        word = words[position][0]
        best = position if (word,) in sequences or (collapse(word),) in sequences else None
        for sequence in self._surname_multi[number]:
            end = position + len(sequence)
            if end > len(words):
                continue
            if all(words[position + i][0] == part or collapse(words[position + i][0]) == part
                   for i, part in enumerate(sequence)):  # fmt: skip
                best = max(best if best is not None else -1, end - 1)
        return best

    def _is_own_name(self, numbers: set[int], context: ScreeningContext) -> bool:
        if context.author is not Author.PUPIL or context.author_pupil_id is None:
            return False
        return any(self.pupils[n].pupil_id == context.author_pupil_id for n in numbers)

    @staticmethod
    def _clauses(context: ScreeningContext) -> tuple[str, ...]:
        if context.venue is Venue.PERSONAL_WEBSPACE:
            return ("6.8", "5.4")
        return ("A.5.2", "5.4")

    def _finding(self, context: ScreeningContext, span: tuple[int, int], kind: str, number: int) -> Finding:
        described = {
            "full_name": "a pupil's full name",
            "first_name_initial": "a pupil's first name and surname initial",
            "surname_first_name": "a pupil's surname and first name",
        }[kind]
        return Finding(
            Category.PUPIL_IDENTIFICATION,
            Severity.BLOCK,
            (span,),
            self._clauses(context),
            f"Names {described} from the school roster: pupils must not be identifiable (A.5.2) and their "
            "personal information must not be discussed (5.4).",
            kind,
        )


_HEADERS = {
    "upn": "pupil_id",
    "legal forename": "first_name",
    "legal surname": "last_name",
    "preferred forename": "preferred_first_name",
    "preferred surname": "preferred_last_name",
}


class RosterError(ValueError):
    pass


def read_roster_csv(source: str | Path | io.TextIOBase) -> list[RosterPupil]:
    """Pupils from the MIS export (UPN, Legal Forename, Legal Surname, Preferred Forename, ...)."""
    if isinstance(source, str | Path):
        with Path(source).open(newline="", encoding="utf-8-sig") as handle:
            return read_roster_csv(io.StringIO(handle.read()))
    reader = csv.DictReader(source)
    fields = {name.strip().lower(): name for name in reader.fieldnames or ()}
    missing = [h for h in ("legal forename", "legal surname") if h not in fields]
    if missing:
        raise RosterError(f"roster CSV has no column {', '.join(repr(m) for m in missing)}")
    pupils = []
    for row in reader:
        values = {attribute: (row.get(fields[h]) or "").strip() for h, attribute in _HEADERS.items() if h in fields}
        if not values.get("first_name") or not values.get("last_name"):
            continue
        pupils.append(RosterPupil(**values))
    return pupils
