"""Building blocks for monitoring tests: Squid lines, standard hours, domain lists."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

from custos.accounts.models import School
from custos.monitoring import actions
from custos.monitoring.actions import IngestResult
from custos.monitoring.models import Category, Weekday
from custos.monitoring.parsing import decompressed

LONDON = ZoneInfo("Europe/London")
MONDAY = dt.date(2026, 3, 2)
WORKDAY = [(dt.time(8, 30), dt.time(12, 0)), (dt.time(12, 45), dt.time(16, 0))]
WEEKDAYS = dict.fromkeys((Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, 4), WORKDAY)
TEST_DOMAINS = {
    "facebook.com": Category.SOCIAL,
    "youtube.com": Category.VIDEO,
    "whatsapp.com": Category.MESSAGING,
    "wikipedia.org": Category.ENCYCLOPAEDIA,
}


def at(day: dt.date, hh: int, mm: int, ss: int = 0) -> float:
    return dt.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=LONDON).timestamp()


def squid(ts: float, url: str, user: str = "teacher", method: str = "CONNECT", client: str = "10.0.0.5") -> str:
    code = "TCP_TUNNEL/200" if method == "CONNECT" else "TCP_MISS/200"
    return f"{ts:.3f}    123 {client} {code} 4567 {method} {url} {user} HIER_DIRECT/93.184.216.34 text/html\n"


def prepare(school: School, by: Any) -> None:
    """A school with standard hours and the test domains listed, set up through the actions HR uses."""
    actions.set_school_default_hours(school, WEEKDAYS, by=by)
    for domain, category in TEST_DOMAINS.items():
        actions.set_domain_category(domain, category, by=by)


def ingest_text(text: str | bytes, *, name: str = "access.log", fmt: str = "squid", **extra: Any) -> IngestResult:
    data = text.encode() if isinstance(text, str) else text
    return actions.ingest(decompressed(io.BytesIO(data)), fmt=fmt, name=name, **extra)
