"""Out-of-hours cover, in plain Python (no Django): when the schools are closed, who is on call at a moment, and
where the rota leaves nobody (A.2.3 "immediately": a concern at 03:56 on a Saturday must reach someone).

Times are aware datetimes; a ``SchoolDay`` (``business_time``) says when school is open, its closed days already
holding bank holidays, school holidays and closures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from custos.cases.business_time import SchoolDay


@dataclass(frozen=True)
class Shift:
    person_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    position: int = 1
    trust_wide: bool = False

    def covers(self, moment: dt.datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


@dataclass(frozen=True)
class Gap:
    starts_at: dt.datetime
    ends_at: dt.datetime


def in_school_hours(moment: dt.datetime, day: SchoolDay) -> bool:
    local = moment.astimezone(day.tz)
    today = local.date()
    return day.is_school_day(today) and day.opens(today) <= local < day.closes(today)


def on_call_order(shifts: Iterable[Shift], moment: dt.datetime) -> list[int]:
    """Who is asked, in order, at ``moment``: the school's own shifts by position, then the Trust's fallback;
    each person once."""
    covering = sorted(
        (s for s in shifts if s.covers(moment)), key=lambda s: (s.trust_wide, s.position, s.starts_at, s.person_id)
    )
    order: list[int] = []
    for shift in covering:
        if shift.person_id not in order:
            order.append(shift.person_id)
    return order


def school_hours(start: dt.datetime, end: dt.datetime, day: SchoolDay) -> list[tuple[dt.datetime, dt.datetime]]:
    """The school-open intervals that overlap [start, end)."""
    spans = []
    on = start.astimezone(day.tz).date() - dt.timedelta(days=1)
    last = end.astimezone(day.tz).date()
    while on <= last:
        if day.is_school_day(on):
            opens, closes = max(day.opens(on), start), min(day.closes(on), end)
            if opens < closes:
                spans.append((opens, closes))
        on += dt.timedelta(days=1)
    return spans


def _subtract(
    spans: list[tuple[dt.datetime, dt.datetime]], holes: Sequence[tuple[dt.datetime, dt.datetime]]
) -> list[tuple[dt.datetime, dt.datetime]]:
    for hole_start, hole_end in holes:
        remaining = []
        for start, end in spans:
            if hole_end <= start or hole_start >= end:
                remaining.append((start, end))
                continue
            if start < hole_start:
                remaining.append((start, hole_start))
            if hole_end < end:
                remaining.append((hole_end, end))
        spans = remaining
    return spans


def gaps(
    start: dt.datetime, end: dt.datetime, day: SchoolDay, shifts: Iterable[Shift], *, minimum: dt.timedelta
) -> list[Gap]:
    """Out-of-hours stretches in [start, end) when nobody, at the school or across the Trust, is on call. In school
    hours the DSL and deputies are in school, so those hours need no shift. Stretches shorter than ``minimum`` (a
    handover a few minutes late) are not gaps."""
    uncovered = _subtract([(start, end)], school_hours(start, end, day))
    uncovered = _subtract(uncovered, [(s.starts_at, s.ends_at) for s in shifts])
    return [Gap(a, b) for a, b in sorted(uncovered) if b - a >= minimum]


@dataclass(frozen=True)
class Rung:
    who: str
    people: tuple[int, ...]


def ladder(
    on_call: Sequence[int],
    *,
    in_school_fallback: Sequence[int],
    heads: Sequence[int],
    executive_heads: Sequence[int],
    excluding: Iterable[int] = (),
    fallback_who: str = "the Designated Safeguarding Lead and deputies (nobody was on call)",
) -> tuple[list[Rung], bool]:
    """The people an urgent alert climbs through, one rung per ``ack`` period: the person on call, the next on the
    rota, then the Head, then the Executive Headteacher (each person once, never the people the case is about).
    With nobody on the rota, the first rung is the school's DSL and deputies together. Returns the rungs and
    whether nobody was on call."""
    skip = set(excluding)
    seen: set[int] = set()

    def fresh(people: Iterable[int]) -> tuple[int, ...]:
        kept = tuple(p for p in people if p not in skip and p not in seen)
        seen.update(kept)
        return kept

    rungs: list[Rung] = []
    on_rota = [p for p in on_call if p not in skip]
    nobody = not on_rota
    if nobody:
        first = fresh(in_school_fallback)
        if first:
            rungs.append(Rung(fallback_who, first))
    else:
        for index, person in enumerate(on_rota):
            one = fresh([person])
            if one:
                rungs.append(Rung("on call" if index == 0 else "next on the rota", one))
    for who, holders in (("Head of School", heads), ("Executive Headteacher", executive_heads)):
        kept = fresh(holders)
        if kept:
            rungs.append(Rung(who, kept))
    return rungs, nobody
