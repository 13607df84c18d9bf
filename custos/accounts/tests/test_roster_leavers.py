"""Pupils marked as left lose their account and their places in the school's spaces (A.2.6, A.5.7): the school
vets who contributes, and someone no longer at the school is no longer vetted. A pupil who comes back is not
silently let back in."""

from django.test import Client

from custos.accounts.actions import confirm_roster_import, import_roster, preview_roster_import
from custos.accounts.models import User
from custos.accounts.tests.test_roster import PERSONA_ROW, TODAY, roster, upn
from custos.audit.models import AuditEvent
from custos.community.models import Membership, MemberStatus
from custos.community.tests.base import SpaceTestCase
from custos.test import TEST_PASSWORD

PUPIL2_ROW = f"{upn(50)},Alexandra,Moorcroft-Legal,Alexa,,8,02/01/2013"
WITHOUT_JAMIE = roster(PUPIL2_ROW, f"{upn(1)},Olivia,Smith,Liv,,7,14/03/2014")


class LeaverTests(SpaceTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.pupil2_record.upn = upn(50)  # the space's fixture UPN has the wrong DfE check letter
        cls.pupil2_record.save()

    def test_a57_a_pupil_marked_as_left_cannot_sign_in_and_their_open_session_ends(self) -> None:
        signed_in = self.client_for(self.pupil)
        self.assertEqual(signed_in.get(f"/spaces/{self.site.pk}/").status_code, 200)
        import_roster(self.school, WITHOUT_JAMIE, by=self.ict_manager, today=TODAY)
        self.pupil.refresh_from_db()
        self.assertFalse(self.pupil.is_active)
        self.assertEqual(signed_in.get(f"/spaces/{self.site.pk}/").status_code, 302)  # sent to sign in
        refused = Client().post("/account/login/", {"username": "pupil", "password": TEST_PASSWORD})
        self.assertContains(refused, "do not match an account")
        event = AuditEvent.objects.get(action="user.deactivated", object_id=str(self.pupil.pk))
        self.assertEqual(event.actor, self.ict_manager)
        self.assertIn("A.5.7", event.changes["reason"])

    def test_a26_a57_a_leavers_memberships_end_in_the_same_import_each_audited(self) -> None:
        import_roster(self.school, WITHOUT_JAMIE, by=self.ict_manager, today=TODAY)
        membership = self.membership(self.pupil)
        self.assertEqual(membership.status, MemberStatus.REMOVED)
        self.assertIn("no longer on the MIS roster", membership.status_reason)
        self.assertEqual(membership.status_changed_by, self.ict_manager)
        self.assertEqual(self.membership(self.pupil2).status, MemberStatus.ACTIVE)  # still on roll
        event = AuditEvent.objects.get(action="community.member_status", object_id=str(membership.pk))
        self.assertEqual(event.changes["to"], MemberStatus.REMOVED)
        self.assertEqual(AuditEvent.objects.get(action="roster.imported").changes["memberships_ended"], 1)

    def test_a57_staying_pupils_keep_their_account_and_memberships(self) -> None:
        import_roster(self.school, roster(PERSONA_ROW, PUPIL2_ROW), by=self.ict_manager, today=TODAY)
        self.assertTrue(User.objects.get(pk=self.pupil.pk).is_active)
        self.assertEqual(Membership.objects.filter(status=MemberStatus.ACTIVE, user__kind="pupil").count(), 2)

    def test_a57_a_returning_pupil_is_back_on_roll_but_their_account_stays_closed(self) -> None:
        import_roster(self.school, WITHOUT_JAMIE, by=self.ict_manager, today=TODAY)
        back = roster(PERSONA_ROW, PUPIL2_ROW, f"{upn(1)},Olivia,Smith,Liv,,7,14/03/2014")
        plan = preview_roster_import(self.school, back, today=TODAY)
        self.assertEqual([p.upn for p in plan.returning_without_account], ["A123456789012"])
        confirm_roster_import(self.school, back, digest=plan.digest, by=self.ict_manager, today=TODAY)
        self.pupil_record.refresh_from_db()
        self.assertTrue(self.pupil_record.on_roll)
        self.assertFalse(User.objects.get(pk=self.pupil.pk).is_active)
        self.assertEqual(self.membership(self.pupil).status, MemberStatus.REMOVED)

    def test_a57_an_earlier_leaver_whose_account_is_still_open_is_shown_and_closed(self) -> None:
        # Marked as left before leavers' accounts were closed: on_roll False, account still open.
        type(self.pupil_record).objects.filter(pk=self.pupil_record.pk).update(on_roll=False)
        plan = preview_roster_import(self.school, roster(PUPIL2_ROW), today=TODAY)
        self.assertEqual([p.pk for p in plan.open_accounts_of_earlier_leavers], [self.pupil_record.pk])
        self.assertEqual(plan.leavers, [])
        confirm_roster_import(self.school, roster(PUPIL2_ROW), digest=plan.digest, by=self.head, today=TODAY)
        self.assertFalse(User.objects.get(pk=self.pupil.pk).is_active)
        self.assertEqual(self.membership(self.pupil).status, MemberStatus.REMOVED)

    def test_a57_the_preview_closes_nobody(self) -> None:
        preview_roster_import(self.school, WITHOUT_JAMIE, today=TODAY)
        self.assertTrue(User.objects.get(pk=self.pupil.pk).is_active)
        self.assertEqual(self.membership(self.pupil).status, MemberStatus.ACTIVE)
