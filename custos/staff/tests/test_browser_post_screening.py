"""In Debian's chromium on a phone-sized screen: an official post is screened as the author types (A.4.10), from
our own static script, and the page fits the screen."""

import pytest

from custos.accounts.models import School, Trust
from custos.sites.models import Hosting, Site, SiteKind, SiteState
from custos.test import TEST_PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a410_findings_appear_as_the_author_types(browser_page) -> None:
    trust = Trust.objects.create(name="Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001", website="https://oak.example/")
    teacher = make_user("teacher", school=school)
    site = Site.objects.create(
        school=school,
        author=teacher,
        title="Science Club",
        kind=SiteKind.OWN,
        hosting=Hosting.SCHOOL,
        state=SiteState.LIVE,
    )
    page = browser_page
    page.goto("/account/login/")
    page.get_by_label("Email address or username").fill("teacher")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    page.goto(f"/staff/posts/new/{site.pk}/")
    page.get_by_label("Title").fill("Our club")
    page.get_by_label("Text of the post").press_sequentially("I personally think", delay=20)
    finding = page.locator("#findings .finding").first
    finding.wait_for()
    assert "A.4.10" in finding.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
