"""The rules checked when a form is submitted (7.2, 7.3, A.1.6, A.2.5, A.2.6, A.3.1, A.5.4, A.5.7, A.5.8, App. B)."""

from __future__ import annotations

import datetime as dt

from custos.accounts.models import Absence
from custos.sites.models import HostPlatform, Site, SiteState
from custos.sites.tests.base import SitesTestCase


class SubmissionRulesTests(SitesTestCase):
    def test_appendix_b_draft_saves_at_any_point_even_empty(self) -> None:
        site = self.draft(roles={}, department="", aims="", go_live_on=None, closes_on=None)
        self.assertEqual(site.state, SiteState.DRAFT)

    def test_a54_site_needs_two_administrators_and_two_moderators(self) -> None:
        errors = self.errors_for(roles={"administrators": [self.teacher], "moderators": [self.moderator]})
        self.assertIn("at least 2 different administrators", errors["administrators"][0])
        self.assertIn("(A.5.4)", errors["administrators"][0])
        self.assertIn("(A.5.4)", errors["moderators"][0])
        self.assertFalse(Site.objects.exists(), "nothing is saved when a submission is refused")

    def test_a54_the_same_person_twice_counts_once(self) -> None:
        errors = self.errors_for(roles=self.roles(moderators=[self.moderator, self.moderator]))
        self.assertIn("moderators", errors)

    def test_a31_pupil_can_never_administer_or_moderate(self) -> None:
        errors = self.errors_for(roles=self.roles(moderators=[self.moderator, self.pupil]))
        self.assertIn("is a pupil", errors["moderators"][0])
        self.assertIn("(A.3.1)", errors["moderators"][0])

    def test_a31_external_or_other_school_or_departed_staff_refused(self) -> None:
        self.contractor.employment_ends_on = dt.date(2020, 1, 1)
        self.contractor.save()
        errors = self.errors_for(roles=self.roles(administrators=[self.external, self.outsider]))
        text = " ".join(errors["administrators"] + errors.get("moderators", []))
        self.assertIn("not a staff member", text)
        self.assertIn("works at another school", text)
        self.assertIn("no longer a current member of staff", text)

    def test_a31_contractor_counts_as_an_authorised_person(self) -> None:
        site = self.submitted()
        self.assertEqual(site.state, SiteState.SUBMITTED)

    def test_a16_go_live_not_in_the_past(self) -> None:
        errors = self.errors_for(go_live_on=self.today() - dt.timedelta(days=1))
        self.assertEqual(errors["go_live_on"], ["The go-live date must not be in the past. (A.1.6)"])

    def test_a16_closure_date_after_go_live(self) -> None:
        errors = self.errors_for(closes_on=self.today() + dt.timedelta(days=7))
        self.assertIn("(A.1.6)", errors["closes_on"][0])

    def test_7_2_a14_a16_a17_reason_time_exit_and_evaluation_required(self) -> None:
        errors = self.errors_for(reason="", time_commitment="", exit_strategy="", evaluation_plan="")
        self.assertIn("(7.2)", errors["reason"][0])
        self.assertIn("(A.1.4)", errors["time_commitment"][0])
        self.assertIn("(A.1.6)", errors["exit_strategy"][0])
        self.assertIn("(A.1.7)", errors["evaluation_plan"][0])

    def test_a41_terms_of_use_and_house_rules_required(self) -> None:
        errors = self.errors_for(terms_of_use="", house_rules="")
        self.assertIn("(A.4.1)", errors["terms_of_use"][0])
        self.assertIn("(A.4.1)", errors["house_rules"][0])

    def test_appendix_b_age_range_required_when_pupils_in_audience(self) -> None:
        errors = self.errors_for(audience_age_min=None, audience_age_max=None)
        self.assertIn("age range", errors["audience_age_min"][0])
        errors = self.errors_for(contributors_pupils=True, consent_plan="Letters home.")
        self.assertIn("age range", errors["contributors_age_min"][0])

    def test_appendix_b_other_school_names_and_others_details_required(self) -> None:
        errors = self.errors_for(audience_other_pupils=True, contributors_others=True, vetting_person=self.moderator)
        self.assertIn("names of the other schools", errors["audience_other_schools"][0])
        self.assertIn("details of the others", errors["contributors_others_details"][0])

    def test_appendix_b_host_name_required_when_third_party(self) -> None:
        errors = self.errors_for(hosting="third_party")
        self.assertIn("Choose the third-party host", errors["host_platform"][0])

    def test_appendix_b_consent_plan_for_child_or_learning_disabled_contributors(self) -> None:
        errors = self.errors_for(contributors_learning_disabilities=True)
        self.assertIn("consent", errors["consent_plan"][0])
        errors = self.errors_for(contributors_pupils=True, contributors_age_min=13, contributors_age_max=14)
        self.assertIn("consent_plan", errors)

    def test_a25_7_3_youngest_age_below_host_minimum_is_refused(self) -> None:
        errors = self.errors_for(hosting="third_party", host_platform=self.facebook, audience_age_min=11)
        self.assertIn("Facebook requires users to be at least 13", errors["host_platform"][0])
        self.assertIn("(7.3, A.2.5)", errors["host_platform"][0])

    def test_a25_ict_managers_table_decides_the_minimum(self) -> None:
        self.facebook.minimum_age = 11
        self.facebook.save()
        site = self.submitted(hosting="third_party", host_platform=self.facebook, audience_age_min=11)
        self.assertEqual(site.state, SiteState.SUBMITTED)
        self.assertTrue(HostPlatform.objects.filter(name="Microsoft Teams (school accounts)", minimum_age=0).exists())

    def test_a26_a57_vetting_person_required_for_external_contributors(self) -> None:
        errors = self.errors_for(contributors_families=True)
        self.assertIn("(A.2.6, A.5.7)", errors["vetting_person"][0])
        errors = self.errors_for(contributors_families=True, vetting_person=self.pupil)
        self.assertIn("is a pupil", errors["vetting_person"][0])

    def test_a58_advertising_for_contributors_is_flagged_for_the_head(self) -> None:
        site = self.submitted(advertising_plan="A poster at parents' evening.")
        from custos.sites.tests.base import sign

        sign(site, self.ict_manager)
        response = self.client_for(self.head).get(f"/sites/{site.pk}/")
        self.assertContains(response, "also asks to advertise for contributors (A.5.8)")

    def test_a154_leave_does_not_block_submission_but_cover_is_checked_later(self) -> None:
        Absence.objects.create(user=self.moderator, starts_on=self.today(), ends_on=self.today())
        self.assertEqual(self.submitted().state, SiteState.SUBMITTED)
