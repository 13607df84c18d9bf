"""School-hours arithmetic for case targets (A.2.3 "immediately", KCSIE's LADO "within one working day").

Pure Python, no Django: a ``SchoolDay`` says when the trust's school day runs; outside it the clock starts at
the next school-day start. Wall-clock times are built in the school's time zone, so BST/GMT changes are exact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class SchoolDay:
    start: dt.time = dt.time(8, 0)
    end: dt.time = dt.time(17, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday is 0
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    closed_days: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("The school day must end after it starts.")
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("The school week needs at least one day, numbered 0 (Monday) to 6 (Sunday).")

    def is_school_day(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and day not in self.closed_days

    def opens(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.start, tzinfo=self.tz)

    def closes(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.end, tzinfo=self.tz)

    def next_school_day(self, day: dt.date) -> dt.date:
        for offset in range(1, 367):
            candidate = day + dt.timedelta(days=offset)
            if self.is_school_day(candidate):
                return candidate
        raise ValueError("No school day in the next year: check the school week and closed days.")


@lru_cache(maxsize=16)
def bank_holidays(region: str, first_year: int, last_year: int) -> dict[dt.date, str]:
    """UK bank holidays for ``region`` ("ENG" England and Wales, "SCT", "NIR"; anything else: none), by date,
    from the ``holidays`` package (substitute days included, e.g. "Boxing Day (observed)")."""
    if region not in ("ENG", "WLS", "SCT", "NIR"):
        return {}
    found = holidays.country_holidays("GB", subdiv=region, years=range(first_year, last_year + 1))
    return {day: str(name) for day, name in sorted(found.items())}


def _require_aware(moment: dt.datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Business-time arithmetic needs a timezone-aware datetime.")


def clock_start(moment: dt.datetime, day: SchoolDay) -> dt.datetime:
    """When the clock starts for something received at ``moment``: then, if in school hours, else next opening."""
    _require_aware(moment)
    local = moment.astimezone(day.tz)
    today = local.date()
    if day.is_school_day(today):
        if local < day.opens(today):
            return day.opens(today)
        if local < day.closes(today):
            return local
    return day.opens(day.next_school_day(today))


def add_school_minutes(moment: dt.datetime, minutes: int, day: SchoolDay) -> dt.datetime:
    """The moment ``minutes`` of school time after ``moment`` (time outside school hours does not count)."""
    if minutes < 0:
        raise ValueError("Minutes must not be negative.")
    current = clock_start(moment, day)
    remaining = dt.timedelta(minutes=minutes)
    while True:
        left_today = day.closes(current.date()) - current
        if remaining <= left_today:
            return current + remaining
        remaining -= left_today
        current = day.opens(day.next_school_day(current.date()))


def add_working_days(moment: dt.datetime, days: int, day: SchoolDay) -> dt.datetime:
    """The same school-clock time ``days`` school days later (received out of hours: from the next opening)."""
    if days < 0:
        raise ValueError("Days must not be negative.")
    current = clock_start(moment, day)
    on = current.date()
    for _ in range(days):
        on = day.next_school_day(on)
    return dt.datetime.combine(on, current.timetz().replace(tzinfo=None), tzinfo=day.tz)
