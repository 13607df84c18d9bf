"""In Debian's chromium: a teacher adds a phone photo to an official post through the form; the page shows the
re-encoded copy from the media origin, and it displays (A.5.2, A.3.4)."""

from __future__ import annotations

import copy
import io
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import override_settings
from PIL import Image

from custos.accounts.models import School, Trust
from custos.sites.models import Hosting, Site, SiteKind, SiteState
from custos.staff.actions import start_post
from custos.staff.models import PostImage
from custos.staff.tests.pictures import photo_with_gps
from custos.test import TEST_PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a52_a_photo_added_to_an_official_post_displays_without_its_gps(browser_page, live_server) -> None:
    port = urlsplit(live_server.url).port
    media = f"http://127.0.0.1:{port}"
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["img-src"].append(media)
    trust = Trust.objects.create(name="Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001", website="https://oak.example/")
    teacher = make_user("teacher", school=school)
    site = Site.objects.create(
        school=school, author=teacher, title="Science Club", kind=SiteKind.OWN, hosting=Hosting.SCHOOL,
        state=SiteState.LIVE,
    )  # fmt: skip
    post = start_post(site, author=teacher, title="Fair", body="Volcanoes erupted safely.", author_position="Teacher")
    with tempfile.TemporaryDirectory() as folder:
        photo = Path(folder) / "IMG_0042.jpg"
        photo.write_bytes(photo_with_gps())
        with override_settings(
            CUSTOS_MEDIA_ORIGIN=media, CONTENT_SECURITY_POLICY=policy, MEDIA_ROOT=Path(folder) / "media"
        ):
            page = browser_page
            page.goto("/account/login/")
            page.get_by_label("Email address or username").fill("teacher")
            page.get_by_label("Password").fill(TEST_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/")
            page.goto(f"/staff/posts/{post.pk}/")
            page.get_by_label("Image (required)", exact=True).set_input_files(str(photo))
            page.get_by_label("Describe the image for people who cannot see it").fill("Volcanoes at the fair")
            page.get_by_role("button", name="Add image").click()
            page.get_by_text("Image added.").wait_for()
            image = page.get_by_role("img", name="Volcanoes at the fair")
            assert image.get_attribute("src").startswith(f"{media}/files/")
            page.wait_for_function("document.querySelector('img.post-image').complete")
            assert image.evaluate("img => img.naturalWidth") == 64
            served = page.request.get(image.get_attribute("src")).body()
            with Image.open(io.BytesIO(served)) as kept:
                assert len(kept.getexif()) == 0
            assert PostImage.objects.get().content_type == "image/jpeg"
