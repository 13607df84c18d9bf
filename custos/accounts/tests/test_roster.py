"""The pupil roster, imported from the MIS export (3.1, 3.2: pupils' records are confidential and kept accurate):
previewed first, applied only when confirmed, all or nothing, every problem on every bad line reported."""

import datetime as dt

from custos.accounts.actions import RosterChanged, confirm_roster_import, import_roster, preview_roster_import
from custos.accounts.models import Pupil, User
from custos.accounts.roster import upn_check_letter
from custos.audit.models import AuditEvent
from custos.test import CustosTestCase

HEADER = "UPN,Legal Forename,Legal Surname,Preferred Forename,Preferred Surname,Year,DOB"
TODAY = dt.date(2026, 11, 23)
PERSONA_ROW = "A123456789012,Jameson,Rivers-Legal,Jamie,,8,14/03/2013"  # the persona pupil, kept on roll


def upn(serial: int) -> str:
    body = f"87312342{serial:04d}"
    return upn_check_letter(body) + body


def roster(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


GOOD = roster(
    PERSONA_ROW,
    f"{upn(1)},Olivia,Smith,Liv,,7,14/03/2014",
    f"{upn(2)},Mohammed,Khan,,,Year 8,2013-01-30",
    f"{upn(3)},Zofia,Nowak,,,R,01/02/2021",
)


def snapshot() -> tuple[list[dict[str, object]], list[tuple[int, bool]], int]:
    """The roster, who may sign in, and the audit log's changes (signing in to look is not a change)."""
    return (
        list(Pupil.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values_list("pk", "is_active")),
        AuditEvent.objects.exclude(action="user.signed_in").count(),
    )


class RosterImportTests(CustosTestCase):
    def test_3_1_a_good_file_adds_every_pupil_and_is_audited_with_its_fingerprint(self) -> None:
        plan = import_roster(self.school, GOOD, by=self.ict_manager, today=TODAY)
        self.assertTrue(plan.ok)
        self.assertEqual((len(plan.added), plan.unchanged, len(plan.leavers)), (3, 1, 0))
        liv = Pupil.objects.get(upn=upn(1))
        self.assertEqual((liv.known_as, liv.legal_name, liv.year_group), ("Liv Smith", "Olivia Smith", 7))
        self.assertEqual(Pupil.objects.get(upn=upn(3)).year_group, 0)
        event = AuditEvent.objects.get(action="roster.imported", actor=self.ict_manager)
        self.assertEqual(event.changes["file_sha256"], plan.file_sha256)
        self.assertEqual(event.changes["added"], 3)

    def test_3_2_a_file_with_any_bad_row_changes_nothing_and_names_every_bad_line(self) -> None:
        import_roster(self.school, GOOD, by=self.ict_manager, today=TODAY)
        before = snapshot()
        bad = roster(
            f"{upn(1)},Olivia,Smith-Jones,Liv,,7,14/03/2014",  # a good change, which must not be saved
            f"{upn(4)},Ben,,,,7,01/01/2014",
            f"B{upn(5)[1:]},Ada,Lovelace,,,7,01/01/2014",
            f"{upn(6)},Cy,Young,,,7,31/02/2014",
            f"{upn(7)},Di,Prince,,,Year 15,01/01/2014",
            f"{upn(8)},Ed,Old,,,7,01/01/1980",
            f"{upn(2)},Mohammed,Khan,,,8,2013-01-30",
            f"{upn(2)},Second,Copy,,,8,2013-01-30",
        )
        plan = import_roster(self.school, bad, by=self.ict_manager, today=TODAY)
        self.assertFalse(plan.ok)
        lines = dict(plan.errors)
        self.assertEqual(sorted(lines), [3, 4, 5, 6, 7, 9])
        self.assertIn("Legal Surname is missing", lines[3])
        self.assertIn("wrong check letter", lines[4])
        self.assertIn("not a date", lines[5])
        self.assertIn("not a year group", lines[6])
        self.assertIn("age of", lines[7])
        self.assertIn("also on line 8", lines[9])
        self.assertEqual(snapshot(), before)

    def test_3_2_every_problem_on_a_line_is_reported_not_only_the_first(self) -> None:
        plan = preview_roster_import(
            self.school,
            roster(f"{upn(1)},,Sm1th,,,Year 20,31/02/2014", f"{upn(1)},Ann,Lee,,,7,01/01/2014"),
            today=TODAY,
        )
        [(line, problems), (second, duplicate)] = plan.problems_by_line
        self.assertEqual(line, 2)
        self.assertEqual(len(problems), 4, problems)
        self.assertIn("Legal Forename is missing", problems[0])
        self.assertIn("Legal Surname “Sm1th” is not a name", problems[1])
        self.assertIn("not a year group", problems[2])
        self.assertIn("not a date", problems[3])
        self.assertEqual((second, duplicate), (3, [f"UPN {upn(1)} is also on line 2"]))

    def test_3_2_missing_columns_and_binary_files_are_reported_not_crashed_on(self) -> None:
        self.assertIn(
            "lacks the column(s): Dob",
            preview_roster_import(self.school, b"UPN,Legal Forename,Legal Surname,Year\n", today=TODAY).errors[0][1],
        )
        self.assertIn("not text", preview_roster_import(self.school, b"\x00\xff\xfe\x00PNG", today=TODAY).errors[0][1])
        self.assertIn("empty", preview_roster_import(self.school, b"", today=TODAY).errors[0][1])
        self.assertEqual(Pupil.objects.filter(school=self.school).count(), 1)

    def test_3_1_pupils_missing_from_a_new_export_are_marked_as_left_not_deleted(self) -> None:
        import_roster(self.school, GOOD, by=self.ict_manager, today=TODAY)
        plan = import_roster(
            self.school,
            roster(PERSONA_ROW, f"{upn(1)},Olivia,Smith,Liv,,7,14/03/2014"),
            by=self.ict_manager,
            today=TODAY,
        )
        self.assertEqual((plan.unchanged, len(plan.leavers)), (2, 2))
        self.assertFalse(Pupil.objects.get(upn=upn(2)).on_roll)
        self.assertEqual(Pupil.objects.filter(school=self.school).count(), 4)


class RosterPreviewTests(CustosTestCase):
    """The preview writes nothing; the confirmation applies exactly what was previewed, or nothing (3.1)."""

    def setUp(self) -> None:
        super().setUp()
        import_roster(self.school, GOOD, by=self.ict_manager, today=TODAY)

    def test_3_1_the_preview_writes_nothing_and_says_what_would_change(self) -> None:
        before = snapshot()
        plan = preview_roster_import(
            self.school,
            roster(f"{upn(1)},Olivia,Smith,Olly,,7,14/03/2014", f"{upn(9)},New,Pupil,,,7,01/01/2014"),
            today=TODAY,
        )
        self.assertEqual(snapshot(), before)
        self.assertEqual([p.upn for p in plan.added], [upn(9)])
        self.assertEqual([p.known_as for p in plan.updated], ["Olly Smith"])
        self.assertEqual(sorted(p.upn for p in plan.leavers), sorted(["A123456789012", upn(2), upn(3)]))
        self.assertEqual((plan.unchanged, plan.on_roll_before), (0, 4))
        self.assertTrue(plan.many_leaving)  # 3 of 4 on roll: more than a quarter

    def test_3_1_confirming_applies_exactly_the_preview(self) -> None:
        data = roster(PERSONA_ROW, f"{upn(1)},Olivia,Smith,Olly,,7,14/03/2014", f"{upn(9)},New,Pupil,,,7,01/01/2014")
        preview = preview_roster_import(self.school, data, today=TODAY)
        applied = confirm_roster_import(self.school, data, digest=preview.digest, by=self.ict_manager, today=TODAY)
        self.assertEqual(applied.digest, preview.digest)
        self.assertEqual(
            set(Pupil.objects.filter(school=self.school, on_roll=True).values_list("upn", flat=True)),
            {"A123456789012", upn(1), upn(9)},
        )
        self.assertEqual(Pupil.objects.get(upn=upn(1)).preferred_first_name, "Olly")
        self.assertEqual(set(Pupil.objects.filter(on_roll=False).values_list("upn", flat=True)), {upn(2), upn(3)})

    def test_3_1_a_roster_changed_after_the_preview_is_refused_and_nothing_changes(self) -> None:
        data = roster(PERSONA_ROW, f"{upn(1)},Olivia,Smith,,,7,14/03/2014")
        preview = preview_roster_import(self.school, data, today=TODAY)
        # Meanwhile someone else imports a file that adds a pupil.
        import_roster(self.school, roster(*GOOD.decode().splitlines()[1:], f"{upn(9)},New,Pupil,,,7,01/01/2014"),
                      by=self.head, today=TODAY)  # fmt: skip
        before = snapshot()
        with self.assertRaisesMessage(RosterChanged, "changed after your preview"):
            confirm_roster_import(self.school, data, digest=preview.digest, by=self.ict_manager, today=TODAY)
        self.assertEqual(snapshot(), before)

    def test_3_1_of_two_people_confirming_the_same_import_exactly_one_wins(self) -> None:
        data = roster(PERSONA_ROW, f"{upn(9)},New,Pupil,,,7,01/01/2014")
        first = preview_roster_import(self.school, data, today=TODAY)
        second = preview_roster_import(self.school, data, today=TODAY)
        confirm_roster_import(self.school, data, digest=first.digest, by=self.ict_manager, today=TODAY)
        before = snapshot()
        with self.assertRaises(RosterChanged):
            confirm_roster_import(self.school, data, digest=second.digest, by=self.head, today=TODAY)
        self.assertEqual(snapshot(), before)
        self.assertEqual(Pupil.objects.filter(upn=upn(9)).count(), 1)

    def test_3_1_another_file_than_the_previewed_one_is_refused(self) -> None:
        preview = preview_roster_import(self.school, GOOD, today=TODAY)
        before = snapshot()
        with self.assertRaises(RosterChanged):
            confirm_roster_import(self.school, roster(PERSONA_ROW), digest=preview.digest, by=self.head, today=TODAY)
        self.assertEqual(snapshot(), before)


class LegalNameTests(CustosTestCase):
    """3.2: only the roles that deal with pupils' records and welfare see legal names and dates of birth."""

    def test_teacher_sees_the_preferred_name_and_never_the_legal_name(self) -> None:
        page = self.client_for(self.teacher).get(f"/account/schools/{self.school.pk}/pupils/")
        self.assertContains(page, "Jamie Rivers-Legal")
        self.assertNotContains(page, "Jameson")
        self.assertNotContains(page, "14/03/2013")

    def test_dsl_sees_the_legal_name_and_date_of_birth(self) -> None:
        page = self.client_for(self.dsl).get(f"/account/schools/{self.school.pk}/pupils/")
        self.assertContains(page, "Jameson Rivers-Legal")
        self.assertContains(page, "14/03/2013")
