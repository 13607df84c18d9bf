"""The roles page (issue 15, item 4): who holds each role at a school with dates; assigning and ending roles,
audited; a school always keeps an ICT Manager, a Head (A.3.2) and a DSL (A.2.3); a new privileged role needs the
second factor from the person's next request."""

from __future__ import annotations

import datetime as dt
import threading

from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from custos.accounts.actions import RoleNotChanged, end_role
from custos.accounts.models import Role, RoleAssignment, School, Trust
from custos.audit.models import AuditEvent
from custos.test import CustosTestCase, CustosTransactionTestCase, give_role, make_user


def flashed(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


class RolesPageTests(CustosTestCase):
    def url(self, school=None) -> str:
        return reverse("school_roles", args=[(school or self.school).pk])

    def assignment(self, user, role) -> RoleAssignment:
        return RoleAssignment.objects.get(user=user, role=role, school=self.school)

    def test_the_page_shows_who_holds_each_role_with_dates(self) -> None:
        page = self.client_for(self.ict_manager).get(self.url())
        self.assertContains(page, "Designated Safeguarding Lead")
        self.assertContains(page, str(self.dsl))
        self.assertContains(page, "01/01/2020")
        self.assertContains(page, str(self.exec_head))  # Trust-wide roles count here too
        self.assertContains(page, "(across the Trust)")

    def test_21_the_page_lists_staff_by_their_21_staff_type(self) -> None:
        page = self.client_for(self.head).get(self.url())
        self.assertContains(page, "Staff by type (2.1)")
        self.assertContains(page, "External contractor: Contractor Persona")

    def test_only_the_ict_manager_head_and_executive_head_may_open_it(self) -> None:
        for user in (self.ict_manager, self.head, self.exec_head):
            with self.subTest(user=user.username):
                self.assertEqual(self.client_for(user).get(self.url()).status_code, 200)
        for user in (self.teacher, self.dsl, self.hr, self.outsider, self.pupil):
            with self.subTest(user=user.username):
                self.assertEqual(self.client_for(user).get(self.url()).status_code, 403)
        self.assertEqual(self.client_for(self.ict_manager).get(self.url(self.other_school)).status_code, 403)

    def test_assigning_a_role_is_audited_and_shown(self) -> None:
        today = self.today()
        response = self.client_for(self.head).post(
            self.url(),
            {"action": "assign", "person": self.teacher.pk, "role": Role.DEPUTY_DSL, "starts_on": today.isoformat()},
        )
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        self.assertIn("is now Deputy Designated Safeguarding Lead", flashed(response))
        assignment = self.assignment(self.teacher, Role.DEPUTY_DSL)
        event = AuditEvent.objects.get(action="role.assigned", object_id=str(assignment.pk))
        self.assertEqual(event.actor, self.head)

    def test_a_new_privileged_role_needs_the_second_factor_from_the_next_request(self) -> None:
        teacher = self.client_for(self.teacher)
        self.assertEqual(teacher.get("/").status_code, 200)
        self.client_for(self.ict_manager).post(
            self.url(),
            {"action": "assign", "person": self.teacher.pk, "role": Role.DSL, "starts_on": self.today().isoformat()},
        )
        response = teacher.get("/")
        self.assertRedirects(response, f"{reverse('two_factor')}?next=/", fetch_redirect_response=False)

    def test_nobody_assigns_a_role_to_themselves(self) -> None:
        response = self.client_for(self.ict_manager).post(
            self.url(),
            {
                "action": "assign",
                "person": self.ict_manager.pk,
                "role": Role.HEAD_OF_SCHOOL,
                "starts_on": self.today().isoformat(),
            },
        )
        self.assertContains(response, "nobody assigns a role to themselves", status_code=400)
        self.assertNotIn(Role.HEAD_OF_SCHOOL, self.ict_manager.roles_at(self.school))

    def test_bad_input_is_named_and_changes_nothing(self) -> None:
        before = RoleAssignment.objects.count()
        client = self.client_for(self.head)
        yesterday = (self.today() - dt.timedelta(days=1)).isoformat()
        for data, said in (
            ({"person": self.teacher.pk, "role": Role.DSL, "starts_on": yesterday}, "cannot be given for days already"),
            ({"person": self.teacher.pk, "role": "superuser", "starts_on": self.today()}, "Select a valid choice"),
            ({"person": self.outsider.pk, "role": Role.DSL, "starts_on": self.today()}, "Select a valid choice"),
            ({"person": "x", "role": Role.DSL, "starts_on": "31/02/2026"}, "Enter a valid date"),
            (
                {"person": self.teacher.pk, "role": Role.DSL, "starts_on": self.today(), "ends_on": yesterday},
                "on or after the first day",
            ),
        ):
            with self.subTest(said=said):
                response = client.post(self.url(), {"action": "assign", **data})
                self.assertContains(response, said, status_code=400)
        self.assertEqual(RoleAssignment.objects.count(), before)

    def test_assigning_a_role_someone_already_holds_says_so(self) -> None:
        response = self.client_for(self.head).post(
            self.url(),
            {"action": "assign", "person": self.dsl.pk, "role": Role.DSL, "starts_on": self.today().isoformat()},
        )
        self.assertIn("is already Designated Safeguarding Lead", flashed(response))
        self.assertEqual(RoleAssignment.objects.filter(user=self.dsl, role=Role.DSL).count(), 1)

    def test_ending_a_role_keeps_it_until_the_last_day_and_is_audited(self) -> None:
        assignment = self.assignment(self.pastoral, Role.AHT_PASTORAL)
        last_day = self.today() + dt.timedelta(days=3)
        response = self.client_for(self.head).post(
            self.url(), {"action": "end", "assignment": assignment.pk, "last_day": last_day.isoformat()}
        )
        self.assertIn(f"stops being Assistant Head Teacher – Pastoral after {last_day:%d/%m/%Y}", flashed(response))
        self.assertIn(Role.AHT_PASTORAL, self.pastoral.roles_at(self.school, on=last_day))
        self.assertNotIn(Role.AHT_PASTORAL, self.pastoral.roles_at(self.school, on=last_day + dt.timedelta(days=1)))
        self.assertTrue(AuditEvent.objects.filter(action="role.ended", object_id=str(assignment.pk)).exists())

    def test_a32_the_last_ict_manager_and_head_cannot_be_removed(self) -> None:
        for user, role in ((self.ict_manager, Role.ICT_MANAGER), (self.head, Role.HEAD_OF_SCHOOL)):
            assignment = self.assignment(user, role)
            response = self.client_for(self.exec_head).post(
                self.url(), {"action": "end", "assignment": assignment.pk, "last_day": self.today().isoformat()}
            )
            with self.subTest(role=role):
                self.assertIn("a school always keeps one (A.3.2)", flashed(response))
                assignment.refresh_from_db()
                self.assertIsNone(assignment.ends_on)

    def test_a23_the_last_dsl_cannot_be_removed_but_can_once_another_is_assigned(self) -> None:
        assignment = self.assignment(self.dsl, Role.DSL)
        client = self.client_for(self.head)
        end = {"action": "end", "assignment": assignment.pk, "last_day": self.today().isoformat()}
        response = client.post(self.url(), end)
        self.assertIn("is the only Designated Safeguarding Lead at Oakfield Academy", flashed(response))
        self.assertIn("(A.2.3)", flashed(response))
        client.post(
            self.url(),
            {"action": "assign", "person": self.deputy_dsl.pk, "role": Role.DSL, "starts_on": self.today().isoformat()},
        )
        response = client.post(self.url(), end)
        self.assertIn("stops being Designated Safeguarding Lead", flashed(response))

    def test_a_role_at_another_school_cannot_be_ended_from_this_page(self) -> None:
        elsewhere = make_user("elsewhere_head", school=self.other_school)
        give_role(elsewhere, Role.AHT_PASTORAL, self.other_school)
        assignment = RoleAssignment.objects.get(user=elsewhere)
        response = self.client_for(self.head).post(
            self.url(), {"action": "end", "assignment": assignment.pk, "last_day": self.today().isoformat()}
        )
        self.assertEqual(response.status_code, 404)
        assignment.refresh_from_db()
        self.assertIsNone(assignment.ends_on)

    def test_a_role_cannot_be_ended_in_the_past(self) -> None:
        assignment = self.assignment(self.pastoral, Role.AHT_PASTORAL)
        response = self.client_for(self.head).post(
            self.url(),
            {"action": "end", "assignment": assignment.pk, "last_day": (self.today() - dt.timedelta(days=1))},
        )
        self.assertContains(response, "a role cannot end in the past", status_code=400)

    def test_the_roles_page_makes_as_many_queries_for_many_holders_as_for_few(self) -> None:
        client = self.client_for(self.head)
        client.get(self.url())
        with CaptureQueriesContext(connection) as few:
            client.get(self.url())
        for n in range(5):
            give_role(make_user(f"deputy{n}", school=self.school), Role.DEPUTY_DSL, self.school)
        with CaptureQueriesContext(connection) as many:
            client.get(self.url())
        self.assertEqual(len(few), len(many))


class LastDslRaceTests(CustosTransactionTestCase):
    """Two people ending the school's two DSLs at the same moment: one wins, the other is told (A.2.3)."""

    def test_a23_two_people_ending_the_last_two_dsls_at_once_leave_one(self) -> None:
        trust = Trust.objects.create(name="Race Trust")
        school = School.objects.create(trust=trust, name="Race School", urn="300001", website="https://race.example/")
        first, second = make_user("dsl_one", school=school), make_user("dsl_two", school=school)
        head = make_user("race_head", school=school)
        give_role(first, Role.DSL, school)
        give_role(second, Role.DSL, school)
        assignments = list(RoleAssignment.objects.filter(school=school, role=Role.DSL))
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def end(assignment: RoleAssignment) -> None:
            try:
                barrier.wait()
                end_role(assignment, last_day=timezone.localdate(), by=head)
                outcomes.append("ended")
            except RoleNotChanged as refused:
                outcomes.append(str(refused))
            finally:
                connection.close()

        threads = [threading.Thread(target=end, args=(a,)) for a in assignments]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sorted(o == "ended" for o in outcomes), [False, True], outcomes)
        self.assertTrue(any("is the only Designated Safeguarding Lead" in o for o in outcomes))
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        self.assertEqual(RoleAssignment.objects.current(tomorrow).filter(school=school, role=Role.DSL).count(), 1)
