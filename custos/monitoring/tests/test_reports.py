"""Reports for HR and the Head (6.13, 6.11): a stated reason first, every opening audited, hostile text escaped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.audit.models import AuditEvent
from custos.monitoring.tests.helpers import MONDAY, at, ingest_text, prepare, squid
from custos.test import CustosTestCase, give_role, make_user

REASON = "HR case 2026-14: concern raised by line manager"
PERIOD = {"start": MONDAY.isoformat(), "end": (MONDAY + dt.timedelta(days=13)).isoformat()}
HOSTILE = "<script>alert('x')</script>"


class ReportTests(CustosTestCase):
    def setUp(self) -> None:
        super().setUp()
        prepare(self.school, self.hr)
        ingest_text(
            squid(at(MONDAY, 9, 5), "www.facebook.com:443")
            + squid(at(MONDAY, 11, 30), "www.facebook.com:443")
            + squid(at(MONDAY + dt.timedelta(days=8), 10, 0), "www.youtube.com:443")
            + squid(at(MONDAY, 10, 0), "www.youtube.com:443", user="moderator")
            + squid(
                at(MONDAY, 18, 0),
                f"https://en.wikipedia.org/w/index.php?title={HOSTILE}&action=submit",
                method="POST",
            )
            + squid(at(MONDAY, 10, 0), "www.facebook.com:443", user="outsider")
        )
        self.social = reverse("monitoring_social_report", args=[self.school.pk])
        self.edits = reverse("monitoring_edits_report", args=[self.school.pk])

    def ask(self, user: Any, url: str, **data: str) -> Any:
        return self.client_for(user).post(url, {"reason": REASON, **PERIOD, **data})

    def test_613_hr_sees_who_used_social_media_in_contracted_hours_by_day_and_week_with_a_chart(self) -> None:
        response = self.ask(self.hr, self.social)
        assert response.status_code == 200
        report = response.context["report"]
        assert [(p.user, p.requests, p.week_counts) for p in report.people] == [
            (self.teacher, 3, [2, 1]),
            (self.moderator, 1, [1, 0]),
        ]
        assert [(r.user, r.day, r.category, r.requests) for r in report.rows] == [
            (self.moderator, MONDAY, "video", 1),
            (self.teacher, MONDAY, "social", 2),
            (self.teacher, MONDAY + dt.timedelta(days=8), "video", 1),
        ]
        content = response.content.decode()
        assert '<svg role="img" aria-labelledby="chart-title chart-desc"' in content
        assert "Teacher Persona: 3." in content  # the chart's text alternative
        assert content.count('href="/policy/clause/6.13/"') >= 5  # every row links to its clause
        assert "Outsider" not in content  # another school's staff

    def test_81_opening_a_report_records_who_looked_why_and_for_which_period(self) -> None:
        self.ask(self.head, self.social)
        event = AuditEvent.objects.get(action="monitoring.report_opened")
        assert (event.actor, event.school_id) == (self.head, self.school.pk)
        assert event.changes == {
            "report": "social_media_use",
            "reason": REASON,
            "period": f"{PERIOD['start']}/{PERIOD['end']}",
        }

    def test_81_no_data_is_shown_until_a_reason_is_given(self) -> None:
        response = self.client_for(self.hr).get(self.social)
        assert response.status_code == 200
        assert "report" not in response.context
        assert "Teacher Persona" not in response.content.decode()
        response = self.ask(self.hr, self.social, reason="because")
        assert "Give the reason in at least 10 characters" in response.content.decode()
        assert "report" not in response.context
        assert not AuditEvent.objects.filter(action="monitoring.report_opened").exists()

    def test_81_periods_must_be_in_order_and_at_most_93_days(self) -> None:
        response = self.ask(self.hr, self.social, end=(MONDAY - dt.timedelta(days=1)).isoformat())
        assert "The last day must be on or after the first day." in response.content.decode()
        response = self.ask(self.hr, self.social, end=(MONDAY + dt.timedelta(days=93)).isoformat())
        assert "at most 93 days" in response.content.decode()
        response = self.ask(self.hr, self.social, start="31/02/2026")
        assert "Enter a valid date." in response.content.decode()
        assert not AuditEvent.objects.filter(action="monitoring.report_opened").exists()

    def test_611_edits_report_shows_time_person_and_article_escaped(self) -> None:
        response = self.ask(self.hr, self.edits)
        content = response.content.decode()
        assert response.status_code == 200
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content
        assert HOSTILE not in content
        assert "Teacher Persona" in content
        assert "Mon 2 Mar 2026, 18:00" in content
        assert 'href="/policy/clause/6.11/"' in content
        assert AuditEvent.objects.get(action="monitoring.report_opened").changes["report"] == "encyclopaedia_edits"

    def test_81_only_hr_and_the_head_of_that_school_may_open_reports(self) -> None:
        for user in (self.teacher, self.dsl, self.ict_manager, self.pastoral, self.exec_head, self.outsider):
            for url in (self.social, self.edits):
                assert self.client_for(user).get(url).status_code == 403, (user, url)
                assert self.ask(user, url).status_code == 403, (user, url)
        assert self.client_for(self.external).get(self.social).status_code == 403
        assert self.client_for(self.pupil).get(self.social).status_code == 403
        assert not AuditEvent.objects.filter(action="monitoring.report_opened").exists()

    def test_81_the_head_of_another_school_may_not_open_this_schools_reports(self) -> None:
        other_head = make_user("other_head", school=self.other_school)
        give_role(other_head, "head", self.other_school)
        TOTPDevice.objects.create(user=other_head, name="test", confirmed=True)
        assert self.client_for(other_head).get(self.social).status_code == 403
        mine = reverse("monitoring_social_report", args=[self.other_school.pk])
        assert self.client_for(other_head).get(mine).status_code == 200

    def test_81_an_unknown_school_is_not_found(self) -> None:
        url = reverse("monitoring_social_report", args=[999_999])
        assert self.client_for(self.hr).get(url).status_code == 404

    def test_613_report_query_count_does_not_grow_with_people(self) -> None:
        client = self.client_for(self.hr)
        client.get(self.social)  # warm the session
        with CaptureQueriesContext(connection) as first:
            client.post(self.social, {"reason": REASON, **PERIOD})
        # Ours: the school, the role check, the audit event (5 with its savepoint) and one read of the report.
        assert sum("monitoring_" in q["sql"] for q in first.captured_queries) == 1
        for n in range(5):
            person = make_user(f"extra{n}", school=self.school)
            ingest_text(squid(at(MONDAY, 9, n), "www.facebook.com:443", user=person.username), name=f"extra{n}.log")
        # The whole page, navigation from other apps included, is pinned at what it was with two people.
        with self.assertNumQueries(len(first.captured_queries)):
            response = client.post(self.social, {"reason": REASON, **PERIOD})
        assert len(response.context["report"].people) == 7
