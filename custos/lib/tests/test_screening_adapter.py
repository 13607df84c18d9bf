"""The screening engine sees the school's own roster, and a new roster import is seen at once."""

from custos.accounts.actions import import_roster
from custos.accounts.roster import upn_check_letter
from custos.lib.screening import context_for
from custos.screening import Venue, screen
from custos.test import CustosTestCase


class ScreeningAdapterTests(CustosTestCase):
    def categories(self, text: str, author) -> set[str]:
        context = context_for(school=self.school, author=author, venue=Venue.SCHOOL_SITE)
        return {str(f.category) for f in screen(text, context)}

    def test_a52_a_pupils_full_name_from_the_roster_is_found_in_a_post(self) -> None:
        self.assertIn(
            "pupil_identification", self.categories("Well done Jameson Rivers-Legal on the match!", self.teacher)
        )

    def test_a52_a_newly_imported_pupil_is_recognised_straight_away(self) -> None:
        body = "873123426001"
        csv = (
            "UPN,Legal Forename,Legal Surname,Year,DOB\n"
            f"{self.pupil_record.upn},Jameson,Rivers-Legal,8,14/03/2013\n"
            f"{upn_check_letter(body)}{body},Priyanka,Okonkwo,8,01/05/2013\n"
        ).encode()
        self.assertNotIn("pupil_identification", self.categories("Priyanka Okonkwo scored twice", self.teacher))
        self.assertTrue(import_roster(self.school, csv, by=self.ict_manager).ok)
        self.assertIn("pupil_identification", self.categories("Priyanka Okonkwo scored twice", self.teacher))
