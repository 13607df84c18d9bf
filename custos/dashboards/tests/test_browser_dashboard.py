"""In a real browser at 360px: the Executive Headteacher reads the dashboard's charts with the CSP in force (no
console errors, nothing overflows), opens the table, drills down from a bar and downloads the CSV."""

from __future__ import annotations

import datetime as dt

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.accounts.models import Role, School, Trust
from custos.sites.models import Site
from custos.test import TEST_PASSWORD, give_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a32_executive_head_reads_charts_drills_down_and_downloads_csv_at_360px(browser_page) -> None:
    trust = Trust.objects.create(name="Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001", website="https://oak.example/")
    boss = make_user("boss", school=None)
    give_role(boss, Role.EXECUTIVE_HEADTEACHER, None)
    device = TOTPDevice.objects.create(user=boss, name="phone", confirmed=True)
    author = make_user("author", school=school)
    Site.objects.create(
        school=school,
        author=author,
        title="Year 9 blog",
        state="live",
        go_live_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2027, 7, 1),
    )
    Site.objects.create(school=school, author=author, title="Chess club draft", state="draft")

    page = browser_page
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/account/login/")
    page.get_by_label("Email address or username").fill("boss")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/two-factor/**")
    page.get_by_label("6-digit code from your authenticator app").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")
    page.get_by_role("link", name="Open your dashboard").click()
    page.wait_for_url("**/dashboards/")
    chart = page.get_by_role("group", name="Official sites by state, per school")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("#panel-sites ~ details summary, .dash-panel details summary").first.click()
    assert page.get_by_role("columnheader", name="Live").first.is_visible()
    with page.expect_download() as download:
        page.locator("#panel-sites").locator("xpath=..").get_by_role("link", name="Download this figure as CSV").click()
    assert download.value.suggested_filename.startswith("custos-sites-")
    page.locator("svg a[href*='group=live']").first.click()
    page.wait_for_url("**/dashboards/sites/?*group=live*")
    assert page.get_by_role("heading", name="Official sites: Live").is_visible()
    assert page.get_by_role("link", name="Year 9 blog").is_visible()
    assert not any("Content Security Policy" in e for e in errors), errors
