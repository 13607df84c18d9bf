"""What the trust's school day means for case targets, in plain words, worked out by the real arithmetic (A.2.3).

Each sentence is computed with ``actions.add_target`` on the trust's own school day, closed days and targets, so
the page can never promise something the target clock does not do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from custos.accounts.models import Trust
from custos.cases import actions, queries
from custos.cases.business_time import WEEKDAY_NAMES, SchoolDay, clock_start
from custos.cases.types import CaseType, TargetUnit, spec_for

LOOK_AHEAD_DAYS = 60


def on_day(day: dt.date) -> str:
    """``Friday 14/03/2025``: UK date order, with the weekday spelled out."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day:%d/%m/%Y}"


def at(moment: dt.datetime) -> str:
    return f"{moment:%H:%M} on {on_day(moment.date())}"


def _target_words(amount: int, unit: str) -> str:
    if unit == TargetUnit.SCHOOL_MINUTES:
        return f"{amount} minute{'s' if amount != 1 else ''} of school time"
    return f"{amount} working day{'s' if amount != 1 else ''}"


def _last_school_day_before_a_break(day: SchoolDay, start: dt.date) -> dt.date:
    on = start if day.is_school_day(start) else day.next_school_day(start)
    for _ in range(LOOK_AHEAD_DAYS):
        following = day.next_school_day(on)
        if following != on + dt.timedelta(days=1):
            return on
        on = following
    return on


def _previous_school_day(day: SchoolDay, before: dt.date) -> dt.date | None:
    for offset in range(1, 15):
        candidate = before - dt.timedelta(days=offset)
        if day.is_school_day(candidate):
            return candidate
    return None


@dataclass(frozen=True)
class Example:
    raised: dt.datetime
    due: dt.datetime
    text: str


def _example(trust: Trust, day: SchoolDay, case_type: str, raised: dt.datetime, lead: str = "") -> Example:
    amount, unit = actions.target_for(trust, case_type)
    due = actions.add_target(raised, amount, unit, day)
    label = spec_for(case_type).label
    text = f"{lead}{'an' if label[0].lower() in 'aeiou' else 'a'} {label.lower()} raised at {at(raised)}"
    text += f" (target: {_target_words(amount, unit)}) is due by {at(due)}."
    return Example(raised=raised, due=due, text=text[0].upper() + text[1:])


def worked_examples(trust: Trust, today: dt.date) -> list[Example]:
    """Three or four sentences: late on the last day before a break, after hours, a working-day target, and the
    next closed day (if there is one), each computed from the trust's settings as they are now."""
    day = actions.school_day_for(trust)
    minutes = CaseType.SAFEGUARDING
    tomorrow = today + dt.timedelta(days=1)
    before_break = _last_school_day_before_a_break(day, tomorrow)
    length = day.closes(before_break) - day.opens(before_break)
    late = day.closes(before_break) - min(dt.timedelta(minutes=10), length / 2)
    examples = [_example(trust, day, minutes, late)]

    after_hours_day = day.next_school_day(today)
    evening = day.closes(after_hours_day) + dt.timedelta(hours=2)
    evening_example = _example(trust, day, minutes, evening)
    starts = clock_start(evening, day)
    examples.append(
        Example(
            raised=evening_example.raised,
            due=evening_example.due,
            text=f"{evening_example.text[:-1]}: it arrived after the school day had ended, so its clock started "
            f"at {at(starts)}.",
        )
    )

    midday = (day.opens(before_break) + length / 2).replace(second=0, microsecond=0)
    examples.append(_example(trust, day, CaseType.ALLEGATION, midday))

    upcoming = queries.closed_days_for(trust).filter(day__gte=tomorrow)
    for closed in upcoming[:10]:
        if closed.day.weekday() not in day.weekdays:
            continue
        before = _previous_school_day(day, closed.day)
        if before is None:
            break
        raised = day.closes(before) - dt.timedelta(minutes=10)
        lead = f"Because {on_day(closed.day)} ({closed.label or 'closed'}) is a closed day, "
        example = _example(trust, day, minutes, max(raised, day.opens(before)), lead=lead)
        if example.raised == examples[0].raised:
            examples[0] = example  # the same moment: say why once, rather than twice
        else:
            examples.append(example)
        break
    return examples
