"""The life of a site (A.1.5, A.1.6, A.1.7, A.5.4): live on its date, reminders, closure, neglect, cover."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core.management import call_command
from django.utils import timezone

from custos.accounts.models import Absence
from custos.core.waiting import waiting_for
from custos.mail.models import Email
from custos.sites import actions, lifecycle
from custos.sites.models import Decision, NoticeKind, SiteNotice, SiteState
from custos.sites.tests.base import SitesTestCase
from custos.tasks.registry import enqueue
from custos.tasks.worker import run_once


def at(day: dt.date) -> time_machine.travel:
    return time_machine.travel(dt.datetime.combine(day, dt.time(6, 0), tzinfo=dt.UTC), tick=False)


class LifecycleTests(SitesTestCase):
    def test_a16_approved_site_goes_live_on_its_date_and_closes_on_its_closure_date(self) -> None:
        site = self.approved()
        self.assertEqual(lifecycle.run().went_live, [])
        with at(site.go_live_on):
            self.assertEqual(lifecycle.run().went_live, [site.pk])
        site.refresh_from_db()
        self.assertEqual(site.state, SiteState.LIVE)
        with at(site.closes_on):
            self.assertEqual(lifecycle.run().closed, [site.pk])
        site.refresh_from_db()
        self.assertEqual(site.state, SiteState.CLOSED)
        # A.1.7: the administrators are asked for the evaluation.
        self.assertIn(f"Evaluate the closed site {site.title}", [i.title for i in waiting_for(self.teacher)])
        actions.record_evaluation(site, by=self.teacher, evaluation="met", notes="Survey: 80% found it useful.")
        self.assertNotIn(f"Evaluate the closed site {site.title}", [i.title for i in waiting_for(self.teacher)])

    def test_a16_approval_on_or_after_the_go_live_date_makes_it_live_at_once(self) -> None:
        site = self.submitted(go_live_on=self.today())
        from custos.sites.tests.base import sign

        sign(site, self.ict_manager)
        sign(site, self.head)
        site.refresh_from_db()
        self.assertEqual(site.state, SiteState.LIVE)

    def test_a16_reminders_30_7_and_1_days_before_closure_go_once_each(self) -> None:
        site = self.approved()
        with at(site.go_live_on):
            lifecycle.run()
        for days, kind in ((30, NoticeKind.CLOSURE_30), (7, NoticeKind.CLOSURE_7), (1, NoticeKind.CLOSURE_1)):
            with at(site.closes_on - dt.timedelta(days=days)):
                self.assertEqual(lifecycle.run().reminded, [(site.pk, kind)])
                self.assertEqual(lifecycle.run().reminded, [], "running twice sends nothing more")
        subjects = list(
            Email.objects.filter(to=self.head.email, subject__contains="closes on").values_list("subject", flat=True)
        )
        self.assertEqual(len(subjects), 3)
        self.assertEqual(Email.objects.filter(to=self.teacher.email, subject__contains="closes on").count(), 3)

    def test_a17_closing_by_hand_asks_for_the_evaluation_against_its_aims(self) -> None:
        site = self.approved()
        with self.assertRaisesMessage(actions.SiteError, "(A.1.7)"):
            actions.close_site(site, by=self.teacher, evaluation="", notes="")
        actions.close_site(site, by=self.teacher, evaluation="partly", notes="Fewer posts than hoped.")
        site.refresh_from_db()
        self.assertEqual((site.state, site.evaluation), (SiteState.CLOSED, "partly"))

    def test_a16_extending_the_closure_date_needs_a_fresh_approval(self) -> None:
        site = self.approved()
        later = site.closes_on + dt.timedelta(days=90)
        extension = actions.request_extension(site, by=self.teacher, closes_on=later, reason="Second cohort.")
        with self.assertRaisesMessage(actions.Conflict, "already waiting"):
            actions.request_extension(site, by=self.teacher, closes_on=later, reason="Again.")
        with self.assertRaisesMessage(actions.SiteError, "You asked for this extension"):
            actions.decide_extension(extension, by=self.teacher, decision=Decision.APPROVED, comment="")
        actions.decide_extension(extension, by=self.ict_manager, decision=Decision.APPROVED, comment="")
        site.refresh_from_db()
        self.assertNotEqual(site.closes_on, later, "not until the Head approves too")
        actions.decide_extension(extension, by=self.head, decision=Decision.APPROVED, comment="")
        site.refresh_from_db()
        self.assertEqual(site.closes_on, later)
        self.assertEqual(site.signatures.filter(extension=extension).count(), 2)

    def test_a16_live_site_without_team_activity_is_flagged_as_neglected(self) -> None:
        site = self.approved()
        with at(site.go_live_on):
            lifecycle.run()
        with at(site.go_live_on + dt.timedelta(days=20)):
            self.assertEqual(lifecycle.run().neglected, [])
        with at(site.go_live_on + dt.timedelta(days=29)):
            self.assertEqual(lifecycle.run().neglected, [site.pk])
            self.assertEqual(lifecycle.run().neglected, [])
            self.assertIn(f"Neglected site: {site.title}", [i.title for i in waiting_for(self.head)])
            actions.note_site_activity(site, self.moderator)
            site.refresh_from_db()
            self.assertIsNone(site.neglected_since)

    def test_a16_neglect_period_is_configurable(self) -> None:
        site = self.approved()
        with at(site.go_live_on):
            lifecycle.run()
        with self.settings(CUSTOS_SITE_NEGLECT_DAYS=5), at(site.go_live_on + dt.timedelta(days=6)):
            self.assertEqual(lifecycle.run().neglected, [site.pk])

    def test_a15_a54_leave_leaving_fewer_than_two_moderators_alerts_admins_and_head(self) -> None:
        site = self.approved()
        with at(site.go_live_on):
            lifecycle.run()
            Absence.objects.create(
                user=self.moderator,
                starts_on=site.go_live_on + dt.timedelta(days=3),
                ends_on=site.go_live_on + dt.timedelta(days=10),
                reason="Leave",
            )
            self.assertEqual(lifecycle.run().cover_alerts, [site.pk])
            self.assertEqual(lifecycle.run().cover_alerts, [], "alerted once")
        mails = Email.objects.filter(subject__startswith="Moderator cover needed")
        self.assertEqual(
            set(mails.values_list("to", flat=True)), {self.teacher.email, self.moderator.email, self.head.email}
        )
        self.assertIn(f"Name moderator cover for {site.title}", [i.title for i in waiting_for(self.head)])
        with at(site.go_live_on):
            actions.name_cover(site, by=self.teacher, user=self.dsl)
            lifecycle.run()
        self.assertNotIn(f"Name moderator cover for {site.title}", [i.title for i in waiting_for(self.head)])

    def test_a15_a54_a_moderator_leaving_the_school_triggers_the_cover_alert(self) -> None:
        site = self.approved()
        self.contractor.employment_ends_on = site.go_live_on + dt.timedelta(days=2)
        self.contractor.save()
        with at(site.go_live_on):
            self.assertEqual(lifecycle.run().cover_alerts, [site.pk])
        self.assertTrue(SiteNotice.objects.filter(site=site, kind=NoticeKind.COVER, resolved_at=None).exists())

    def test_a31_cover_moderator_must_be_current_staff_not_a_pupil(self) -> None:
        site = self.approved()
        with self.assertRaisesMessage(actions.SiteError, "is a pupil"):
            actions.name_cover(site, by=self.teacher, user=self.pupil)

    def test_the_command_and_the_task_run_the_same_round(self) -> None:
        site = self.approved()
        with at(site.go_live_on):
            call_command("run_site_lifecycle", stdout=open("/dev/null", "w"))  # noqa: SIM115
            site.refresh_from_db()
            self.assertEqual(site.state, SiteState.LIVE)
            from custos.sites.tasks import site_lifecycle_tick

            job = enqueue(site_lifecycle_tick)
            self.assertGreaterEqual(run_once(), 1)
            job.refresh_from_db()
            self.assertEqual(job.state, "done")
            self.assertEqual(site.live_since, timezone.now())
