"""A.2.3: the pupil picker on "Report a concern" and on a case makes the right child easy to pick (Reception in
words, roster order, same-name pupils told apart only with what the viewer may see); the case forms' hints are
whole sentences and date pickers show pre-filled dates."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from custos.accounts.models import Pupil
from custos.cases import forms
from custos.cases.tests.base import CasesTestCase
from custos.cases.types import CaseType


def options(page: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None, f"no select {select_id}"
    return [
        label.strip()
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[1])
        if value
    ]


class PupilPickerTests(CasesTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        Pupil.objects.filter(school=cls.school).delete()

        def pupil(upn: str, first: str, last: str, year: int, born: dt.date, **extra: str) -> Pupil:
            return Pupil.objects.create(
                school=cls.school,
                upn=upn,
                legal_first_name=first,
                legal_last_name=last,
                year_group=year,
                date_of_birth=born,
                **extra,
            )

        pupil("A00000000001", "Zara", "Adams", 3, dt.date(2018, 5, 1))
        pupil("A00000000002", "Maximilian", "Khan", 3, dt.date(2018, 11, 20), preferred_first_name="Max")
        pupil("A00000000003", "Max", "Khan", 3, dt.date(2019, 3, 9))
        pupil("A00000000004", "Amir", "Baker", 3, dt.date(2018, 9, 2))
        pupil("A00000000005", "Ruby", "Zephyr", 0, dt.date(2021, 1, 5), preferred_last_name="Allen")
        pupil("A00000000006", "Ava", "Cole", 0, dt.date(2020, 12, 1))

    def concern_options(self, user) -> list[str]:
        page = self.client_for(user).get(reverse("cases:report", args=["concern"])).content.decode()
        return options(page, "id_pupil")

    def test_a23_reception_pupils_are_shown_as_reception_not_year_0(self) -> None:
        labels = self.concern_options(self.teacher)
        self.assertIn("Ava Cole (Reception)", labels)
        self.assertFalse(any("Year 0" in label for label in labels))

    def test_a23_pupils_are_listed_by_year_then_the_surname_and_first_name_they_go_by(self) -> None:
        names = [label.split(" (")[0] for label in self.concern_options(self.teacher)]
        # Ruby goes by the surname Allen, so she comes before Ava Cole; the two Max Khans by date of birth.
        self.assertEqual(names, ["Ruby Allen", "Ava Cole", "Zara Adams", "Amir Baker", "Max Khan", "Max Khan"])

    def test_a23_a_teacher_is_told_two_pupils_share_a_name_but_never_shown_their_birth_dates(self) -> None:
        labels = self.concern_options(self.teacher)
        self.assertEqual(labels.count("Max Khan (Year 3, shares this name with another pupil)"), 2)
        self.assertFalse(any("born" in label for label in labels))
        page = self.client_for(self.teacher).get(reverse("cases:report", args=["concern"])).content.decode()
        self.assertIn("say who you mean in your report", page)
        self.assertNotIn("Maximilian", page)  # the legal first name stays need-to-know

    def test_a23_the_dsl_tells_same_name_pupils_apart_by_month_and_year_of_birth(self) -> None:
        labels = self.concern_options(self.dsl)
        self.assertIn("Max Khan (Year 3, born 11/2018)", labels)
        self.assertIn("Max Khan (Year 3, born 03/2019)", labels)
        self.assertIn("Zara Adams (Year 3)", labels)  # a unique name needs no more

    def test_a23_same_name_pupils_born_in_the_same_month_show_the_whole_date_of_birth(self) -> None:
        Pupil.objects.filter(upn="A00000000003").update(date_of_birth=dt.date(2018, 11, 2))
        labels = self.concern_options(self.dsl)
        self.assertIn("Max Khan (Year 3, born 20/11/2018)", labels)
        self.assertIn("Max Khan (Year 3, born 02/11/2018)", labels)

    def test_a23_the_link_form_on_a_case_labels_pupils_for_the_person_working_it(self) -> None:
        case = self.open(CaseType.SAFEGUARDING)
        page = self.client_for(self.dsl).get(reverse("cases:case", args=[case.reference])).content.decode()
        labels = options(page, "id_link_pupil")
        self.assertEqual(labels[0], "Ruby Allen (Reception)")
        self.assertIn("Max Khan (Year 3, born 03/2019)", labels)

    def test_a23_the_chosen_same_name_pupil_is_the_one_linked(self) -> None:
        chosen = Pupil.objects.get(upn="A00000000003")
        response = self.client_for(self.teacher).post(
            reverse("cases:report", args=["concern"]),
            {"concern_type": CaseType.SAFEGUARDING, "summary": "Worried about Max.", "pupil": str(chosen.pk)},
        )
        self.assertEqual(response.status_code, 302)
        from custos.cases.models import Case

        self.assertEqual(list(Case.objects.get().linked_pupils.all()), [chosen])

    def test_a23_a_trust_wide_reporter_with_a_made_up_school_gets_an_error_not_a_crash(self) -> None:
        response = self.client_for(self.exec_head).post(
            reverse("cases:report", args=["concern"]),
            {"concern_type": CaseType.SAFEGUARDING, "summary": "x", "school": "abc", "pupil": "1"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Select a valid choice", response.content.decode())


class CaseFormWordingTests(CasesTestCase):
    def test_a23_the_referred_by_hint_is_a_whole_sentence(self) -> None:
        hint = str(forms.ReferralForm().fields["referred_by"].help_text)
        self.assertEqual(hint, "Who made the referral, if not you. Leave empty if you made it yourself.")

    def test_a23_a_prefilled_referral_date_shows_in_the_date_picker(self) -> None:
        rendered = str(forms.ReferralForm(initial={"referred_on": dt.date(2026, 3, 2)})["referred_on"])
        self.assertIn('value="2026-03-02"', rendered)
        self.assertIn('type="date"', rendered)

    def test_6_6_a_prefilled_received_on_date_shows_in_the_date_picker(self) -> None:
        form = forms.ReportForm(
            initial={"received_on": dt.date(2026, 3, 2)}, kind=forms.REPORT_KINDS["friend-request"], user=self.teacher
        )
        self.assertIn('value="2026-03-02"', str(form["received_on"]))
