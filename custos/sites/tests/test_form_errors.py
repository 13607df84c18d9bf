"""The Appendix B form page: on submit every problem is reported at once, beside its field and in the summary;
a draft saves whatever can be stored, and only input that cannot be stored (an impossible date) blocks it.
Found by exploratory testing of the demo: a date error hid every other rule and blocked "Save draft" (A.1.6)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from custos.sites.forms import ExtensionForm
from custos.sites.models import HostPlatform, Site, SiteState
from custos.sites.tests.base import SitesTestCase
from custos.sites.tests.test_views import post_data

NOW = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
class FormErrorTests(SitesTestCase):
    def _bad_dates(self, **overrides: object) -> dict[str, object]:
        """A form with the closure date before go-live, a TikTok host for 11-year-olds and no title or people."""
        data = post_data(
            title="",
            hosting="third_party",
            host_platform=HostPlatform.objects.get(name="TikTok").pk,
            audience_age_min=11,
            audience_age_max=12,
            go_live_on=dt.date(2026, 11, 16),
            closes_on=dt.date(2026, 10, 1),
            line_manager=self.pastoral.pk,
        )
        data.update(overrides)
        return data

    def test_a16_a25_submit_reports_the_date_order_and_every_other_rule_at_once(self) -> None:
        response = self.client_for(self.teacher).post("/sites/new/", self._bad_dates(submit="1"))
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertIn("The closure date must be after the go-live date. (A.1.6)", errors["closes_on"])
        self.assertIn("TikTok requires users to be at least 13", " ".join(errors["host_platform"]))
        self.assertIn("Give the site a name. (Appendix B)", errors["title"])
        self.assertIn("(A.5.4)", " ".join(errors["administrators"]))
        self.assertIn("(A.5.4)", " ".join(errors["moderators"]))
        # Each beside its field and linked from the summary.
        for field in ("closes_on", "host_platform", "title", "administrators"):
            self.assertContains(response, f'id="id_{field}-error"')
            self.assertContains(response, f'href="#id_{field}"')
        self.assertFalse(Site.objects.exists())

    def test_a16_a_draft_with_closure_before_go_live_is_saved_and_the_rule_is_reported_at_submit(self) -> None:
        response = self.client_for(self.teacher).post("/sites/new/", self._bad_dates(save="1"))
        site = Site.objects.get()
        self.assertRedirects(response, f"/sites/{site.pk}/")
        self.assertEqual(site.state, SiteState.DRAFT)
        self.assertEqual((site.go_live_on, site.closes_on), (dt.date(2026, 11, 16), dt.date(2026, 10, 1)))
        data = self._bad_dates(submit="1", title="Year 9 Science Club blog")
        data["seen_sha256"] = ""
        response = self.client_for(self.teacher).post(f"/sites/{site.pk}/edit/", data)
        self.assertContains(response, "The closure date must be after the go-live date. (A.1.6)")
        self.assertContains(response, "TikTok requires users to be at least 13")
        site.refresh_from_db()
        self.assertEqual(site.state, SiteState.DRAFT)

    def test_appendix_b_an_impossible_date_blocks_a_draft_with_a_clear_message(self) -> None:
        response = self.client_for(self.teacher).post("/sites/new/", self._bad_dates(save="1", go_live_on="2026-02-30"))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Site.objects.exists())
        self.assertContains(response, "is not a real date")
        self.assertContains(response, "Nothing was saved")

    def test_a16_submit_with_an_impossible_date_still_reports_the_policy_rules(self) -> None:
        data = self._bad_dates(submit="1", closes_on="2026-13-01")
        response = self.client_for(self.teacher).post("/sites/new/", data)
        errors = response.context["form"].errors
        self.assertIn("is not a real date", " ".join(errors["closes_on"]))
        self.assertNotIn("Enter the proposed date for site closure", " ".join(errors["closes_on"]))
        self.assertIn("TikTok requires users to be at least 13", " ".join(errors["host_platform"]))
        self.assertIn("Give the site a name. (Appendix B)", errors["title"])
        self.assertFalse(Site.objects.exists())

    def test_a16_a_saved_go_live_date_is_shown_in_the_date_box(self) -> None:
        site = self.draft(go_live_on=dt.date(2026, 11, 16), closes_on=dt.date(2027, 7, 20))
        page = self.client_for(self.teacher).get(f"/sites/{site.pk}/edit/")
        self.assertContains(page, 'value="2026-11-16"')
        self.assertContains(page, 'value="2027-07-20"')

    def test_a16_a_prefilled_extension_date_is_shown_in_the_date_box(self) -> None:
        form = ExtensionForm(initial={"closes_on_requested": dt.date(2026, 11, 16)})
        self.assertIn('value="2026-11-16"', str(form["closes_on_requested"]))

    def test_a16_a_submitted_form_still_may_not_close_before_it_goes_live(self) -> None:
        site = self.submitted()
        with self.assertRaises(IntegrityError), transaction.atomic():
            Site.objects.filter(pk=site.pk).update(closes_on=timezone.localdate() - dt.timedelta(days=1))
