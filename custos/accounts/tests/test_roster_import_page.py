"""The roster import page (3.1, 3.2, A.5.7): upload, see what would change, confirm. Nothing is written before the
confirmation; the confirmation applies exactly the preview, or nothing if the roster changed meanwhile."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from custos.accounts.actions import import_roster
from custos.accounts.models import Pupil, User
from custos.accounts.tests.test_roster import PERSONA_ROW, roster, snapshot, upn
from custos.test import CustosTestCase

MANY = roster(PERSONA_ROW, *(f"{upn(n)},Pupil,Number{chr(64 + n)},,,7,01/01/2014" for n in range(1, 9)))


class RosterImportPageTests(CustosTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_roster(self.school, MANY, by=self.ict_manager)
        self.url = f"/account/schools/{self.school.pk}/pupils/import/"

    def upload(self, client: Client, data: bytes) -> Any:
        return client.post(self.url, {"file": SimpleUploadedFile("roster.csv", data, content_type="text/csv")})

    def confirm(self, client: Client, response: object, **extra: str) -> Any:
        return client.post(self.url, {"digest": response.context["plan"].digest, **extra})

    def test_3_1_uploading_shows_a_preview_and_changes_nothing(self) -> None:
        before = snapshot()
        response = self.upload(self.client_for(self.ict_manager), roster(PERSONA_ROW))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Nothing has changed yet")
        self.assertContains(response, "Import and mark 8 pupils as left")
        self.assertNotContains(response, "Roster imported")  # the old one-step import is gone
        self.assertEqual(snapshot(), before)

    def test_3_2_the_preview_names_the_leavers_with_legal_names_for_legal_name_roles(self) -> None:
        Pupil.objects.filter(upn=upn(1)).update(preferred_first_name="Polly")
        response = self.upload(self.client_for(self.ict_manager), roster(PERSONA_ROW))
        self.assertContains(response, "<td>Polly NumberA</td><td>Pupil NumberA</td>", html=False)
        self.assertTrue(response.context["show_legal"])

    def test_3_1_a_quarter_or_more_leaving_is_a_prominent_warning_and_needs_the_box_ticked(self) -> None:
        client = self.client_for(self.ict_manager)
        before = snapshot()
        response = self.upload(client, roster(PERSONA_ROW))
        self.assertContains(response, "Warning: 8 of the 9 pupils on roll would be marked as left")
        unticked = self.confirm(client, response)
        self.assertContains(unticked, "Tick the box to confirm that so many pupils really have left")
        self.assertEqual(snapshot(), before)
        done = self.confirm(client, response, understood="on")
        self.assertRedirects(done, f"/account/schools/{self.school.pk}/pupils/", fetch_redirect_response=False)
        self.assertEqual(Pupil.objects.filter(school=self.school, on_roll=True).count(), 1)

    def test_3_1_confirming_applies_exactly_the_preview(self) -> None:
        client = self.client_for(self.head)
        data = roster(*MANY.decode().splitlines()[1:8], f"{upn(20)},New,Arrival,,,7,01/01/2014")  # drops 2, adds 1
        response = self.upload(client, data)
        self.assertNotContains(response, "Warning:")
        done = self.confirm(client, response)
        self.assertEqual(done.status_code, 302)
        messages = [str(m) for m in done.wsgi_request._messages]
        self.assertEqual(messages, ["Roster imported: 1 added, 0 updated, 7 unchanged, 2 marked as left."])
        self.assertEqual(set(Pupil.objects.filter(on_roll=False).values_list("upn", flat=True)), {upn(7), upn(8)})

    def test_3_1_two_people_importing_at_once_exactly_one_wins_the_other_is_told(self) -> None:
        ict, head = self.client_for(self.ict_manager), self.client_for(self.head)
        data = roster(*MANY.decode().splitlines()[1:], f"{upn(20)},New,Arrival,,,7,01/01/2014")
        ict_preview, head_preview = self.upload(ict, data), self.upload(head, data)
        self.assertEqual(self.confirm(ict, ict_preview).status_code, 302)
        before = snapshot()
        refused = self.confirm(head, head_preview)
        self.assertRedirects(refused, self.url, fetch_redirect_response=False)
        self.assertContains(head.get(self.url), "The pupil roster changed after your preview")
        self.assertEqual(snapshot(), before)
        self.assertEqual(Pupil.objects.filter(upn=upn(20)).count(), 1)

    def test_3_1_a_confirmation_without_a_matching_preview_changes_nothing(self) -> None:
        client = self.client_for(self.ict_manager)
        before = snapshot()
        response = client.post(self.url, {"digest": "0" * 64})
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        self.assertContains(client.get(self.url), "That preview has expired or was replaced")
        self.assertEqual(snapshot(), before)

    def test_3_1_an_older_preview_replaced_by_a_newer_upload_cannot_be_confirmed(self) -> None:
        client = self.client_for(self.ict_manager)
        old = self.upload(client, roster(PERSONA_ROW))
        self.upload(client, MANY)
        before = snapshot()
        self.confirm(client, old, understood="on")
        self.assertEqual(snapshot(), before)

    def test_3_2_the_page_shows_every_problem_on_every_line_and_saves_nothing(self) -> None:
        before = snapshot()
        response = self.upload(self.client_for(self.ict_manager), roster(f"{upn(30)},,,,,Year 20,01/01/2014"))
        self.assertContains(response, "Nothing was imported: 1 line needs fixing")
        self.assertContains(response, "Line 2: 3 problems")
        for problem in ("Legal Forename is missing", "Legal Surname is missing", "not a year group"):
            self.assertContains(response, problem)
        self.assertEqual(snapshot(), before)

    def test_3_1_a_file_that_changes_nothing_offers_no_import(self) -> None:
        response = self.upload(self.client_for(self.ict_manager), MANY)
        self.assertContains(response, "there is nothing to import")
        self.assertNotContains(response, 'type="submit" class="button')

    def test_a57_the_preview_says_returning_pupils_have_no_active_account(self) -> None:
        self.pupil_record.upn = upn(40)
        self.pupil_record.save()
        import_roster(self.school, MANY.replace(PERSONA_ROW.encode() + b"\n", b""), by=self.ict_manager)
        self.assertFalse(User.objects.get(pk=self.pupil.pk).is_active)
        back = MANY.replace(PERSONA_ROW.encode(), f"{upn(40)},Jameson,Rivers-Legal,Jamie,,8,14/03/2013".encode())
        response = self.upload(self.client_for(self.ict_manager), back)
        self.assertContains(response, "1 returning pupil has no active account")
        self.assertContains(response, "the ICT Manager can reactivate it")

    def test_a57_the_preview_page_costs_the_same_queries_for_many_leavers(self) -> None:
        client = self.client_for(self.ict_manager)
        self.upload(client, roster(PERSONA_ROW))  # warm the session
        with self.assertNumQueries(self.queries_for(client, roster(PERSONA_ROW))):
            self.upload(client, roster(*MANY.decode().splitlines()[1:3]))

    def queries_for(self, client: Client, data: bytes) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            self.upload(client, data)
        return len(captured)


class RosterImportAccessTests(CustosTestCase):
    def test_a57_only_the_schools_ict_manager_and_head_may_preview_or_confirm(self) -> None:
        url = f"/account/schools/{self.school.pk}/pupils/import/"
        for user in (self.teacher, self.dsl, self.outsider, self.pupil, self.external):
            client = self.client_for(user)
            self.assertEqual(client.get(url).status_code, 403, user)
            self.assertEqual(client.post(url, {"digest": "0" * 64}).status_code, 403, user)
        other = f"/account/schools/{self.other_school.pk}/pupils/import/"
        self.assertEqual(self.client_for(self.ict_manager).get(other).status_code, 403)
        self.assertEqual(
            self.client_for(self.ict_manager).get("/account/schools/999999/pupils/import/").status_code, 404
        )
        self.assertEqual(self.client_for(None).get(url).status_code, 302)
