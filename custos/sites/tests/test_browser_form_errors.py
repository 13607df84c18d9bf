"""In a real browser on a 360px phone: a draft with the closure date before go-live saves; submitting it shows the
date rule and every other rule in one error summary, each linked to its field (A.1.6, A.2.5, A.5.4, Appendix B)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from custos.accounts.models import School, Trust
from custos.sites.models import Site, SiteState
from custos.sites.tests.test_browser_e2e import sign_in_as
from custos.test import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a16_a25_draft_saves_then_submit_shows_every_problem_at_once(browser_page, live_server) -> None:
    trust = Trust.objects.create(name="Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001", website="https://oak.example/")
    author = make_user("tess", school=school, first_name="Tess", last_name="Teacher")
    today = timezone.localdate()
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 800})

    sign_in_as(page, live_server, author)
    page.goto(f"{live_server.url}/sites/new/")
    page.get_by_label("Name of the site").fill("Year 9 Science Club")
    page.get_by_label("Proposed date of going live").fill((today + dt.timedelta(days=60)).isoformat())
    page.get_by_label("Proposed date for site closure").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/sites/*/")
    site = Site.objects.get()
    assert site.state == SiteState.DRAFT and site.closes_on < site.go_live_on

    page.goto(f"{live_server.url}/sites/{site.pk}/edit/")
    assert page.get_by_label("Proposed date of going live").input_value() == site.go_live_on.isoformat()
    page.get_by_role("button", name="Submit to the ICT Manager").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    text = summary.inner_text()
    assert "The closure date must be after the go-live date. (A.1.6)" in text
    assert "Name at least 2 different administrators" in text
    assert "Enter your department." in text
    summary.get_by_role("link", name="Proposed date for site closure: The closure date must be after").click()
    assert page.evaluate("document.activeElement.id") == "id_closes_on"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    Site.objects.get(state=SiteState.DRAFT)
