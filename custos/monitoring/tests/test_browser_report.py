"""In Debian's chromium at 360 px: HR states a reason and reads the 6.13 report, chart and tables, without overflow."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.accounts.models import Role, School, Trust
from custos.audit.models import AuditEvent
from custos.monitoring.tests.helpers import MONDAY, at, ingest_text, prepare, squid
from custos.test import TEST_PASSWORD, give_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_613_hr_gives_a_reason_and_reads_the_report_on_a_narrow_phone(browser_page) -> None:  # type: ignore[no-untyped-def]
    trust = Trust.objects.create(name="Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001", website="https://oak.example/")
    hr = make_user("hr", school=school)
    give_role(hr, Role.HR, school)
    device = TOTPDevice.objects.create(user=hr, name="phone", confirmed=True)
    make_user("teacher", school=school, first_name="Tess", last_name="<b>Teacher</b>")
    prepare(school, hr)
    ingest_text(squid(at(MONDAY, 9, 5), "www.facebook.com:443") + squid(at(MONDAY, 10, 0), "www.youtube.com:443"))

    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/")
    page.get_by_label("Email address or username").fill("hr")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/two-factor/**")
    page.get_by_label("6-digit code from your authenticator app").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")
    page.get_by_role("button", name="Menu").click()  # on a phone the menu is folded behind this button
    page.get_by_role("link", name="Internet monitoring").first.click()
    page.get_by_role("link", name="social media in contracted hours at Oakfield Academy").click()

    page.get_by_role("button", name="Show the report").click()  # no reason yet
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    page.get_by_label("Why are you looking at this report?").fill("HR case 2026-14: line manager's concern")
    page.get_by_label("From (first day)").fill("2026-03-02")
    page.get_by_label("To (last day)").fill("2026-03-08")
    page.get_by_role("button", name="Show the report").click()

    chart = page.get_by_role("img", name="Social media requests in contracted hours, per person")
    assert chart.is_visible()
    assert page.get_by_role("row", name="Tess <b>Teacher</b> 2 2 1 6.13").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert AuditEvent.objects.filter(action="monitoring.report_opened", actor=hr).count() == 1
