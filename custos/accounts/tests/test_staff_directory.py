"""The staff directory (issue 15, item 3, first part): add a member of staff of any 2.1 type and invite them by a
one-time link by email; two people inviting the same address at once: one wins, the other is told."""

from __future__ import annotations

import re
import threading

from django.db import connection
from django.test import Client
from django.urls import reverse

from custos.accounts.links import NotInvited, invite_staff_member
from custos.accounts.models import Kind, School, StaffType, Trust, User
from custos.audit.models import AuditEvent
from custos.mail.models import Email
from custos.test import CustosTestCase, CustosTransactionTestCase, make_user


class StaffDirectoryTests(CustosTestCase):
    def url(self) -> str:
        return reverse("staff_directory", args=[self.school.pk])

    def invite(self, client: Client, **fields: str):
        data = {
            "first_name": "Nia",
            "last_name": "Newstart",
            "email": "Nia.Newstart@oakfield.example",
            "staff_type": StaffType.TEACHING,
            "job_title": "Teacher of Music",
            **fields,
        }
        return client.post(self.url(), data)

    def test_the_directory_lists_the_schools_staff_with_type_and_roles(self) -> None:
        page = self.client_for(self.ict_manager).get(self.url())
        self.assertContains(page, "Contractor Persona")
        self.assertContains(page, "External contractor")
        self.assertContains(page, "Designated Safeguarding Lead")
        self.assertNotContains(page, "Outsider Persona")

    def test_only_the_ict_manager_head_and_hr_may_open_it(self) -> None:
        for user in (self.ict_manager, self.head, self.hr):
            with self.subTest(user=user.username):
                self.assertEqual(self.client_for(user).get(self.url()).status_code, 200)
        for user in (self.teacher, self.dsl, self.outsider, self.pupil, self.external):
            with self.subTest(user=user.username):
                self.assertEqual(self.client_for(user).get(self.url()).status_code, 403)

    def test_adding_a_person_invites_them_by_a_one_time_link_by_email(self) -> None:
        response = self.invite(self.client_for(self.ict_manager))
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        person = User.objects.get(email="nia.newstart@oakfield.example")
        self.assertEqual((person.kind, person.staff_type, person.school), (Kind.STAFF, StaffType.TEACHING, self.school))
        self.assertFalse(person.has_usable_password())
        self.assertTrue(AuditEvent.objects.filter(action="user.created", object_id=str(person.pk)).exists())
        mail = Email.objects.get(to="nia.newstart@oakfield.example")
        link = re.search(r"/account/welcome/[^/\s]+/", mail.body)
        assert link is not None
        browser = Client()
        password = {"new_password1": "violin meadow thunder", "new_password2": "violin meadow thunder"}
        self.assertRedirects(browser.post(link.group(0), password), "/", fetch_redirect_response=False)
        person.refresh_from_db()
        self.assertTrue(person.check_password("violin meadow thunder"))
        self.assertEqual(Client().get(link.group(0)).status_code, 410)

    def test_21_every_staff_type_can_be_invited(self) -> None:
        client = self.client_for(self.head)
        for n, (value, _) in enumerate(StaffType.choices):
            with self.subTest(staff_type=value):
                self.invite(client, email=f"person{n}@oakfield.example", staff_type=value)
                self.assertEqual(User.objects.get(email=f"person{n}@oakfield.example").staff_type, value)

    def test_an_address_that_already_has_an_account_is_refused_plainly(self) -> None:
        before = User.objects.count()
        response = self.invite(self.client_for(self.ict_manager), email=self.teacher.email.upper())
        self.assertContains(response, "already has a Custos account: nothing changed", status_code=400)
        self.assertEqual(User.objects.count(), before)
        self.assertFalse(Email.objects.exists())

    def test_bad_input_is_named_and_nothing_is_added(self) -> None:
        before = User.objects.count()
        response = self.invite(self.client_for(self.ict_manager), email="not an address", staff_type="wizard")
        self.assertContains(response, "Enter a valid email address", status_code=400)
        self.assertContains(response, "Select a valid choice", status_code=400)
        self.assertEqual(User.objects.count(), before)


class InviteRaceTests(CustosTransactionTestCase):
    def test_two_people_inviting_the_same_address_at_once_one_wins_the_other_is_told(self) -> None:
        trust = Trust.objects.create(name="Race Trust")
        school = School.objects.create(trust=trust, name="Race School", urn="300002", website="https://race.example/")
        inviters = [make_user("ict_one", school=school), make_user("ict_two", school=school)]
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def invite(by: User) -> None:
            try:
                barrier.wait()
                invite_staff_member(
                    school, first_name="Sam", last_name="Same", email="sam.same@race.example",
                    staff_type=StaffType.SUPPORT, job_title="", by=by,
                )  # fmt: skip
                outcomes.append("invited")
            except NotInvited as refused:
                outcomes.append(str(refused))
            finally:
                connection.close()

        threads = [threading.Thread(target=invite, args=(by,)) for by in inviters]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sorted(o == "invited" for o in outcomes), [False, True], outcomes)
        self.assertEqual(User.objects.filter(email="sam.same@race.example").count(), 1)
        self.assertEqual(Email.objects.filter(to="sam.same@race.example").count(), 1)
