"""A.5.4, A.5.7: approve, reject citing the House Rule, remove later, members' reports; two moderators at once."""

from __future__ import annotations

import threading

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from custos.community import actions as community
from custos.community.models import Contribution, ContributionState, Report, ReportState
from custos.community.tests.base import HOUSE_RULES, SpaceTestCase, make_space
from custos.mail.models import Email
from custos.moderation import actions
from custos.tasks.worker import run_once
from custos.test import CustosTransactionTestCase, make_user


class DecisionTests(SpaceTestCase):
    def test_a57_rejecting_cites_the_house_rule_and_the_author_is_told_which(self) -> None:
        item = self.screened(self.pupil, "Random chat about football")
        actions.reject(item, by=self.moderator, house_rule=3, note="Keep it to science.")
        item.refresh_from_db()
        self.assertEqual((item.state, item.house_rule), (ContributionState.REJECTED, 3))
        mail = Email.objects.get(to=self.pupil.email, subject__contains="wasn't put on the site")
        self.assertIn("House Rule 3", mail.body)
        self.assertIn("Stay on topic.", mail.body)

    def test_a57_a_rejection_without_a_valid_house_rule_changes_nothing(self) -> None:
        item = self.screened(self.pupil, "Random chat")
        for bad in (None, "", "0", "9", "three"):
            with self.assertRaisesMessage(actions.ModerationError, "House Rule"):
                actions.reject(item, by=self.moderator, house_rule=bad)
        item.refresh_from_db()
        self.assertEqual(item.state, ContributionState.PENDING)

    def test_a54_a_second_decision_on_the_same_item_is_told_who_won(self) -> None:
        item = self.screened(self.pupil, "Our volcano erupted")
        stale = Contribution.objects.get(pk=item.pk)
        actions.approve(item, by=self.moderator)
        with self.assertRaisesMessage(actions.AlreadyDecided, "Already approved by Moderator Persona at"):
            actions.reject(stale, by=self.second_moderator, house_rule=1)
        stale.refresh_from_db()
        self.assertEqual(stale.state, ContributionState.APPROVED)

    def test_a54_the_losing_moderator_sees_a_plain_message_on_the_page(self) -> None:
        item = self.screened(self.pupil, "Our volcano erupted")
        actions.approve(item, by=self.moderator)
        response = self.client_for(self.second_moderator).post(
            reverse("moderation:decide", args=[item.pk]), {"action": "reject", "house_rule": "1"}, follow=True
        )
        self.assertContains(response, "Already approved by Moderator Persona")

    def test_a54_members_report_an_approved_contribution_and_it_comes_back_to_the_queue(self) -> None:
        item = self.screened(self.pupil, "Look at this")
        actions.approve(item, by=self.moderator)
        response = self.client_for(self.pupil2).post(
            reverse("community:report", args=[self.site.pk, item.pk]), {"reason": "It is unkind."}
        )
        self.assertEqual(response.status_code, 302)
        queue = self.client_for(self.moderator).get(reverse("moderation:queue", args=[self.site.pk]))
        self.assertContains(queue, "It is unkind.")
        actions.remove(item, by=self.moderator, house_rule=1)
        self.assertEqual(Report.objects.get().state, ReportState.UPHELD)
        self.assertTrue(Email.objects.filter(to=self.pupil.email, subject__contains="was removed").exists())

    def test_a54_a_report_with_no_reason_is_refused_and_nothing_is_saved(self) -> None:
        item = self.screened(self.pupil, "Look at this")
        actions.approve(item, by=self.moderator)
        response = self.client_for(self.pupil2).post(
            reverse("community:report", args=[self.site.pk, item.pk]), {"reason": ""}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "There is a problem")
        self.assertFalse(Report.objects.exists())

    def test_a54_keeping_a_reported_contribution_dismisses_its_reports(self) -> None:
        item = self.screened(self.pupil, "Look at this")
        actions.approve(item, by=self.moderator)
        community.report(item, by=self.pupil2, reason="Not sure")
        self.assertEqual(actions.dismiss_reports(item, by=self.moderator), 1)
        with self.assertRaises(actions.AlreadyDecided):
            actions.dismiss_reports(item, by=self.second_moderator)

    def test_a54_each_decision_is_audited(self) -> None:
        from custos.audit.models import AuditEvent

        item = self.screened(self.pupil, "Audit me")
        actions.approve(item, by=self.moderator)
        event = AuditEvent.objects.get(action="moderation.approved")
        self.assertEqual((event.actor_id, event.object_id), (self.moderator.pk, str(item.pk)))

    def test_a16_closed_space_is_read_only_for_administrators_and_invisible_to_members(self) -> None:
        item = self.screened(self.pupil, "Before closing")
        self.site.state = "closed"
        self.site.save()
        self.assertEqual(
            self.client_for(self.pupil).get(reverse("community:space", args=[self.site.pk])).status_code, 404
        )
        self.assertEqual(
            self.client_for(self.teacher).get(reverse("community:space", args=[self.site.pk])).status_code, 200
        )
        with self.assertRaises(PermissionDenied):
            actions.approve(item, by=self.teacher)
        with self.assertRaises(PermissionDenied):
            community.contribute(self.site, by=self.teacher, body="Still here?")


class TwoModeratorsAtOnceTests(CustosTransactionTestCase):
    """Two moderators, two threads, two database connections, one item: exactly one decision stands."""

    def test_a54_two_moderators_deciding_the_same_item_at_once_exactly_one_wins(self) -> None:
        import datetime as dt

        from custos.accounts.models import Kind, Pupil, School, Trust

        trust = Trust.objects.create(name="T")
        school = School.objects.create(trust=trust, name="Oakfield", urn="100009", website="https://o.example/")
        admin = make_user("admin", school=school)
        mods = [make_user(f"mod{n}", school=school) for n in range(2)]
        pupil = make_user("kid", school=school, kind=Kind.PUPIL)
        Pupil.objects.create(school=school, upn="C1", legal_first_name="K", legal_last_name="L", year_group=8,
                             date_of_birth=dt.date(2012, 1, 1), user=pupil)  # fmt: skip
        site = make_space(school, admin, mods, [admin])
        community.invite(site, by=admin, users=[pupil])
        from custos.community.models import Membership

        community.accept_terms(Membership.objects.get(user=pupil), by=pupil)
        item = community.contribute(site, by=pupil, body="Race me")
        run_once()
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def decide(moderator, what):  # type: ignore[no-untyped-def]
            from django.db import connections

            mine = Contribution.objects.select_related("site", "site__school").get(pk=item.pk)
            barrier.wait()
            try:
                if what == "approve":
                    actions.approve(mine, by=moderator)
                else:
                    actions.reject(mine, by=moderator, house_rule=1)
                outcomes.append(f"won:{what}")
            except actions.AlreadyDecided as error:
                outcomes.append(f"lost:{error}")
            except Exception as error:  # SQLite may refuse the second writer outright: still a loss, plainly told
                outcomes.append(f"lost:{error}")
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=decide, args=(m, w)) for m, w in zip(mods, ("approve", "reject"), strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [o for o in outcomes if o.startswith("won:")]
        self.assertEqual(len(winners), 1, outcomes)
        item.refresh_from_db()
        self.assertEqual(item.state, "approved" if winners[0] == "won:approve" else "rejected")
        self.assertEqual(len(HOUSE_RULES.splitlines()), 3)


class RemoveLaterTests(SpaceTestCase):
    def test_a54_a_moderator_removes_an_approved_contribution_later_from_its_page(self) -> None:
        item = self.screened(self.pupil, "Fine at first")
        actions.approve(item, by=self.moderator)
        page = self.client_for(self.moderator).get(reverse("community:contribution", args=[self.site.pk, item.pk]))
        self.assertContains(page, "Remove it (A.5.4)")
        self.assertNotContains(
            self.client_for(self.pupil2).get(reverse("community:contribution", args=[self.site.pk, item.pk])),
            "Remove it",
        )
        self.client_for(self.moderator).post(
            reverse("moderation:decide", args=[item.pk]), {"action": "remove", "house_rule": "2"}
        )
        item.refresh_from_db()
        self.assertEqual((item.state, item.house_rule), (ContributionState.REMOVED, 2))
