"""Approval in order, as signatures (A.3.2, A.3.5, A.3.6): author → ICT Manager → Head of School."""

from __future__ import annotations

import threading

from django.db import connection

from custos.audit.models import AuditEvent
from custos.core.waiting import waiting_for
from custos.sites import actions
from custos.sites.content import content_sha256, current_roles
from custos.sites.models import Decision, Signature, Site, SiteState, Step
from custos.sites.tests.base import SitesTestCase, sign
from custos.tasks.worker import run_once
from custos.test import CustosTransactionTestCase, LocalSMTPServer, give_role, make_user


class ApprovalTests(SitesTestCase):
    def test_a36_a32_form_goes_to_ict_manager_then_head_and_is_approved(self) -> None:
        site = self.submitted()
        self.assertEqual(site.state, SiteState.SUBMITTED)
        ict = sign(site, self.ict_manager)
        site.refresh_from_db()
        self.assertEqual(site.state, SiteState.ICT_APPROVED)
        head = sign(site, self.head)
        site.refresh_from_db()
        self.assertEqual(site.state, SiteState.APPROVED)
        self.assertEqual((ict.step, ict.role, ict.approver), (Step.ICT, "ict_manager", self.ict_manager))
        self.assertEqual((head.step, head.role, head.approver), (Step.HEAD, "head", self.head))
        self.assertEqual(ict.content_sha256, content_sha256(site, current_roles(site)))
        self.assertEqual(ict.content_sha256, head.content_sha256)
        actions_logged = set(AuditEvent.objects.filter(object_id=str(site.pk)).values_list("action", flat=True))
        self.assertTrue({"site.created", "site.ict_approved", "site.head_approved"} <= actions_logged)

    def test_a32_head_cannot_decide_before_the_ict_manager(self) -> None:
        site = self.submitted()
        sha = content_sha256(site, current_roles(site))
        with self.assertRaisesMessage(actions.Conflict, "no longer waiting for the Head of School/Headteacher"):
            actions.decide(site, by=self.head, step=Step.HEAD, decision=Decision.APPROVED, comment="", seen_sha256=sha)

    def test_a32_nobody_approves_their_own_form(self) -> None:
        site = self.draft(by=self.ict_manager, submit=True)
        with self.assertRaisesMessage(actions.SiteError, "You wrote this form"):
            sign(site, self.ict_manager)
        self.assertFalse(Signature.objects.exists())
        self.assertNotIn(f"Approve the site form: {site.title}", [i.title for i in waiting_for(self.ict_manager)])

    def test_a32_only_the_schools_ict_manager_decides_step_one(self) -> None:
        site = self.submitted()
        with self.assertRaisesMessage(actions.SiteError, "Only the school's ICT Manager"):
            sign(site, self.dsl)

    def test_a32_returned_with_comments_goes_back_to_the_author(self) -> None:
        site = self.submitted()
        with self.assertRaisesMessage(actions.SiteError, "Say what must change"):
            sign(site, self.ict_manager, Decision.RETURNED)
        sign(site, self.ict_manager, Decision.RETURNED, "Add the pupils' consent plan.")
        site.refresh_from_db()
        self.assertEqual(site.state, SiteState.RETURNED)
        titles = [item.title for item in waiting_for(self.teacher)]
        self.assertIn(f"Make the changes asked for: {site.title}", titles)
        resubmitted = actions.save_form(
            site,
            by=self.teacher,
            school=self.school,
            kind=site.kind,
            fields={"aims": "Clearer aims."},
            roles=current_roles(site),
            submit=True,
        )
        self.assertEqual(resubmitted.state, SiteState.SUBMITTED)

    def test_a32_rejected_with_a_reason(self) -> None:
        site = self.submitted()
        sign(site, self.ict_manager)
        sign(site, self.head, Decision.REJECTED, "Not a strong enough reason (7.2).")
        site.refresh_from_db()
        self.assertEqual((site.state, site.rejection_reason), (SiteState.REJECTED, "Not a strong enough reason (7.2)."))
        with self.assertRaises(actions.Conflict):
            actions.save_form(
                site, by=self.teacher, school=self.school, kind=site.kind, fields={}, roles={}, submit=True
            )

    def test_a32_editing_an_approved_form_invalidates_signatures_and_returns_it_to_ict(self) -> None:
        site = self.approved()
        actions.save_form(
            site,
            by=self.teacher,
            school=self.school,
            kind=site.kind,
            fields={"allow_images": True},
            roles=current_roles(site),
            submit=False,
        )
        site.refresh_from_db()
        self.assertEqual(site.state, SiteState.SUBMITTED)
        self.assertEqual(Signature.objects.filter(site=site, invalidated_at__isnull=True).count(), 0)
        self.assertEqual(Signature.objects.filter(site=site).count(), 2, "signatures are kept, marked invalid")

    def test_a32_editing_an_approved_form_must_still_pass_every_rule(self) -> None:
        site = self.approved()
        with self.assertRaises(actions.SubmissionRefused):
            actions.save_form(
                site,
                by=self.teacher,
                school=self.school,
                kind=site.kind,
                fields={},
                roles={"administrators": [self.teacher], "moderators": [self.moderator]},
                submit=False,
            )
        site.refresh_from_db()
        self.assertEqual(site.state, SiteState.APPROVED)

    def test_a32_a_decision_on_content_that_changed_since_it_was_read_is_refused(self) -> None:
        site = self.submitted()
        seen = content_sha256(site, current_roles(site))
        actions.save_form(
            site,
            by=self.teacher,
            school=self.school,
            kind=site.kind,
            fields={"aims": "Different aims."},
            roles=current_roles(site),
            submit=False,
        )
        with self.assertRaisesMessage(actions.Conflict, "The form changed after you opened it"):
            actions.decide(
                site, by=self.ict_manager, step=Step.ICT, decision=Decision.APPROVED, comment="", seen_sha256=seen
            )

    def test_a32_second_of_two_approvers_is_told_the_first_decided(self) -> None:
        second_ict = make_user("ict2", school=self.school)
        give_role(second_ict, "ict_manager", self.school)
        site = self.submitted()
        seen = content_sha256(site, current_roles(site))
        stale = Site.objects.get(pk=site.pk)
        actions.decide(
            site, by=self.ict_manager, step=Step.ICT, decision=Decision.APPROVED, comment="", seen_sha256=seen
        )
        with self.assertRaisesMessage(actions.Conflict, "Ict_Manager Persona approved it at"):
            actions.decide(
                stale, by=second_ict, step=Step.ICT, decision=Decision.RETURNED, comment="x", seen_sha256=seen
            )
        self.assertEqual(Signature.objects.filter(site=site).count(), 1)

    def test_a35_head_signs_in_their_role_and_exec_head_may_approve(self) -> None:
        site = self.submitted(wants_logo=True)
        sign(site, self.ict_manager)
        signature = sign(site, self.exec_head)
        self.assertEqual(signature.role, "executive_head")

    def test_a36_waiting_for_me_gives_no_due_date_the_policy_does_not_set(self) -> None:
        site = self.submitted()
        [item] = [i for i in waiting_for(self.ict_manager) if i.title == f"Approve the site form: {site.title}"]
        self.assertIsNone(item.due)
        home = self.client_for(self.ict_manager).get("/")
        self.assertContains(home, f"Approve the site form: {site.title}")
        self.assertNotContains(home, "due ")
        self.assertContains(home, f"waiting since {site.submitted_at.astimezone():%a %-d %b, %H:%M}")

    def test_a36_waiting_for_me_shows_each_approver_their_step(self) -> None:
        site = self.submitted()
        self.assertIn(f"Approve the site form: {site.title}", [i.title for i in waiting_for(self.ict_manager)])
        self.assertNotIn(f"Approve the site form: {site.title}", [i.title for i in waiting_for(self.head)])
        sign(site, self.ict_manager)
        self.assertIn(f"Approve the site form: {site.title}", [i.title for i in waiting_for(self.head)])
        self.assertNotIn(f"Approve the site form: {site.title}", [i.title for i in waiting_for(self.ict_manager)])


class NotificationTests(SitesTestCase):
    def test_a36_each_approver_and_the_author_are_emailed_on_a_real_smtp_server(self) -> None:
        with LocalSMTPServer() as smtp:
            site = self.submitted()
            run_once()
            self.assertEqual(len(smtp.to(self.ict_manager.email)), 1)
            self.assertIn(site.title, smtp.to(self.ict_manager.email)[0]["Subject"])
            sign(site, self.ict_manager)
            run_once()
            self.assertIn("logo", smtp.body(smtp.to(self.head.email)[0]))
            sign(site, self.head)
            run_once()
            self.assertIn("Site approved", smtp.to(self.teacher.email)[0]["Subject"])


class ConcurrentDecisionTests(CustosTransactionTestCase):
    def test_a32_two_approvers_at_once_exactly_one_decision_is_recorded(self) -> None:
        from custos.accounts.models import School, Trust
        from custos.sites.models import SiteKind
        from custos.sites.tests.base import valid_fields

        trust = Trust.objects.create(name="T")
        school = School.objects.create(trust=trust, name="Oak", urn="100009", website="https://oak.example/")
        author, a, b, m1, m2 = (make_user(n, school=school) for n in ("author", "icta", "ictb", "m1", "m2"))
        give_role(a, "ict_manager", school)
        give_role(b, "ict_manager", school)
        site = actions.save_form(
            None,
            by=author,
            school=school,
            kind=SiteKind.OWN,
            fields=valid_fields(line_manager=m1),
            roles={"administrators": [author, m1], "moderators": [m1, m2]},
            submit=True,
        )
        seen = content_sha256(site, current_roles(site))
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def act(user, decision, comment):
            try:
                barrier.wait()
                actions.decide(
                    Site.objects.get(pk=site.pk),
                    by=user,
                    step=Step.ICT,
                    decision=decision,
                    comment=comment,
                    seen_sha256=seen,
                )
                outcomes.append("won")
            except actions.Conflict as conflict:
                outcomes.append(f"told: {conflict}")
            finally:
                connection.close()

        threads = [
            threading.Thread(target=act, args=(a, Decision.APPROVED, "")),
            threading.Thread(target=act, args=(b, Decision.RETURNED, "Needs work")),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(o[:4] for o in outcomes), ["told", "won"])
        self.assertIn("no longer waiting for the ICT Manager", next(o for o in outcomes if o.startswith("told")))
        self.assertEqual(Signature.objects.filter(site=site).count(), 1)
