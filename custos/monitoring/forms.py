from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

from django import forms
from django.utils import timezone

from custos.lib.widgets import DatePicker
from custos.monitoring import clauses
from custos.monitoring.actions import Week
from custos.monitoring.models import Category, Weekday

MAX_REPORT_DAYS = 93
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class ReportRequestForm(forms.Form):
    """Monitoring data is sensitive (8.1): say why you are looking, and for which period, before seeing it."""

    reason = forms.CharField(
        label="Why are you looking at this report?",
        help_text="Recorded in the audit log with your name, e.g. 'HR case 2026-14: concern raised by line manager'.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    start = forms.DateField(label="From (first day)", widget=DatePicker())
    end = forms.DateField(label="To (last day)", widget=DatePicker())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            today = timezone.localdate()
            monday = today - dt.timedelta(days=today.weekday())
            self.initial.setdefault("start", monday - dt.timedelta(days=7))
            self.initial.setdefault("end", today)

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if len(reason) < 10:
            raise forms.ValidationError("Give the reason in at least 10 characters.")
        return reason

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The last day must be on or after the first day.")
            elif (end - start).days + 1 > MAX_REPORT_DAYS:
                self.add_error("end", f"Choose at most {MAX_REPORT_DAYS} days at a time (data minimisation).")
        return data


class WeekHoursForm(forms.Form):
    """Contracted hours (6.13) for each weekday as ranges, e.g. ``08:30-12:00, 12:45-16:00``; blank for none."""

    def __init__(self, *args: Any, week: Week | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in Weekday:
            ranges = (week or {}).get(day.value, [])
            self.fields[f"day_{day.value}"] = forms.CharField(
                label=day.label,
                required=False,
                max_length=200,
                initial=", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in ranges),
                help_text="e.g. 08:30-12:00, 12:45-16:00 (leave blank for no contracted hours)"
                if day.value == 0
                else "",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        week: Week = {}
        for day in Weekday:
            name = f"day_{day.value}"
            text = (data.get(name) or "").strip()
            if not text:
                continue
            try:
                week[day.value] = parse_ranges(text)
            except ValueError as error:
                self.add_error(name, f"{day.label}: {error} (clause {clauses.HOURS}).")
        data["week"] = week
        return data


def parse_ranges(text: str) -> list[tuple[dt.time, dt.time]]:
    ranges = []
    for part in text.split(","):
        match = _RANGE.match(part)
        if not match:
            raise ValueError(f"'{part.strip()}' is not a range like 08:30-16:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise ValueError(f"'{part.strip()}' has a time that does not exist")
        start = dt.time(h1, m1)
        end = dt.time(23, 59, 59) if h2 == 24 else dt.time(h2, m2)
        if end <= start:
            raise ValueError(f"'{part.strip()}' ends before it starts")
        ranges.append((start, end))
    ranges.sort()
    for (_, end), (start, _) in itertools.pairwise(ranges):
        if start < end:
            raise ValueError("the ranges overlap")
    return ranges


class DomainForm(forms.Form):
    domain = forms.CharField(
        label="Domain",
        max_length=253,
        help_text="e.g. facebook.com — it covers every subdomain, such as m.facebook.com",
    )
    category = forms.ChoiceField(label="Category", choices=Category.choices)

    def clean_domain(self) -> str:
        domain = self.cleaned_data["domain"].strip().lower().rstrip(".")
        for prefix in ("https://", "http://", "*."):
            domain = domain.removeprefix(prefix)
        domain = domain.split("/", 1)[0]
        if not _DOMAIN.match(domain):
            raise forms.ValidationError("Enter a domain name such as facebook.com (letters, digits, dots, hyphens).")
        return domain
