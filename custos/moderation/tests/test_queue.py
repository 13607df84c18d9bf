"""A.5.4: the queue only the site's moderators and administrators see, most serious first, then oldest."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from custos.community.models import Contribution, ContributionState, SpaceSettings
from custos.community.tests.base import SpaceTestCase
from custos.moderation import queries
from custos.moderation.highlight import segments


class QueueTests(SpaceTestCase):
    def test_a54_only_the_sites_moderators_and_administrators_see_the_queue(self) -> None:
        url = reverse("moderation:queue", args=[self.site.pk])
        for user in (self.moderator, self.second_moderator, self.teacher):
            self.assertEqual(self.client_for(user).get(url).status_code, 200, user)
        for user in (self.pupil, self.external, self.outsider, self.head, self.dsl, self.contractor):
            self.assertEqual(self.client_for(user).get(url).status_code, 404, user)

    def test_a54_an_outsider_cannot_decide_an_item(self) -> None:
        item = self.screened(self.pupil, "Hello club")
        response = self.client_for(self.outsider).post(
            reverse("moderation:decide", args=[item.pk]), {"action": "approve"}
        )
        self.assertEqual(response.status_code, 404)
        response = self.client_for(self.pupil2).post(
            reverse("moderation:decide", args=[item.pk]), {"action": "approve"}
        )
        self.assertEqual(response.status_code, 404)
        item.refresh_from_db()
        self.assertEqual(item.state, ContributionState.PENDING)

    def test_a54_items_are_ordered_by_severity_then_age(self) -> None:
        clean_old = self.screened(self.pupil, "Clean and old")
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
            warn = self.screened(self.pupil, "Clean too")
            Contribution.objects.filter(pk=warn.pk).update(severity_rank=1)
            block = self.screened(self.pupil2, "Clean three")
            Contribution.objects.filter(pk=block.pk).update(severity_rank=2)
        page = queries.queue_page(self.site)
        self.assertEqual([c.pk for c in page.items], [block.pk, warn.pk, clean_old.pk])

    def test_a54_the_queue_pages_by_keyset_and_its_query_count_does_not_grow(self) -> None:
        SpaceSettings.objects.create(site=self.site, rate_limit_per_minute=100)
        for n in range(30):
            self.post(self.pupil if n % 2 else self.pupil2, f"Item {n}")
            Contribution.objects.filter(state="screening").update(
                state="pending", created_at=timezone.now() + dt.timedelta(seconds=n)
            )
        first = queries.queue_page(self.site, size=25)
        self.assertEqual(len(first.items), 25)
        second = queries.queue_page(self.site, after=first.next_cursor, size=25)
        self.assertEqual(len(second.items), 5)
        self.assertIsNone(second.next_cursor)
        self.assertFalse({c.pk for c in first.items} & {c.pk for c in second.items})
        with self.assertNumQueries(2):  # settings + the page with its authors in one join
            queries.queue_page(self.site)
        client = self.client_for(self.moderator)
        url = reverse("moderation:queue", args=[self.site.pk])
        with CaptureQueriesContext(connection) as full:
            client.get(url)
        Contribution.objects.filter(pk__in=[c.pk for c in first.items[:20]]).update(state="approved")
        with CaptureQueriesContext(connection) as small:
            client.get(url)
        self.assertEqual(len(full), len(small), "the queue page makes the same number of queries for 5 or 25 items")

    def test_a54_a_mangled_cursor_starts_from_the_top(self) -> None:
        self.screened(self.pupil, "Hello")
        response = self.client_for(self.moderator).get(
            reverse("moderation:queue", args=[self.site.pk]), {"after": "x~y"}
        )
        self.assertContains(response, "Hello")

    def test_a54_findings_are_highlighted_in_the_text_with_reason_and_clause(self) -> None:
        item = self.screened(self.pupil, "Email me at jamie.rivers@gmail.com please <b>now</b>")
        self.assertTrue(item.findings, "screening should find the personal email address")
        page = self.client_for(self.moderator).get(reverse("moderation:queue", args=[self.site.pk])).content.decode()
        self.assertIn("<mark>", page)
        self.assertIn("&lt;b&gt;now&lt;/b&gt;", page)
        self.assertNotIn("<b>now</b>", page)
        for clause in item.findings[0]["clauses"]:
            self.assertIn(clause, page)

    def test_a54_highlight_segments_follow_spans_in_the_original_text(self) -> None:
        parts = segments("abc def ghi", [{"spans": [[4, 7]]}, {"spans": [[6, 11]]}])
        self.assertEqual(
            [(s.text, s.findings) for s in parts], [("abc ", ()), ("de", (1,)), ("f", (1, 2)), (" ghi", (2,))]
        )

    def test_a54_items_past_the_target_are_flagged_and_other_moderators_alerted_once(self) -> None:
        from custos.mail.models import Email
        from custos.moderation.actions import alert_overdue

        item = self.screened(self.pupil, "Waiting a long time")
        later = timezone.now() + dt.timedelta(hours=25)
        with time_machine.travel(later):
            self.assertEqual(alert_overdue(), 1)
            self.assertEqual(alert_overdue(), 0)
            page = self.client_for(self.moderator).get(reverse("moderation:queue", args=[self.site.pk]))
            self.assertContains(page, "Overdue")
        item.refresh_from_db()
        self.assertIsNotNone(item.overdue_alerted_at)
        recipients = set(Email.objects.filter(subject__contains="waiting too long").values_list("to", flat=True))
        self.assertEqual(recipients, {self.moderator.email, self.second_moderator.email, self.teacher.email})

    def test_a54_the_moderation_link_shows_a_count_to_moderators_only(self) -> None:
        self.screened(self.pupil, "Count me")
        self.assertContains(self.client_for(self.moderator).get("/"), "Moderation")
        home = self.client_for(self.pupil).get("/").content.decode()
        self.assertNotIn(reverse("moderation:index"), home)

    def test_a54_waiting_for_me_lists_the_queue_for_moderators(self) -> None:
        from custos.core.waiting import waiting_for

        self.screened(self.pupil, "Count me")
        titles = [i.title for i in waiting_for(self.moderator)]
        self.assertIn("Moderate 1 item in Year 8 Science Club", titles)
