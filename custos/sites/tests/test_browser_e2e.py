"""In a real browser (Debian's chromium), on a phone-sized screen: one form from draft to a live site
(Appendix B, A.3.2, A.3.6, A.1.6)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.accounts.models import Role, School, Trust
from custos.sites import lifecycle
from custos.sites.models import Site, SiteState
from custos.test import give_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as(page, live_server, user) -> None:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "custos.accounts.backends.UsernameOrEmailBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device = TOTPDevice.objects.filter(user=user).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
    )


def test_appendix_b_a36_one_form_from_draft_to_a_live_site(browser_page, live_server) -> None:
    trust = Trust.objects.create(name="Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001", website="https://oak.example/")
    author = make_user("tess", school=school, first_name="Tess", last_name="Teacher")
    make_user("mo", school=school, first_name="Mo", last_name="Moderator")
    make_user("max", school=school, first_name="Max", last_name="Moderator")
    make_user("lena", school=school, first_name="Lena", last_name="Lead")
    ict = make_user("ian", school=school, first_name="Ian", last_name="Ict")
    head = make_user("hana", school=school, first_name="Hana", last_name="Head")
    give_role(ict, Role.ICT_MANAGER, school)
    give_role(head, Role.HEAD_OF_SCHOOL, school)
    for user in (ict, head):
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    today = timezone.localdate()
    page = browser_page

    sign_in_as(page, live_server, author)
    page.goto("/sites/")
    page.get_by_role("link", name="Start a site approval form").click()
    page.get_by_label("Name of the site").fill("Year 9 Science Club")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/sites/*/")
    assert page.get_by_text("Saved. Submit it").is_visible()
    site = Site.objects.get()
    assert site.state == SiteState.DRAFT

    page.get_by_role("link", name="Edit the form").click()
    page.get_by_label("Department").fill("Science")
    page.get_by_label("Author's line manager").select_option(label="Lena Lead")
    page.get_by_label("What are the aims you propose to achieve").fill("Share practical science.")
    page.get_by_label("What is the proposed content of the site?").fill("Write-ups of experiments.")
    page.get_by_label("The pedagogical or business reason").fill("Extends the practical curriculum.")
    page.get_by_label("Expected time commitment").fill("Two hours a week.")
    page.get_by_label("How will the success of the site be evaluated?").fill("Termly survey.")
    page.get_by_label("Exit strategy").fill("Closes in July; archived.")
    page.locator("#id_audience_staff").check()
    page.locator("#id_contributors_staff").check()
    page.get_by_label("Names of administrators").select_option(label=["Tess Teacher", "Mo Moderator"])
    page.get_by_label("Names of moderators").select_option(label=["Mo Moderator"])
    page.get_by_label("Who will host the site?").select_option("school")
    page.get_by_label("Proposed date of going live").fill(today.isoformat())
    page.get_by_label("Proposed date for site closure").fill(today.replace(year=today.year + 1).isoformat())
    page.get_by_label("What security measures").fill("School sign-in only.")
    page.get_by_label("Terms of Use (A.4.1)").fill("For Oakfield staff.")
    page.get_by_label("House Rules, one per line").fill("Be kind.\nNo personal details.")
    page.get_by_role("button", name="Submit to the ICT Manager").click()
    # Refused: one moderator only (A.5.4), shown in the summary and beside the field.
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert page.locator("#id_moderators-error").inner_text().endswith("(A.5.4)")
    page.get_by_label("Names of moderators").select_option(label=["Mo Moderator", "Max Moderator"])
    page.get_by_role("button", name="Submit to the ICT Manager").click()
    page.wait_for_url(f"**/sites/{site.pk}/")
    site.refresh_from_db()
    assert site.state == SiteState.SUBMITTED
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    for approver in (ict, head):
        sign_in_as(page, live_server, approver)
        page.goto("/")
        page.get_by_role("link", name="Approve the site form: Year 9 Science Club").click()
        page.get_by_label("Approved").check()
        page.get_by_role("button", name="Record my decision").click()
        assert page.get_by_text("Your decision is recorded: approved.").is_visible()

    site.refresh_from_db()
    lifecycle.run()
    site.refresh_from_db()
    assert site.state == SiteState.LIVE
    assert site.signatures.count() == 2
    page.goto(f"/sites/{site.pk}/print/")
    assert page.get_by_text("Hana Head").first.is_visible()
