"""A.5.5, A.5.6: comments exported from a third-party-hosted site reach its moderators' queue; each is kept,
confirmed removed on the host platform, or escalated to the safeguarding lead (one case, the exact text)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from custos.api import actions as api_actions
from custos.api.models import ApiToken, ExternalComment, ExternalCommentState
from custos.api.tests.base import ApiTestCase
from custos.audit.models import AuditEvent
from custos.cases.models import Case
from custos.core.waiting import waiting_for
from custos.mail.models import Email
from custos.moderation import actions, queries
from custos.tasks.worker import run_once
from custos.test import CustosTransactionTestCase, make_user

DISCLOSURE = "he touched me and said keep it secret  (really)"


def submit(token: ApiToken, site: Any, *texts: str, prefix: str = "fb") -> list[ExternalComment]:
    incoming = [api_actions.IncomingComment(external_id=f"{prefix}-{n}", text=t) for n, t in enumerate(texts)]
    return [r.comment for r in api_actions.submit_third_party_comments(token, site=site, comments=incoming)]


class CommentQueueTestCase(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Administrators: teacher, moderator; moderators: moderator, contractor (SitesTestCase.roles).
        self.site = self.third_party_site(title="Oakfield PE on Facebook")
        self.integration = api_actions.create_token(
            school=self.school, name="Facebook export", scopes=["comments:submit", "queue:read"], by=self.ict_manager
        )

    def comments(self, *texts: str, prefix: str = "fb") -> list[ExternalComment]:
        return submit(self.integration.token, self.site, *texts, prefix=prefix)

    def queue_url(self) -> str:
        return reverse("moderation:comments", args=[self.site.pk])

    def decide(self, user: Any, comment: ExternalComment, client: Any = None, **data: str) -> Any:
        client = client or self.client_for(user)
        return client.post(reverse("moderation:decide_comment", args=[comment.pk]), data)


class QueueTests(CommentQueueTestCase):
    def test_a55_the_sites_moderators_and_administrators_see_its_pending_comments(self) -> None:
        self.comments("Great match on Saturday!")
        for user in (self.moderator, self.contractor, self.teacher):
            response = self.client_for(user).get(self.queue_url())
            self.assertContains(response, "Great match on Saturday!", msg_prefix=str(user))
            self.assertContains(response, "A.5.5")

    def test_a55_another_sites_moderators_and_the_schools_other_staff_get_404(self) -> None:
        [comment] = self.comments("Hello")
        other = self.third_party_site(
            title="Oakfield Music",
            roles=self.roles(administrators=[self.hr, self.pastoral], moderators=[self.hr, self.pastoral]),
        )
        self.assertTrue(queries.comment_sites(self.hr))
        self.assertEqual(self.client_for(self.hr).get(self.queue_url()).status_code, 404)
        for user in (self.hr, self.head, self.dsl, self.ict_manager, self.outsider, self.pupil, self.external):
            self.assertEqual(self.client_for(user).get(self.queue_url()).status_code, 404, user)
            self.assertEqual(self.decide(user, comment, action="keep").status_code, 404, user)
        self.assertEqual(
            self.client_for(self.moderator).get(reverse("moderation:comments", args=[other.pk])).status_code, 404
        )
        comment.refresh_from_db()
        self.assertEqual(comment.state, ExternalCommentState.PENDING)

    def test_a55_a_school_hosted_site_has_no_comment_queue(self) -> None:
        school_hosted = self.approved(title="Own site")
        response = self.client_for(self.moderator).get(reverse("moderation:comments", args=[school_hosted.pk]))
        self.assertEqual(response.status_code, 404)

    def test_a55_comments_are_ordered_by_severity_then_age_with_findings_highlighted(self) -> None:
        [clean] = self.comments("Well done everyone", prefix="a")
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
            [phone] = self.comments("Ring me on 07700 900123 <b>now</b>", prefix="b")
        self.assertGreater(phone.severity_rank, clean.severity_rank)
        page = queries.comment_queue_page(self.site)
        self.assertEqual([c.pk for c in page.items], [phone.pk, clean.pk])
        html = self.client_for(self.moderator).get(self.queue_url()).content.decode()
        self.assertLess(html.index("07700"), html.index("Well done"))
        self.assertIn("<mark>", html)
        self.assertIn("&lt;b&gt;now&lt;/b&gt;", html)
        self.assertNotIn("<b>now</b>", html)
        for clause in phone.findings[0]["clauses"]:
            self.assertIn(clause, html)

    def test_a55_the_queue_pages_by_keyset_and_its_query_count_is_pinned(self) -> None:
        self.comments(*(f"Comment {n}" for n in range(30)))
        first = queries.comment_queue_page(self.site, size=25)
        second = queries.comment_queue_page(self.site, after=first.next_cursor, size=25)
        self.assertEqual((len(first.items), len(second.items)), (25, 5))
        self.assertIsNone(second.next_cursor)
        self.assertFalse({c.pk for c in first.items} & {c.pk for c in second.items})
        with self.assertNumQueries(2):  # the space settings (queue target) + the page
            queries.comment_queue_page(self.site)
        client = self.client_for(self.moderator)
        client.get(self.queue_url())
        with CaptureQueriesContext(connection) as full:
            client.get(self.queue_url())
        ExternalComment.objects.filter(pk__in=[c.pk for c in first.items[:20]]).update(state="kept")
        with self.assertNumQueries(len(full)):  # the same for 5 comments as for 25
            client.get(self.queue_url())
        ours = [q["sql"] for q in full.captured_queries if "api_externalcomment" in q["sql"]]
        self.assertEqual(len(ours), 3, ours)  # the page, recent escalations, the nav count
        self.assertContains(client.get(self.queue_url(), {"after": "x~y"}), "Comment")  # a mangled cursor: page one

    def test_a55_the_moderation_home_nav_and_waiting_for_me_lead_to_the_queue(self) -> None:
        self.comments("Hello", "Again")
        index = self.client_for(self.moderator).get(reverse("moderation:index"))
        self.assertContains(index, self.queue_url())
        self.assertContains(index, "Facebook")
        home = self.client_for(self.contractor).get("/").content.decode()
        self.assertIn(reverse("moderation:index"), home)
        self.assertNotIn(reverse("moderation:index"), self.client_for(self.head).get("/").content.decode())
        items = [i for i in waiting_for(self.moderator) if i.url == self.queue_url()]
        self.assertEqual(len(items), 1)
        self.assertIn("2 comments", items[0].title)
        self.assertEqual(items[0].clause, "A.5.5")


class DecisionTests(CommentQueueTestCase):
    def test_a55_a_moderator_keeps_a_comment_and_it_leaves_the_queue_audited(self) -> None:
        [comment] = self.comments("Lovely photos")
        response = self.decide(self.contractor, comment, action="keep")
        self.assertRedirects(response, self.queue_url(), fetch_redirect_response=False)
        comment.refresh_from_db()
        self.assertEqual((comment.state, comment.decided_by), (ExternalCommentState.KEPT, self.contractor))
        event = AuditEvent.objects.get(action="moderation.comment_kept")
        self.assertEqual(event.changes["clause"], "A.5.5")
        self.site.refresh_from_db()
        self.assertIsNotNone(self.site.last_activity_at)
        self.assertNotContains(self.client_for(self.moderator).get(self.queue_url()), "Lovely photos")

    def test_a55_removing_needs_confirmation_it_was_removed_on_the_host_platform(self) -> None:
        [comment] = self.comments("This club is rubbish")
        client = self.client_for(self.moderator)
        response = self.decide(self.moderator, comment, client, action="remove")
        page = client.get(response.url).content.decode()
        self.assertIn("Remove the comment on Facebook first", page)
        comment.refresh_from_db()
        self.assertEqual(comment.state, ExternalCommentState.PENDING)
        self.decide(self.moderator, comment, action="remove", confirm_removed="yes", note="Hidden by Facebook too")
        comment.refresh_from_db()
        self.assertEqual((comment.state, comment.decision_note), ("removed", "Hidden by Facebook too"))
        self.assertTrue(AuditEvent.objects.filter(action="moderation.comment_removed").exists())

    def test_a55_an_unknown_action_is_refused_plainly_and_changes_nothing(self) -> None:
        [comment] = self.comments("Hi")
        client = self.client_for(self.moderator)
        response = self.decide(self.moderator, comment, client, action="delete")
        self.assertContains(client.get(response.url), "Choose keep, removed or escalate")
        comment.refresh_from_db()
        self.assertEqual(comment.state, "pending")
        self.assertEqual(client.get(reverse("moderation:decide_comment", args=[comment.pk])).status_code, 405)

    def test_a55_a_second_decision_on_the_same_comment_is_told_who_won(self) -> None:
        [comment] = self.comments("Hi there")
        actions.keep_comment(comment, by=self.moderator)
        stale = ExternalComment.objects.select_related("site", "site__host_platform").get(pk=comment.pk)
        stale.state = "pending"
        with self.assertRaisesMessage(actions.AlreadyDecided, "Already kept on the host site by"):
            actions.remove_comment(stale, by=self.contractor, confirmed=True)
        client = self.client_for(self.contractor)
        response = self.decide(self.contractor, comment, client, action="remove", confirm_removed="yes")
        self.assertContains(client.get(response.url), "Nothing was changed")
        comment.refresh_from_db()
        self.assertEqual(comment.state, ExternalCommentState.KEPT)

    def test_a55_only_the_sites_team_may_decide_through_the_action(self) -> None:
        [comment] = self.comments("Hi")
        with self.assertRaises(PermissionDenied):
            actions.keep_comment(comment, by=self.head)
        comment.refresh_from_db()
        self.assertEqual(comment.state, "pending")

    def test_a55_the_apis_queue_counts_go_down_after_decisions(self) -> None:
        a, b, c = self.comments("One", "Two", "Three")
        client = self.api(self.integration.secret)

        def total() -> int:
            queues = client.get("/api/v1/queue-counts").json()["queues"]
            return int(next(q for q in queues if q["site"] == self.site.pk)["pending"]["total"])

        self.assertEqual(total(), 3)
        actions.keep_comment(a, by=self.moderator)
        self.assertEqual(total(), 2)
        actions.remove_comment(b, by=self.moderator, confirmed=True)
        actions.escalate_comment(c, by=self.moderator, note="Worrying", concern="bullying")
        self.assertEqual(total(), 0)


class EscalationTests(CommentQueueTestCase):
    def test_a56_a_moderator_escalates_and_one_case_opens_with_the_exact_text(self) -> None:
        text = "Can someone from the school  call me about my son please"
        [comment] = self.comments(text)
        self.assertIsNone(comment.case_opened_at)
        client = self.client_for(self.moderator)
        response = self.decide(
            self.moderator, comment, client, action="escalate", note="Sounds at risk", concern="abuse_disclosure"
        )
        self.assertContains(client.get(response.url), "Escalated to the safeguarding lead")
        comment.refresh_from_db()
        self.assertEqual(comment.state, ExternalCommentState.ESCALATED)
        case = Case.objects.get()
        self.assertEqual(case.evidence.get().text, text)  # exactly as received, spaces and all
        self.assertEqual(case.linked_content, text)
        self.assertEqual(case.source_ref, f"api.external_comment:{comment.pk}")
        self.assertEqual(case.reported_by, self.moderator)
        self.assertIn("A.5.5", case.summary)
        page = self.client_for(self.moderator).get(self.queue_url()).content.decode()
        self.assertIn("Escalated to the safeguarding lead", page)
        self.assertNotIn("my son", page)
        self.assertNotIn(case.reference, page)
        with self.assertRaises(actions.AlreadyDecided):
            actions.escalate_comment(comment.__class__.objects.get(pk=comment.pk), by=self.teacher, note="again")
        self.assertEqual(Case.objects.count(), 1)

    def test_a56_escalating_needs_a_reason_and_changes_nothing_without_one(self) -> None:
        [comment] = self.comments("Hmm")
        with self.assertRaisesMessage(actions.ModerationError, "A.2.3"):
            actions.escalate_comment(comment, by=self.moderator, note="  ")
        comment.refresh_from_db()
        self.assertEqual(comment.state, "pending")
        self.assertFalse(Case.objects.exists())

    def test_a56_a_comment_screening_escalates_opens_a_case_at_once_and_only_once(self) -> None:
        [comment] = self.comments(DISCLOSURE)
        self.assertEqual(comment.severity, "escalate")
        case = Case.objects.get()
        self.assertEqual(case.evidence.get().text, DISCLOSURE)
        self.assertIsNone(case.reported_by)
        self.assertEqual(case.source, "screening")
        # Sent again by a retrying integration, or escalated again: still one case.
        self.comments(DISCLOSURE)
        self.assertFalse(actions.escalate_comment_on_arrival(ExternalComment.objects.get(pk=comment.pk)))
        self.assertEqual(Case.objects.count(), 1)
        self.assertTrue(AuditEvent.objects.filter(action="moderation.comment_escalated_on_arrival").exists())
        while run_once():
            pass
        to = set(Email.objects.values_list("to", flat=True))
        self.assertIn(self.dsl.email, to)
        self.assertTrue({self.moderator.email, self.contractor.email, self.teacher.email} <= to)

    def test_a56_an_escalated_on_arrival_comment_must_be_removed_not_kept(self) -> None:
        [comment] = self.comments(DISCLOSURE)
        comment.refresh_from_db()
        page = self.client_for(self.moderator).get(self.queue_url()).content.decode()
        self.assertIn("Escalated to the safeguarding lead when it arrived", page)
        self.assertNotIn(Case.objects.get().reference, page)
        with self.assertRaisesMessage(actions.ModerationError, "A.5.6"):
            actions.keep_comment(comment, by=self.moderator)
        with self.assertRaisesMessage(actions.ModerationError, "already has this comment"):
            actions.escalate_comment(comment, by=self.moderator, note="again")
        items = [i for i in waiting_for(self.moderator) if i.url == self.queue_url()]
        self.assertTrue(items[0].urgent)
        self.assertEqual(items[0].clause, "A.5.6")
        actions.remove_comment(comment, by=self.moderator, confirmed=True)
        comment.refresh_from_db()
        self.assertEqual(comment.state, "removed")
        self.assertEqual(Case.objects.count(), 1)


class TwoModeratorsAtOnceTests(CustosTransactionTestCase):
    """Two moderators, two threads, two database connections, one comment: exactly one decision stands."""

    def test_a55_two_moderators_deciding_the_same_comment_at_once_exactly_one_wins(self) -> None:
        from custos.accounts.models import School, Trust
        from custos.community.tests.base import make_space
        from custos.sites.models import Hosting, SiteState

        trust = Trust.objects.create(name="T")
        school = School.objects.create(trust=trust, name="Oakfield", urn="100019", website="https://o.example/")
        admin = make_user("admin", school=school)
        mods = [make_user(f"mod{n}", school=school) for n in range(2)]
        site = make_space(school, admin, mods, [admin], hosting=Hosting.THIRD_PARTY, state=SiteState.APPROVED)
        token = api_actions.create_token(school=school, name="Export", scopes=["comments:submit"], by=admin).token
        [comment] = submit(token, site, "Race me")
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def decide(moderator: Any, what: str) -> None:
            from django.db import connections

            mine = ExternalComment.objects.select_related("site", "site__school", "site__host_platform").get(
                pk=comment.pk
            )
            barrier.wait()
            try:
                if what == "keep":
                    actions.keep_comment(mine, by=moderator)
                else:
                    actions.escalate_comment(mine, by=moderator, note="Worried")
                outcomes.append(f"won:{what}")
            except actions.AlreadyDecided as error:
                outcomes.append(f"lost:{error}")
            except Exception as error:  # SQLite may refuse the second writer outright: still a loss, plainly told
                outcomes.append(f"lost:{error}")
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=decide, args=(m, w)) for m, w in zip(mods, ("keep", "escalate"), strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [o for o in outcomes if o.startswith("won:")]
        self.assertEqual(len(winners), 1, outcomes)
        comment.refresh_from_db()
        self.assertEqual(comment.state, "kept" if winners[0] == "won:keep" else "escalated")
        self.assertEqual(Case.objects.count(), 0 if winners[0] == "won:keep" else 1)


class WorkerWarmUpTests(CommentQueueTestCase):
    def test_a55_the_worker_builds_each_schools_screening_context_when_it_starts(self) -> None:
        from custos.lib import screening
        from custos.tasks import worker

        screening._cache.clear()
        worker.loop(stop_after=0)
        self.assertIn(self.school.pk, screening._cache)
        self.assertIn(self.other_school.pk, screening._cache)
