"""In a real browser (Debian's chromium), on a 360-pixel phone screen: the main cases journey (A.2.3).

A teacher reports a safeguarding concern through the staff form and gets a receipt; the Designated Safeguarding
Lead finds it under "Waiting for me", acknowledges it, records what was done, assigns it, is stopped from closing it
before recording the referral to CEOP (nothing pre-chosen: no agency, no outcome), records it and closes it; the
teacher's receipt then says it was dealt with; HR, who has no need to know, cannot open it. Then the Executive
Headteacher sets the school day on the case timings page.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from custos.accounts.models import Pupil, Role, School, Trust
from custos.cases.models import Case, CaseSettings, EntryKind, Status
from custos.mail.models import Email
from custos.test import TEST_PASSWORD, give_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str, device: TOTPDevice | None = None) -> None:
    """Through the real sign-in form (and the second factor, for people who hold a role)."""
    page.context.clear_cookies()
    page.goto("/account/login/")
    page.get_by_label("Email address or username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        page.wait_for_url("**/account/two-factor/**")
        page.get_by_label("6-digit code from your authenticator app").fill(f"{totp(device.bin_key):06d}")
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a23_a_concern_goes_from_a_teachers_phone_to_the_dsl_and_back_as_dealt_with(browser_page) -> None:
    trust = Trust.objects.create(name="Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001", website="https://oak.example/")
    teacher = make_user("tess", school=school, first_name="Tess", last_name="Teacher")
    dsl = make_user("dana", school=school, first_name="Dana", last_name="Lead")
    deputy = make_user("dev", school=school, first_name="Dev", last_name="Deputy")
    hr = make_user("harriet", school=school, first_name="Harriet", last_name="Hr")
    give_role(dsl, Role.DSL, school)
    give_role(deputy, Role.DEPUTY_DSL, school)
    give_role(hr, Role.HR, school)
    devices = {u.pk: TOTPDevice.objects.create(user=u, name="phone", confirmed=True) for u in (dsl, deputy, hr)}
    Pupil.objects.create(
        school=school,
        upn="A123456789012",
        legal_first_name="Jameson",
        legal_last_name="Rivers",
        preferred_first_name="Jamie",
        year_group=8,
        date_of_birth=dt.date(2013, 3, 14),
    )
    page = browser_page

    # The teacher, on a phone: the menu is folded behind "Menu".
    sign_in(page, "tess")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Report a concern").click()
    page.wait_for_url("**/cases/report/")
    page.get_by_role("link", name="Report a concern").click()
    page.get_by_label("A child may be at risk of harm (safeguarding)").check()
    page.get_by_label("What happened?").fill("A Year 8 pupil said an adult online asked them to keep a secret.")
    page.get_by_label("Which pupil?").select_option(label="Jamie Rivers (Year 8)")
    assert fits_the_screen(page)
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/cases/my-reports/SG-*/")
    case = Case.objects.get()
    expect(page.get_by_role("heading", name=f"Report {case.reference}")).to_be_visible()
    expect(page.get_by_text("Received.")).to_be_visible()
    assert "keep a secret" not in page.content()  # the receipt never shows the case
    assert fits_the_screen(page)

    # The DSL finds it under "Waiting for me", acknowledges it and works it.
    sign_in(page, "dana", devices[dsl.pk])
    waiting = page.get_by_role("region", name="Waiting for me")
    waiting.get_by_role("link", name=f"Acknowledge safeguarding concern {case.reference}").click()
    page.wait_for_url(f"**/cases/{case.reference}/")
    expect(page.get_by_text("asked them to keep a secret")).to_be_visible()
    page.get_by_role("button", name="Acknowledge: I am dealing with this").click()
    expect(page.get_by_text("Acknowledged.", exact=True)).to_be_visible()
    page.get_by_label("Type").select_option(label="Action taken")
    page.get_by_label("What was done or decided").fill("Spoke to Jamie with their form tutor; parents called.")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Added to the chronology.")).to_be_visible()
    chronology = page.locator(".cases-chronology")
    expect(chronology).to_contain_text("Spoke to Jamie with their form tutor")
    page.get_by_label("Assign to").select_option(label="Dev Deputy")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("Assigned.", exact=True)).to_be_visible()
    # Nothing is chosen for the DSL (no agency, no outcome), and only a safeguarding concern's outcomes are offered.
    expect(page.get_by_role("combobox", name="Agency")).to_have_value("")
    outcome = page.get_by_label("Outcome")
    expect(outcome).to_have_value("")
    assert outcome.locator("option").all_inner_texts() == [
        "Choose…",
        "Referred to an external agency",
        "Dealt with in school: action taken",
        "No further action",
    ]
    # A.2.3: not closed until the authorities are informed, or the DSL says why not.
    outcome.select_option(label="Dealt with in school: action taken")
    page.get_by_label("How it was dealt with").fill("Safety plan agreed with parents; account blocked and reported.")
    page.get_by_role("button", name="Close the case").click()
    expect(page.get_by_role("alert")).to_contain_text("Record the referral to an external agency")
    assert Case.objects.get(pk=case.pk).status == Status.OPEN
    assert fits_the_screen(page)
    page.get_by_role("combobox", name="Agency").select_option(label="CEOP (Child Exploitation and Online Protection)")
    page.get_by_label("Their reference number").fill("CEOP-2231")
    page.get_by_label("Date referred").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record referral").click()
    expect(page.get_by_text("Referral recorded.")).to_be_visible()
    expect(chronology).to_contain_text("Referred to CEOP (Child Exploitation and Online Protection)")
    page.get_by_label("Outcome").select_option(label="Dealt with in school: action taken")
    page.get_by_label("How it was dealt with").fill("Safety plan agreed with parents; account blocked and reported.")
    page.get_by_role("button", name="Close the case").click()
    expect(page.get_by_text("Case closed. It is now read-only.")).to_be_visible()
    assert fits_the_screen(page)
    case.refresh_from_db()
    assert (case.status, case.assigned_to, case.closed_by) == (Status.CLOSED, deputy, dsl)
    assert case.entries.filter(kind=EntryKind.ACTION, by=dsl).exists()
    assert case.entries.filter(kind=EntryKind.REFERRAL, agency="ceop", agency_reference="CEOP-2231").exists()
    assert Email.objects.filter(recipient=teacher, subject__contains=case.reference).count() == 2  # received, dealt

    # The teacher's receipt now says it was dealt with, and still nothing more.
    sign_in(page, "tess")
    page.goto("/cases/my-reports/")
    row = page.get_by_role("row", name=re.compile(case.reference))
    assert "Dealt with" in row.inner_text()
    row.get_by_role("link", name=case.reference).click()
    page.wait_for_url(f"**/cases/my-reports/{case.reference}/")
    expect(page.get_by_text("Dealt with.")).to_be_visible()
    assert "Safety plan" not in page.content()

    # HR has no need to know about a safeguarding concern: not in their list, and the case itself is a 404.
    sign_in(page, "harriet", devices[hr.pk])
    page.goto("/cases/")
    assert case.reference not in page.content()
    response = page.goto(f"/cases/{case.reference}/")
    assert response is not None and response.status == 404
    assert "keep a secret" not in page.content()


def test_a23_the_executive_head_sets_the_school_day_on_a_phone(browser_page) -> None:
    trust = Trust.objects.create(name="Trust")
    School.objects.create(trust=trust, name="Oakfield Academy", urn="100001", website="https://oak.example/")
    head = make_user("eve", school=None, first_name="Eve", last_name="Exec")
    give_role(head, Role.EXECUTIVE_HEADTEACHER, None)
    device = TOTPDevice.objects.create(user=head, name="phone", confirmed=True)
    page = browser_page

    sign_in(page, "eve", device)
    page.goto("/cases/")
    page.get_by_role("link", name="Case timings: the school day and closed days").click()
    page.get_by_label("The school day starts at").fill("09:00")
    page.get_by_label("The school day ends at").fill("08:00")
    page.get_by_role("button", name="Save the school day").click()
    expect(page.get_by_role("alert")).to_contain_text("The school day must end after it starts")
    assert fits_the_screen(page)
    assert not CaseSettings.objects.exists()
    page.get_by_label("The school day ends at").fill("16:00")
    page.get_by_label("Friday").uncheck()
    page.get_by_role("button", name="Save the school day").click()
    expect(page.get_by_text("School day saved.")).to_be_visible()
    expect(page.get_by_role("region", name="What this means")).to_contain_text("raised at 15:50 on Thursday")
    assert fits_the_screen(page)
    row = CaseSettings.objects.get()
    assert (row.day_starts, row.day_ends, row.weekdays) == (dt.time(9), dt.time(16), "0,1,2,3")


def test_a23_a_case_with_very_long_unbroken_text_still_fits_a_phone_screen(browser_page) -> None:
    from custos.cases import actions

    trust = Trust.objects.create(name="Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001", website="https://oak.example/")
    teacher = make_user("tess", school=school, first_name="Tess", last_name="Teacher")
    dsl = make_user("dana", school=school, first_name="Dana", last_name="Lead")
    give_role(dsl, Role.DSL, school)
    device = TOTPDevice.objects.create(user=dsl, name="phone", confirmed=True)
    long_url = "https://example.com/" + "a" * 3000
    case = actions.open_case(
        case_type="safeguarding",
        school=school,
        reported_by=teacher,
        summary="See " + long_url,
        details={"Where is the content? (web address)": long_url, "some_other_key": "b" * 2000},
        linked_content=long_url,
        source="report_form",
    )
    actions.add_entry(case, by=dsl, kind=EntryKind.NOTE, text="x" * 6000)
    page = browser_page

    sign_in(page, "dana", device)
    page.goto(f"/cases/{case.reference}/")
    expect(page.get_by_role("heading", name="Chronology", exact=True)).to_be_visible()
    assert fits_the_screen(page), page.evaluate("document.documentElement.scrollWidth")
