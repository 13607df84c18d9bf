"""The Trust's people: staff types from clause 2.1, roles with dates, absences, family links."""

import datetime as dt

from django.db import IntegrityError, transaction

from custos.accounts.actions import assign_role, record_absence
from custos.accounts.models import Absence, FamilyLink, Role, StaffType
from custos.audit.models import AuditEvent
from custos.test import CustosTestCase, make_user


class PeopleTests(CustosTestCase):
    def test_21_every_kind_of_staff_member_can_be_recorded(self) -> None:
        expected = {"teaching", "support", "governor", "contractor", "trainee", "volunteer", "other"}
        self.assertEqual({value for value, _ in StaffType.choices}, expected)
        for value in expected:
            person = make_user(f"person-{value}", school=self.school, staff_type=value)
            self.assertEqual(person.get_staff_type_display(), StaffType(value).label)

    def test_a_role_has_start_and_end_dates_and_is_audited(self) -> None:
        today = self.today()
        assignment = assign_role(
            self.teacher,
            Role.DEPUTY_DSL,
            school=self.school,
            starts_on=today,
            ends_on=today + dt.timedelta(days=30),
            by=self.head,
        )
        self.assertIn(Role.DEPUTY_DSL, self.teacher.roles_at(self.school))
        self.assertNotIn(Role.DEPUTY_DSL, self.teacher.roles_at(self.school, on=today + dt.timedelta(days=31)))
        self.assertTrue(AuditEvent.objects.filter(action="role.assigned", object_id=str(assignment.pk)).exists())

    def test_a_role_cannot_end_before_it_starts(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            assign_role(
                self.teacher,
                Role.HR,
                school=self.school,
                starts_on=dt.date(2026, 5, 1),
                ends_on=dt.date(2026, 4, 1),
                by=None,
            )

    def test_trust_wide_roles_count_at_every_school(self) -> None:
        self.assertIn(Role.EXECUTIVE_HEADTEACHER, self.exec_head.roles_at(self.other_school))

    def test_absences_are_recorded_for_moderation_cover(self) -> None:
        record_absence(
            self.moderator,
            starts_on=dt.date(2026, 12, 1),
            ends_on=dt.date(2026, 12, 5),
            reason="Leave",
            by=self.head,
        )
        self.assertEqual(Absence.objects.get().user, self.moderator)

    def test_family_links_join_a_member_of_staff_and_a_pupil_once(self) -> None:
        FamilyLink.objects.create(staff=self.teacher, pupil=self.pupil_record, relationship="aunt")
        with self.assertRaises(IntegrityError), transaction.atomic():
            FamilyLink.objects.create(staff=self.teacher, pupil=self.pupil_record, relationship="aunt")
