"""Reopening the closed account of a pupil back on roll (A.2.6, A.5.7, 3.1): the roster import closes a leaver's
account and, when they return, keeps it closed; the school's ICT Manager or Head reopens it from the roster page
after checking. Their places in spaces are not given back: they are invited and vetted again."""

import threading

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.accounts.actions import (
    AccountNotReopened,
    import_roster,
    reopen_pupil_account,
)
from custos.accounts.models import Kind, Pupil, Role, School, Trust, User
from custos.accounts.tests.test_roster import PERSONA_ROW, TODAY, roster, upn
from custos.accounts.tests.test_roster_leavers import PUPIL2_ROW, WITHOUT_JAMIE
from custos.audit.models import AuditEvent
from custos.community.models import MemberStatus
from custos.community.tests.base import SpaceTestCase
from custos.test import TEST_PASSWORD, CustosTransactionTestCase, give_role, make_user

BACK_ON_ROLL = roster(PERSONA_ROW, PUPIL2_ROW, f"{upn(1)},Olivia,Smith,Liv,,7,14/03/2014")


class ReopenAccountTests(SpaceTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.pupil2_record.upn = upn(50)  # the space's fixture UPN has the wrong DfE check letter
        cls.pupil2_record.save()

    def setUp(self) -> None:
        super().setUp()
        self.roster_url = f"/account/schools/{self.school.pk}/pupils/"
        self.reopen_url = f"{self.roster_url}{self.pupil_record.pk}/reopen/"

    def leave_and_return(self) -> None:
        import_roster(self.school, WITHOUT_JAMIE, by=self.ict_manager, today=TODAY)
        import_roster(self.school, BACK_ON_ROLL, by=self.ict_manager, today=TODAY)

    def is_active(self, user: User) -> bool:
        return User.objects.get(pk=user.pk).is_active

    # The action.

    def test_a57_reopening_a_returning_pupils_account_lets_them_sign_in_and_is_audited(self) -> None:
        self.leave_and_return()
        reopen_pupil_account(self.pupil_record, by=self.ict_manager)
        self.assertTrue(self.is_active(self.pupil))
        event = AuditEvent.objects.get(action="account.reopened", object_id=str(self.pupil.pk))
        self.assertEqual(event.actor, self.ict_manager)
        self.assertEqual(event.school_id, self.school.pk)
        self.assertEqual(event.changes, {"pupil": self.pupil_record.pk, "memberships_restored": False})
        signed_in = Client().post("/account/login/", {"username": "pupil", "password": TEST_PASSWORD})
        self.assertEqual(signed_in.status_code, 302)

    def test_a26_a57_reopening_does_not_give_back_places_in_spaces(self) -> None:
        self.leave_and_return()
        reopen_pupil_account(self.pupil_record, by=self.head)
        self.assertEqual(self.membership(self.pupil).status, MemberStatus.REMOVED)

    def test_a57_a_pupil_marked_as_left_is_refused_with_a_clear_message_and_nothing_changes(self) -> None:
        import_roster(self.school, WITHOUT_JAMIE, by=self.ict_manager, today=TODAY)
        with self.assertRaisesMessage(
            AccountNotReopened, "Jamie Rivers-Legal is marked as left: import a roster that includes them first"
        ):
            reopen_pupil_account(self.pupil_record, by=self.ict_manager)
        self.assertFalse(self.is_active(self.pupil))
        self.assertFalse(AuditEvent.objects.filter(action="account.reopened").exists())

    def test_a57_an_open_account_is_refused_as_already_open(self) -> None:
        with self.assertRaisesMessage(AccountNotReopened, "account is already open"):
            reopen_pupil_account(self.pupil_record, by=self.ict_manager)
        self.assertFalse(AuditEvent.objects.filter(action="account.reopened").exists())

    def test_a57_a_pupil_with_no_account_is_refused(self) -> None:
        import_roster(self.school, BACK_ON_ROLL, by=self.ict_manager, today=TODAY)
        lone = Pupil.objects.get(upn=upn(1))
        with self.assertRaisesMessage(AccountNotReopened, "has no pupil account to reopen"):
            reopen_pupil_account(lone, by=self.ict_manager)

    def test_3_1_the_second_of_two_reopenings_from_stale_pages_is_told_it_is_already_open(self) -> None:
        self.leave_and_return()
        first, second = Pupil.objects.get(pk=self.pupil_record.pk), Pupil.objects.get(pk=self.pupil_record.pk)
        reopen_pupil_account(first, by=self.ict_manager)
        with self.assertRaisesMessage(AccountNotReopened, "already open"):
            reopen_pupil_account(second, by=self.head)
        self.assertEqual(AuditEvent.objects.filter(action="account.reopened").count(), 1)

    # The roster page.

    def test_a57_the_ict_manager_sees_account_closed_and_a_reopen_button_with_the_spaces_warning(self) -> None:
        self.leave_and_return()
        page = self.client_for(self.ict_manager).get(self.roster_url)
        self.assertContains(page, "Account closed", count=1)
        self.assertContains(page, f'action="{self.reopen_url}"')
        self.assertContains(page, "Reopen account")
        self.assertContains(page, "csrfmiddlewaretoken")
        self.assertContains(page, "They will need to be invited to spaces again")

    def test_a57_no_closed_accounts_no_button_and_no_warning(self) -> None:
        page = self.client_for(self.head).get(self.roster_url)
        self.assertNotContains(page, "Account closed")
        self.assertNotContains(page, "Reopen account")
        self.assertNotContains(page, "They will need to be invited to spaces again")
        self.assertContains(page, '<th scope="col">Account</th>', html=False)

    def test_a57_a_teacher_sees_the_roster_without_account_column_or_button(self) -> None:
        self.leave_and_return()
        page = self.client_for(self.teacher).get(self.roster_url)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Account closed")
        self.assertNotContains(page, "Reopen account")

    def test_a57_the_roster_page_pins_its_query_count_whatever_the_number_of_closed_accounts(self) -> None:
        self.leave_and_return()
        client = self.client_for(self.ict_manager)
        client.get(self.roster_url)  # the session's first request does its one-off work
        with CaptureQueriesContext(connection) as one_closed:
            client.get(self.roster_url)
        for n in range(2, 7):
            user = make_user(f"returner{n}", school=self.school, kind=Kind.PUPIL, is_active=False)
            Pupil.objects.create(
                school=self.school, upn=upn(n), legal_first_name="Pupil", legal_last_name=f"Number{n}",
                year_group=7, date_of_birth=TODAY.replace(year=2014), user=user,
            )  # fmt: skip
        with self.assertNumQueries(len(one_closed)):
            page = client.get(self.roster_url)
        self.assertContains(page, "Account closed", count=6)

    def test_a57_reopening_from_the_page_says_so_and_keeps_the_year_filter(self) -> None:
        self.leave_and_return()
        response = self.client_for(self.ict_manager).post(self.reopen_url, {"year": "8"}, follow=True)
        self.assertRedirects(response, f"{self.roster_url}?year=8")
        self.assertContains(response, "account is open again")
        self.assertContains(response, "They will need to be invited to spaces again")
        self.assertTrue(self.is_active(self.pupil))

    def test_a57_reopening_a_leaver_from_the_page_shows_the_refusal_and_changes_nothing(self) -> None:
        import_roster(self.school, WITHOUT_JAMIE, by=self.ict_manager, today=TODAY)
        response = self.client_for(self.head).post(self.reopen_url, follow=True)
        self.assertContains(response, "is marked as left: import a roster that includes them first")
        self.assertFalse(self.is_active(self.pupil))

    def test_a57_reopening_only_takes_post(self) -> None:
        self.leave_and_return()
        self.assertEqual(self.client_for(self.ict_manager).get(self.reopen_url).status_code, 405)
        self.assertFalse(self.is_active(self.pupil))

    def test_a57_outsiders_cannot_reopen_an_account(self) -> None:
        self.leave_and_return()
        for persona in (self.teacher, self.dsl, self.outsider, self.pupil2, self.external):
            with self.subTest(persona=persona.username):
                self.assertIn(self.client_for(persona).post(self.reopen_url).status_code, (403, 404))
        self.assertFalse(self.is_active(self.pupil))

    def test_a57_another_schools_ict_manager_gets_403_and_a_pupil_of_another_school_404(self) -> None:
        self.leave_and_return()
        other_ict = make_user("other_ict", school=self.other_school)
        give_role(other_ict, Role.ICT_MANAGER, self.other_school)
        TOTPDevice.objects.create(user=other_ict, name="test", confirmed=True)  # their second factor, passed
        refused = self.client_for(other_ict).post(self.reopen_url)
        self.assertEqual(refused.status_code, 403, refused.get("Location"))
        elsewhere = f"/account/schools/{self.other_school.pk}/pupils/{self.pupil_record.pk}/reopen/"
        self.assertEqual(self.client_for(other_ict).post(elsewhere).status_code, 404)
        self.assertFalse(self.is_active(self.pupil))

    def test_a57_the_import_preview_links_returning_pupils_to_the_roster_page(self) -> None:
        import_roster(self.school, WITHOUT_JAMIE, by=self.ict_manager, today=TODAY)
        response = self.client_for(self.ict_manager).post(
            f"{self.roster_url}import/",
            {"file": SimpleUploadedFile("roster.csv", BACK_ON_ROLL, content_type="text/csv")},
        )
        self.assertContains(response, f'href="{self.roster_url}#closed-accounts"')
        self.assertContains(response, "the ICT Manager can reactivate it")


class ReopenRaceTests(CustosTransactionTestCase):
    def test_3_1_two_people_reopening_at_once_exactly_one_does_it(self) -> None:
        trust = Trust.objects.create(name="Trust")
        school = School.objects.create(trust=trust, name="Oak", urn="100001", website="https://oak.example/")
        ict = make_user("ict", school=school)
        give_role(ict, Role.ICT_MANAGER, school)
        head = make_user("head2", school=school)
        give_role(head, Role.HEAD_OF_SCHOOL, school)
        user = make_user("returner", school=school, kind=Kind.PUPIL)
        User.objects.filter(pk=user.pk).update(is_active=False)
        pupil = Pupil.objects.create(
            school=school, upn=upn(1), legal_first_name="Liv", legal_last_name="Smith",
            year_group=7, date_of_birth=TODAY.replace(year=2014), user=user,
        )  # fmt: skip
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def reopen(by: User) -> None:
            try:
                barrier.wait()
                reopen_pupil_account(pupil, by=by)
                outcomes.append("reopened")
            except AccountNotReopened as exc:
                outcomes.append("already open" if "already open" in str(exc) else str(exc))
            finally:
                connection.close()

        threads = [threading.Thread(target=reopen, args=(by,)) for by in (ict, head)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sorted(outcomes), ["already open", "reopened"])
        self.assertTrue(User.objects.get(pk=user.pk).is_active)
        self.assertEqual(AuditEvent.objects.filter(action="account.reopened").count(), 1)
