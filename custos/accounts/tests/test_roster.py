"""The pupil roster, imported from the MIS export: all or nothing, every bad row reported by line."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from custos.accounts.actions import import_roster
from custos.accounts.models import Pupil
from custos.accounts.roster import upn_check_letter
from custos.audit.models import AuditEvent
from custos.test import CustosTestCase

HEADER = "UPN,Legal Forename,Legal Surname,Preferred Forename,Preferred Surname,Year,DOB"
TODAY = dt.date(2026, 11, 23)


def upn(serial: int) -> str:
    body = f"87312342{serial:04d}"
    return upn_check_letter(body) + body


def roster(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


GOOD = roster(
    f"{upn(1)},Olivia,Smith,Liv,,7,14/03/2014",
    f"{upn(2)},Mohammed,Khan,,,Year 8,2013-01-30",
    f"{upn(3)},Zofia,Nowak,,,R,01/02/2021",
)


class RosterImportTests(CustosTestCase):
    def test_a_good_file_adds_every_pupil_and_is_audited(self) -> None:
        report = import_roster(self.school, GOOD, by=self.ict_manager, today=TODAY)
        self.assertTrue(report.ok)
        self.assertEqual(report.added, 3)
        liv = Pupil.objects.get(upn=upn(1))
        self.assertEqual((liv.known_as, liv.legal_name, liv.year_group), ("Liv Smith", "Olivia Smith", 7))
        self.assertEqual(Pupil.objects.get(upn=upn(3)).year_group, 0)
        self.assertTrue(AuditEvent.objects.filter(action="roster.imported", actor=self.ict_manager).exists())

    def test_a_file_with_any_bad_row_changes_nothing_and_names_every_bad_line(self) -> None:
        import_roster(self.school, GOOD, by=self.ict_manager, today=TODAY)
        before = list(Pupil.objects.order_by("pk").values())
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
        report = import_roster(self.school, bad, by=self.ict_manager, today=TODAY)
        self.assertFalse(report.ok)
        lines = dict(report.errors)
        self.assertEqual(sorted(lines), [3, 4, 5, 6, 7, 9])
        self.assertIn("Legal Surname is missing", lines[3])
        self.assertIn("wrong check letter", lines[4])
        self.assertIn("not a date", lines[5])
        self.assertIn("not a year group", lines[6])
        self.assertIn("age of", lines[7])
        self.assertIn("also on line 8", lines[9])
        self.assertEqual(list(Pupil.objects.order_by("pk").values()), before)

    def test_missing_columns_and_binary_files_are_reported_not_crashed_on(self) -> None:
        self.assertIn(
            "lacks the column(s): Dob",
            import_roster(self.school, b"UPN,Legal Forename,Legal Surname,Year\n", by=None, today=TODAY).errors[0][1],
        )
        self.assertIn("not text", import_roster(self.school, b"\x00\xff\xfe\x00PNG", by=None, today=TODAY).errors[0][1])
        self.assertIn("empty", import_roster(self.school, b"", by=None, today=TODAY).errors[0][1])
        self.assertEqual(Pupil.objects.filter(school=self.school).count(), 1)

    def test_pupils_missing_from_a_new_export_are_marked_as_left_not_deleted(self) -> None:
        import_roster(self.school, GOOD, by=self.ict_manager, today=TODAY)
        report = import_roster(
            self.school, roster(f"{upn(1)},Olivia,Smith,Liv,,7,14/03/2014"), by=self.ict_manager, today=TODAY
        )
        self.assertEqual((report.unchanged, report.left), (1, 2))  # the persona pupil left at the first import
        self.assertFalse(Pupil.objects.get(upn=upn(2)).on_roll)

    def test_import_page_shows_every_problem_and_saves_nothing(self) -> None:
        client = self.client_for(self.ict_manager)
        upload = SimpleUploadedFile("roster.csv", roster(f"{upn(1)},Olivia,,,,7,14/03/2014"), content_type="text/csv")
        response = client.post(f"/account/schools/{self.school.pk}/pupils/import/", {"file": upload})
        self.assertContains(response, "Nothing was imported")
        self.assertContains(response, "Line 2: Legal Surname is missing")
        self.assertFalse(Pupil.objects.filter(upn=upn(1)).exists())

    def test_teacher_cannot_import_a_roster(self) -> None:
        response = self.client_for(self.teacher).get(f"/account/schools/{self.school.pk}/pupils/import/")
        self.assertEqual(response.status_code, 403)


class LegalNameTests(CustosTestCase):
    def test_teacher_sees_the_preferred_name_and_never_the_legal_name(self) -> None:
        page = self.client_for(self.teacher).get(f"/account/schools/{self.school.pk}/pupils/")
        self.assertContains(page, "Jamie Rivers-Legal")
        self.assertNotContains(page, "Jameson")
        self.assertNotContains(page, "14/03/2013")

    def test_dsl_sees_the_legal_name_and_date_of_birth(self) -> None:
        page = self.client_for(self.dsl).get(f"/account/schools/{self.school.pk}/pupils/")
        self.assertContains(page, "Jameson Rivers-Legal")
        self.assertContains(page, "14/03/2013")
