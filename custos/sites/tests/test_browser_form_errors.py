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


def test_a32_a36_returning_without_a_comment_focuses_the_error_summary_and_keeps_the_choice(
    browser_page, live_server
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from custos.accounts.models import Role
    from custos.sites import actions
    from custos.sites.models import SiteKind
    from custos.sites.tests.base import valid_fields
    from custos.test import give_role

    trust = Trust.objects.create(name="Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001", website="https://oak.example/")
    author = make_user("tess", school=school, first_name="Tess", last_name="Teacher")
    people = [make_user(name, school=school) for name in ("mo", "max", "lena")]
    ict = make_user("ian", school=school, first_name="Ian", last_name="Ict")
    give_role(ict, Role.ICT_MANAGER, school)
    TOTPDevice.objects.create(user=ict, name="phone", confirmed=True)
    site = actions.save_form(
        None,
        by=author,
        school=school,
        kind=SiteKind.OWN,
        fields=valid_fields(line_manager=people[2]),
        roles={"administrators": [author, people[0]], "moderators": people[:2]},
        submit=True,
    )
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 800})

    sign_in_as(page, live_server, ict)
    page.goto(f"{live_server.url}/sites/{site.pk}/")
    page.get_by_label("Returned for changes").check()
    page.get_by_role("button", name="Record my decision").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.title().startswith("Error: ")
    assert page.get_by_label("Returned for changes").is_checked()
    assert (
        page.locator("#id_comment-error")
        .inner_text()
        .endswith("Say what must change, or why the form is rejected, so the author knows (A.3.2).")
    )
    summary.get_by_role("link", name="Comments: Say what must change").click()
    assert page.evaluate("document.activeElement.id") == "id_comment"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    site.refresh_from_db()
    assert site.state == SiteState.SUBMITTED and not site.signatures.exists()
