"""A.5.5, A.5.6 in a real browser at 360 px: a moderator finds a third-party site's comments from the moderation
home, reads the highlighted finding and confirms an escalated comment was removed on the host platform."""

import pytest

from custos.accounts.models import School, Trust
from custos.api import actions as api_actions
from custos.api.models import ExternalComment
from custos.community.tests.base import make_space
from custos.sites.models import Hosting, HostPlatform, SiteState
from custos.test import TEST_PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a55_a_moderator_confirms_a_comment_removed_on_the_host_at_360px(browser_page) -> None:
    trust = Trust.objects.create(name="Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001", website="https://oak.example/")
    admin = make_user("admin", school=school)
    mod = make_user("mod", school=school)
    facebook, _ = HostPlatform.objects.get_or_create(name="Facebook", defaults={"minimum_age": 13})
    site = make_space(
        school, admin, [mod], [admin], title="Oakfield PE", hosting=Hosting.THIRD_PARTY, state=SiteState.APPROVED,
        host_platform=facebook,
    )  # fmt: skip
    token = api_actions.create_token(school=school, name="Export", scopes=["comments:submit"], by=admin).token
    incoming = [
        api_actions.IncomingComment(external_id="fb-1", text="he touched me and said keep it secret"),
        api_actions.IncomingComment(external_id="fb-2", text="Ring me on 07700 900123"),
    ]
    api_actions.submit_third_party_comments(token, site=site, comments=incoming)

    page = browser_page
    page.goto("/account/login/")
    page.get_by_label("Email address or username").fill("mod")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    page.goto("/moderation/")
    page.get_by_role("link", name="Oakfield PE").click()
    page.wait_for_url(f"**/moderation/third-party/{site.pk}/")
    assert page.get_by_role("heading", name="Comments to review: Oakfield PE").is_visible()
    assert page.locator("mark").count() >= 1
    assert page.get_by_text("Escalated to the safeguarding lead when it arrived").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    escalated = ExternalComment.objects.get(external_id="fb-1")
    page.get_by_label("I have removed this comment on Facebook").first.check()
    page.get_by_role("button", name=f"Confirm removed (comment {escalated.pk})").click()
    page.wait_for_url(f"**/moderation/third-party/{site.pk}/")
    assert page.get_by_text("Recorded as removed from the host site.").is_visible()
    escalated.refresh_from_db()
    assert escalated.state == "removed"
