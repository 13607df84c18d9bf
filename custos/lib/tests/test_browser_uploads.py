"""In a real browser: a pupil's page shows a community image and the school logo from a separate media origin,
although both are served as attachments (issue 9; A.5.2, A.4.7)."""

from __future__ import annotations

import copy
import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import override_settings

from custos.community import actions as community
from custos.community.images import clean_image
from custos.community.models import Membership
from custos.community.tests.base import make_space
from custos.community.tests.test_names import picture
from custos.moderation.actions import approve
from custos.tasks.worker import run_once
from custos.test import TEST_PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG_LOGO = picture("PNG", (40, 40)).getvalue()


def test_a52_images_served_as_attachments_from_the_media_origin_still_display(browser_page, live_server) -> None:
    from custos.accounts.models import Kind, Pupil, School, Trust

    # The app on "localhost", the media origin on "127.0.0.1": the same server, two origins.
    port = urlsplit(live_server.url).port
    media = f"http://127.0.0.1:{port}"
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["img-src"].append(media)
    trust = Trust.objects.create(name="Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001", website="https://oak.example/")
    school.logo.save("oak.png", ContentFile(PNG_LOGO), save=True)
    teacher = make_user("teacher", school=school, job_title="Science teacher")
    moderator = make_user("moderator", school=school)
    pupil = make_user("pupil", school=school, kind=Kind.PUPIL)
    Pupil.objects.create(
        school=school, upn="A123456789012", legal_first_name="Jameson", legal_last_name="Rivers",
        year_group=8, date_of_birth=dt.date(2013, 3, 14), user=pupil,
    )  # fmt: skip
    site = make_space(school, teacher, [moderator], [teacher])
    community.invite(site, by=teacher, users=[pupil])
    community.accept_terms(Membership.objects.get(site=site, user=pupil), by=pupil)
    item = community.contribute(site, by=pupil, body="Our diagram", image=clean_image(picture()), alt_text="Diagram")
    run_once()
    item.refresh_from_db()
    approve(item, by=moderator)

    with override_settings(CUSTOS_MEDIA_ORIGIN=media, CONTENT_SECURITY_POLICY=policy):
        page = browser_page
        assert urlsplit(live_server.url).hostname == "localhost"
        page.goto("/account/login/")
        page.get_by_label("Email address or username").fill("pupil")
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")
        page.goto(f"/spaces/{site.pk}/")
        image = page.get_by_role("img", name="Diagram")
        assert image.get_attribute("src").startswith(f"{media}/files/")
        page.wait_for_function("document.querySelector('.contribution__image').complete")
        assert image.evaluate("img => img.naturalWidth") == 64
        logo = page.locator(".space-brand img")
        page.wait_for_function("document.querySelector('.space-brand img').complete")
        assert logo.evaluate("img => img.naturalWidth") == 40
        assert logo.evaluate("img => img.currentSrc").startswith(f"{media}/files/school-logo:")
        response = page.request.get(image.get_attribute("src"))
        assert response.headers["content-disposition"].startswith("attachment; ")
