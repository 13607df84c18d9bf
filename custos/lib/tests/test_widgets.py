"""Date pickers show their dates: a browser leaves a date field blank unless its value is ISO (YYYY-MM-DD)."""

from __future__ import annotations

import time_machine
from django.test import SimpleTestCase

from custos.monitoring.forms import ReportRequestForm


class DatePickerTests(SimpleTestCase):
    @time_machine.travel("2026-11-19 10:00:00+00:00", tick=False)
    def test_81_the_monitoring_report_period_comes_up_filled_in(self) -> None:
        form = ReportRequestForm()
        self.assertIn('type="date"', str(form["start"]))
        self.assertIn('value="2026-11-09"', str(form["start"]))
        self.assertIn('value="2026-11-19"', str(form["end"]))
