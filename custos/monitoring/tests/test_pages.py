"""The notice (8.1, 8.2), contracted hours (6.13) and the domain list (2.3): who may do what, and clear errors."""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from custos.audit.models import AuditEvent
from custos.core.waiting import waiting_for
from custos.monitoring import actions
from custos.monitoring.models import (
    ContractedHours,
    DailyUse,
    DomainCategory,
    EncyclopaediaEdit,
    NoticeAcknowledgement,
    SchoolDefaultHours,
)
from custos.monitoring.tasks import monitoring_retention_tick
from custos.monitoring.tests.helpers import MONDAY, at, ingest_text, prepare, squid
from custos.tasks.registry import enqueue
from custos.tasks.worker import run_once
from custos.test import CustosTestCase


class NoticeTests(CustosTestCase):
    url = reverse("monitoring_notice")

    def test_81_notice_tells_staff_what_is_kept_for_how_long_and_who_sees_it(self) -> None:
        with override_settings(CUSTOS_MONITORING_RETENTION_DAYS=200):
            content = self.client_for(self.teacher).get(self.url).content.decode()
        for words in (
            "inside your contracted hours",
            "encyclopaedia",
            "deleted automatically after 200 days",
            "Only Human Resources and the Head",
            'href="/policy/clause/8.2/"',
            "I have read this notice",
        ):
            assert words in content, words

    def test_82_acknowledging_the_notice_is_recorded_once_and_clears_waiting_for_me(self) -> None:
        assert [item.clause for item in waiting_for(self.teacher)].count("8.1") == 1
        client = self.client_for(self.teacher)
        assert client.post(self.url).status_code == 302
        assert client.post(self.url).status_code == 302
        assert NoticeAcknowledgement.objects.filter(user=self.teacher, version=actions.NOTICE_VERSION).count() == 1
        assert AuditEvent.objects.filter(action="monitoring.notice_acknowledged").count() == 1
        assert not any(item.url == self.url for item in waiting_for(self.teacher))
        assert "You acknowledged this notice" in client.get(self.url).content.decode()

    def test_81_the_notice_is_for_staff_members_only(self) -> None:
        assert not any(item.url == self.url for item in waiting_for(self.pupil))
        for user in (self.pupil, self.external):
            assert self.client_for(user).get(self.url).status_code == 403
            assert self.client_for(user).post(self.url).status_code == 403
        assert self.client_for(None).get(self.url).status_code == 302  # to sign in
        assert self.client_for(self.outsider).get(reverse("monitoring_index")).status_code == 200

    def test_81_index_offers_reports_only_where_allowed(self) -> None:
        assert (
            "social media in contracted hours"
            in self.client_for(self.head).get(reverse("monitoring_index")).content.decode()
        )
        assert (
            "social media in contracted hours"
            not in self.client_for(self.teacher).get(reverse("monitoring_index")).content.decode()
        )
        assert self.client_for(self.pupil).get(reverse("monitoring_index")).status_code == 403


class HoursTests(CustosTestCase):
    def test_613_hr_sets_the_school_default_and_a_persons_own_hours(self) -> None:
        client = self.client_for(self.hr)
        url = reverse("monitoring_school_hours", args=[self.school.pk])
        response = client.post(url, {"day_0": "08:30-12:00, 12:45-16:00", "day_4": "08:30 – 15:00"})
        assert response.status_code == 302
        assert list(SchoolDefaultHours.objects.values_list("weekday", "start", "end")) == [
            (0, dt.time(8, 30), dt.time(12, 0)),
            (0, dt.time(12, 45), dt.time(16, 0)),
            (4, dt.time(8, 30), dt.time(15, 0)),
        ]
        person = reverse("monitoring_person_hours", args=[self.school.pk, self.teacher.pk])
        assert client.post(person, {"day_2": "13:00-24:00"}).status_code == 302
        assert list(ContractedHours.objects.values_list("user", "weekday", "end")) == [
            (self.teacher.pk, 2, dt.time(23, 59, 59))
        ]
        assert "Wed 13:00–23:59" in client.get(url).content.decode()
        assert AuditEvent.objects.filter(action="monitoring.hours_set").count() == 1

    def test_613_bad_hours_are_explained_and_change_nothing(self) -> None:
        client = self.client_for(self.hr)
        url = reverse("monitoring_school_hours", args=[self.school.pk])
        cases = {
            "25:00-26:00": "has a time that does not exist",
            "16:00-08:00": "ends before it starts",
            "09:00-12:00, 11:00-13:00": "the ranges overlap",
            "nine till five": "is not a range like 08:30-16:00",
        }
        for text, message in cases.items():
            content = client.post(url, {"day_0": text}).content.decode()
            assert "Monday: " in content and message in content, text
            assert "There is a problem" in content
        assert SchoolDefaultHours.objects.count() == 0

    def test_613_only_hr_sets_hours_and_only_for_their_schools_staff(self) -> None:
        url = reverse("monitoring_school_hours", args=[self.school.pk])
        for user in (self.head, self.teacher, self.outsider, self.ict_manager):
            assert self.client_for(user).get(url).status_code == 403
            assert self.client_for(user).post(url, {"day_0": "08:00-09:00"}).status_code == 403
        other = reverse("monitoring_person_hours", args=[self.school.pk, self.outsider.pk])
        assert self.client_for(self.hr).get(other).status_code == 404
        pupil = reverse("monitoring_person_hours", args=[self.school.pk, self.pupil.pk])
        assert self.client_for(self.hr).get(pupil).status_code == 404
        assert SchoolDefaultHours.objects.count() == 0

    def test_613_school_hours_page_query_count_is_pinned(self) -> None:
        client = self.client_for(self.hr)
        url = reverse("monitoring_school_hours", args=[self.school.pk])
        client.get(url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as first:
            client.get(url)
        for user in (self.teacher, self.moderator, self.contractor):
            actions.set_contracted_hours(user, {0: [(dt.time(9), dt.time(15))]}, by=self.hr)
        with self.assertNumQueries(len(first.captured_queries)):
            client.get(url)


class DomainTests(CustosTestCase):
    url = reverse("monitoring_domains")

    def test_23_ict_manager_lists_a_domain_from_a_pasted_address(self) -> None:
        response = self.client_for(self.ict_manager).post(
            self.url, {"domain": "https://WWW.Example-Social.com/feed", "category": "social"}
        )
        assert response.status_code == 302
        entry = DomainCategory.objects.get(domain="www.example-social.com")
        assert entry.category == "social"
        remove = reverse("monitoring_remove_domain", args=[entry.pk])
        assert self.client_for(self.hr).post(remove).status_code == 302
        assert not DomainCategory.objects.filter(domain="www.example-social.com").exists()
        assert self.client_for(self.hr).post(remove).status_code == 404

    def test_23_a_domain_that_is_not_a_domain_is_refused(self) -> None:
        for bad in ("not a domain", "<script>.com", "localhost", "-bad-.com"):
            response = self.client_for(self.hr).post(self.url, {"domain": bad, "category": "social"})
            assert "Enter a domain name such as facebook.com" in response.content.decode(), bad
        response = self.client_for(self.hr).post(self.url, {"domain": "ok.example", "category": "gossip"})
        assert "Select a valid choice" in response.content.decode()
        assert not DomainCategory.objects.filter(domain="ok.example").exists()

    def test_23_only_hr_and_ict_managers_keep_the_list(self) -> None:
        entry = DomainCategory.objects.first() or actions.set_domain_category("a.example", "social", by=self.hr)
        for user in (self.teacher, self.head, self.outsider, self.pupil):
            assert self.client_for(user).get(self.url).status_code == 403
            assert (
                self.client_for(user).post(self.url, {"domain": "x.example", "category": "social"}).status_code == 403
            )
            remove = reverse("monitoring_remove_domain", args=[entry.pk])
            assert self.client_for(user).post(remove).status_code == 403
        assert not DomainCategory.objects.filter(domain="x.example").exists()

    def test_23_the_default_list_covers_the_kinds_the_policy_names(self) -> None:
        assert set(DomainCategory.objects.values_list("category", flat=True)) == {
            "social",
            "video",
            "messaging",
            "forum",
            "encyclopaedia",
        }
        assert DomainCategory.objects.filter(domain="wikipedia.org", category="encyclopaedia").exists()


class RetentionTests(CustosTestCase):
    def setUp(self) -> None:
        super().setUp()
        prepare(self.school, self.hr)
        with time_machine.travel(dt.datetime(2026, 3, 3, tzinfo=dt.UTC)):
            ingest_text(
                squid(at(MONDAY, 9, 0), "www.facebook.com:443")
                + squid(at(MONDAY, 18, 0), "https://en.wikipedia.org/w/index.php?title=A&action=submit", method="POST")
                + squid(at(MONDAY + dt.timedelta(days=30), 9, 0), "www.facebook.com:443")
            )

    @override_settings(CUSTOS_MONITORING_RETENTION_DAYS=30)
    @time_machine.travel(dt.datetime(2026, 4, 2, 12, 0, tzinfo=dt.UTC))
    def test_81_the_scheduled_job_deletes_facts_past_the_retention_period(self) -> None:
        enqueue(monitoring_retention_tick)
        run_once()
        assert list(DailyUse.objects.values_list("day", flat=True)) == [MONDAY + dt.timedelta(days=30)]
        assert EncyclopaediaEdit.objects.count() == 0
        event = AuditEvent.objects.get(action="monitoring.purged")
        assert (event.changes["daily_rows"], event.changes["edits"], event.changes["days"]) == (1, 1, 30)
        enqueue(monitoring_retention_tick)
        run_once()  # safe to run twice
        assert AuditEvent.objects.filter(action="monitoring.purged").count() == 1

    @time_machine.travel(dt.datetime(2027, 3, 2, 12, 0, tzinfo=dt.UTC))
    def test_81_by_default_facts_are_kept_for_twelve_months(self) -> None:
        out = io.StringIO()
        call_command("purge_monitoring", stdout=out)
        assert "Kept: 365 days (from 03/03/2026). Deleted 1 daily totals and 1 encyclopaedia edits." in out.getvalue()
        assert DailyUse.objects.count() == 1

    @override_settings(CUSTOS_MONITORING_RETENTION_DAYS=30)
    @time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC))
    def test_81_logs_older_than_the_retention_period_are_not_ingested_again(self) -> None:
        result = ingest_text(squid(at(MONDAY, 9, 30), "www.facebook.com:443"), name="old.log")
        assert (result.past_retention, result.lines_used) == (1, 0)
