"""School-hours arithmetic behind the targets (A.2.3 'immediately'; KCSIE's one working day for the LADO)."""

import datetime as dt
import unittest
from zoneinfo import ZoneInfo

from custos.cases.business_time import SchoolDay, add_school_minutes, add_working_days, clock_start

LONDON = ZoneInfo("Europe/London")
DAY = SchoolDay(closed_days=frozenset({dt.date(2026, 4, 6)}))  # Easter Monday 2026


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


class BusinessTimeTests(unittest.TestCase):
    def test_a23_one_hour_target_in_school_hours_is_one_hour_later(self) -> None:
        self.assertEqual(add_school_minutes(at(2026, 3, 2, 10, 0), 60, DAY), at(2026, 3, 2, 11, 0))

    def test_a23_clock_runs_on_to_the_next_morning_at_the_end_of_the_day(self) -> None:
        self.assertEqual(add_school_minutes(at(2026, 3, 2, 16, 30), 60, DAY), at(2026, 3, 3, 8, 30))

    def test_a23_reported_at_night_starts_the_clock_at_the_next_school_day_start(self) -> None:
        self.assertEqual(clock_start(at(2026, 3, 2, 21, 0), DAY), at(2026, 3, 3, 8, 0))
        self.assertEqual(add_school_minutes(at(2026, 3, 3, 6, 15), 60, DAY), at(2026, 3, 3, 9, 0))

    def test_a23_reported_on_friday_evening_is_due_on_monday_morning(self) -> None:
        self.assertEqual(add_school_minutes(at(2026, 3, 6, 18, 0), 60, DAY), at(2026, 3, 9, 9, 0))

    def test_a23_closed_days_do_not_count(self) -> None:
        self.assertEqual(add_school_minutes(at(2026, 4, 3, 16, 30), 60, DAY), at(2026, 4, 7, 8, 30))

    def test_lado_one_working_day_is_the_same_time_next_school_day(self) -> None:
        self.assertEqual(add_working_days(at(2026, 3, 6, 11, 0), 1, DAY), at(2026, 3, 9, 11, 0))
        self.assertEqual(add_working_days(at(2026, 3, 6, 19, 0), 1, DAY), at(2026, 3, 10, 8, 0))

    def test_the_clock_is_exact_across_the_change_to_british_summer_time(self) -> None:
        # Clocks go forward on Sunday 29 March 2026: Friday 16:30 + 60 school minutes is Monday 08:30 BST.
        due = add_school_minutes(at(2026, 3, 27, 16, 30), 60, DAY)
        self.assertEqual(due, at(2026, 3, 30, 8, 30))
        self.assertEqual(due.utcoffset(), dt.timedelta(hours=1))

    def test_naive_datetimes_and_nonsense_school_days_are_refused(self) -> None:
        with self.assertRaises(ValueError):
            clock_start(dt.datetime(2026, 3, 2, 10, 0), DAY)
        with self.assertRaises(ValueError):
            SchoolDay(start=dt.time(17), end=dt.time(8))
        with self.assertRaises(ValueError):
            SchoolDay(weekdays=frozenset())
