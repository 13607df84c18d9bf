"""Choosing a pupil on a report or a case without choosing the wrong child (A.2.3).

Pupils are shown by the name they go by and their year in the app's words ("Reception", "Year 3"), in roster
order: year, then surname, then first name. Two pupils with the same name in the same year are told apart by
month and year of birth, but only for people who may see dates of birth (the roster shows them with legal
names, ``accounts.view_pupil_legal_name``); anyone else is told plainly that the name is shared.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from django import forms
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue

from custos.accounts.models import Pupil

SHARED_NAME_HINT = (
    "If two pupils share a name and you are not sure which one you mean, leave this empty and say who you mean "
    "in your report: the safeguarding lead will link the right pupil."
)


def year_label(year_group: int) -> str:
    """The app's words for a year group: the roster's R is Reception (``accounts.roster._parse_year``)."""
    return "Reception" if year_group == 0 else f"Year {year_group}"


def in_roster_order(pupils: QuerySet[Pupil]) -> QuerySet[Pupil]:
    """Year, then the surname and first name the pupil goes by (preferred, else legal), then date of birth."""
    return pupils.order_by(
        "year_group",
        Lower(Coalesce(NullIf(F("preferred_last_name"), Value("")), F("legal_last_name"))),
        Lower(Coalesce(NullIf(F("preferred_first_name"), Value("")), F("legal_first_name"))),
        "date_of_birth",
        "pk",
    )


def _name_key(pupil: Pupil) -> tuple[int, str]:
    return pupil.year_group, " ".join(pupil.known_as.split()).casefold()


def choice_labels(pupils: list[Pupil], *, may_see_birth: bool) -> list[str]:
    """One label per pupil, in the order given; same-name pupils in one year are told apart when allowed."""
    shared = Counter(_name_key(p) for p in pupils)
    born = Counter((*_name_key(p), p.date_of_birth.year, p.date_of_birth.month) for p in pupils)
    labels = []
    for pupil in pupils:
        year = year_label(pupil.year_group)
        if shared[_name_key(pupil)] < 2:
            labels.append(f"{pupil.known_as} ({year})")
        elif not may_see_birth:
            labels.append(f"{pupil.known_as} ({year}, shares this name with another pupil)")
        else:
            birth = pupil.date_of_birth
            same_month = born[(*_name_key(pupil), birth.year, birth.month)] > 1
            labels.append(f"{pupil.known_as} ({year}, born {birth.strftime('%d/%m/%Y' if same_month else '%m/%Y')})")
    return labels


class _PupilChoices(ModelChoiceIterator):
    # Labels depend on the other pupils in the list, so the whole list is read once, then labelled.
    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        field: PupilChoiceField = self.field  # type: ignore[assignment]
        if field.empty_label is not None:
            yield ("", field.empty_label)
        pupils = list(self.queryset)
        for pupil, label in zip(pupils, choice_labels(pupils, may_see_birth=field.may_see_birth), strict=True):
            yield (ModelChoiceIteratorValue(field.prepare_value(pupil), pupil), label)


class PupilChoiceField(forms.ModelChoiceField):
    """Pupils by the name they go by (legal names and dates of birth are need-to-know)."""

    iterator = _PupilChoices
    may_see_birth = False

    def label_from_instance(self, obj: Any) -> str:
        return choice_labels([obj], may_see_birth=False)[0]

    def offer(self, pupils: QuerySet[Pupil], *, may_see_birth: bool) -> None:
        self.queryset = in_roster_order(pupils)
        self.may_see_birth = may_see_birth
