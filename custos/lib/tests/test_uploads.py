"""Uploaded files on their own origin, as attachments, by short-lived signed links (issue 9; A.5.2, A.5.6, A.4.7)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import time_machine
from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from custos.audit.models import AuditEvent
from custos.cases.actions import IncomingFile
from custos.cases.models import Evidence
from custos.cases.tests.base import CasesTestCase
from custos.cases.types import CaseType
from custos.community.images import clean_image
from custos.community.models import Contribution, ContributionImage
from custos.community.tests.base import SpaceTestCase
from custos.community.tests.test_names import picture
from custos.lib import uploads
from custos.moderation.actions import approve
from custos.test import CustosTestCase

MEDIA = "https://media.testserver"
SEPARATE_ORIGIN = override_settings(
    CUSTOS_MEDIA_ORIGIN=MEDIA, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "media.testserver"]
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def path_of(url: str) -> str:
    return url.removeprefix(MEDIA)


class ImageLinkTests(SpaceTestCase):
    def with_image(self, user: Any = None) -> Contribution:
        return self.screened(user or self.pupil, "Our diagram", image=clean_image(picture()), alt_text="A diagram")

    def test_a52_a_signed_link_works_once_issued_and_expires_after_its_lifetime(self) -> None:
        item = self.with_image()
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
            url = uploads.image_url(item.image)
            self.assertEqual(self.client.get(url).status_code, 200)
            clock.shift(dt.timedelta(seconds=uploads.lifetime()))
            self.assertEqual(self.client.get(url).status_code, 200)
            clock.shift(dt.timedelta(seconds=2))
            self.assertEqual(self.client.get(url).status_code, 404)

    def test_a52_the_link_serves_the_re_encoded_image_as_an_attachment_that_cannot_run(self) -> None:
        item = self.with_image()
        response = self.client.get(uploads.image_url(item.image))
        self.assertEqual(response.content, bytes(item.image.data))
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertEqual(response["Content-Disposition"], f'attachment; filename="image-{item.image.pk}.jpg"')
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Content-Security-Policy"], "default-src 'none'; sandbox")
        self.assertEqual(response["Cross-Origin-Resource-Policy"], "cross-origin")
        self.assertEqual(response["Cache-Control"], f"private, max-age={uploads.lifetime()}")
        self.assertNotIn("Set-Cookie", response)

    def test_a52_a_stored_type_the_re_encoder_never_writes_goes_out_as_bytes(self) -> None:
        item = self.with_image()
        ContributionImage.objects.filter(pk=item.image.pk).update(content_type="text/html")
        item.image.refresh_from_db()
        response = self.client.get(uploads.image_url(item.image))
        self.assertEqual(response["Content-Type"], "application/octet-stream")
        self.assertIn(".bin", response["Content-Disposition"])

    def test_a52_a_tampered_or_wrong_kind_token_is_not_found(self) -> None:
        item = self.with_image()
        url = uploads.image_url(item.image)
        prefix, token, filename = url.rsplit("/", 2)
        kind, pk, rest = token.split(":", 2)
        other = f"{prefix}/{kind}:{int(pk) + 1}:{rest}/{filename}"
        wrong_kind = f"{prefix}/{uploads.CASE_EVIDENCE}:{pk}:{rest}/{filename}"
        logo_kind = f"{prefix}/{uploads.SCHOOL_LOGO}:{pk}:{rest}/{filename}"
        unknown = f"{prefix}/other:{pk}:{rest}/{filename}"
        renamed = f"{prefix}/{token}/image-{pk}.html"
        # A token signed for evidence with the same id is no image token.
        forged = (
            f"{prefix}/{signing.TimestampSigner(salt='custos.uploads.case-evidence').sign(f'{kind}:{pk}')}/{filename}"
        )
        for bad in (other, wrong_kind, logo_kind, unknown, renamed, forged, f"{prefix}/junk/{filename}", "/files/"):
            with self.subTest(url=bad):
                self.assertEqual(self.client.get(bad).status_code, 404)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_a53_a_pupil_who_may_not_see_a_pending_image_never_gets_a_link_for_it(self) -> None:
        item = self.with_image()
        self.assertEqual(item.state, "pending")
        link = uploads.image_url(item.image).split("/")[2]
        other = self.client_for(self.pupil2)
        for url in (
            reverse("community:space", args=[self.site.pk]),
            reverse("community:feed_json", args=[self.site.pk]),
            reverse("community:contribution", args=[self.site.pk, item.pk]),
            reverse("community:image", args=[self.site.pk, item.pk]),
        ):
            with self.subTest(url=url):
                response = other.get(url)
                self.assertNotIn(b"/files/", response.content)
                self.assertNotIn("Location", response)
        # Its author sees it, through a link; once approved, so does everyone in the space.
        self.assertContains(self.client_for(self.pupil).get(reverse("community:space", args=[self.site.pk])), link)
        approve(item, by=self.moderator)
        page = other.get(reverse("community:space", args=[self.site.pk]))
        self.assertContains(page, f'<img class="contribution__image" src="/files/{uploads.COMMUNITY_IMAGE}:')

    def test_a52_the_image_page_checks_membership_then_redirects_to_a_link(self) -> None:
        item = self.with_image()
        approve(item, by=self.moderator)
        url = reverse("community:image", args=[self.site.pk, item.pk])
        for outsider in (self.outsider, self.head, self.contractor):
            with self.subTest(user=outsider.username):
                self.assertEqual(self.client_for(outsider).get(url).status_code, 404)
        response = self.client_for(self.pupil2).get(url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(f"/files/{uploads.COMMUNITY_IMAGE}:"))
        self.assertEqual(self.client.get(response["Location"]).content, bytes(item.image.data))

    def test_a52_an_image_deleted_with_its_contribution_takes_its_link_with_it(self) -> None:
        item = self.with_image()
        url = uploads.image_url(item.image)
        Contribution.objects.filter(pk=item.pk).delete()
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_a52_images_on_the_space_page_cost_no_queries_each(self) -> None:
        approve(self.with_image(), by=self.moderator)
        client = self.client_for(self.pupil2)
        url = reverse("community:space", args=[self.site.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as one_image:
            client.get(url)
        for _ in range(2):
            approve(self.with_image(), by=self.moderator)
        with self.assertNumQueries(len(one_image)):
            self.assertContains(client.get(url), 'class="contribution__image"', count=3)


@SEPARATE_ORIGIN
class SeparateOriginTests(SpaceTestCase):
    def test_a52_links_point_at_the_media_origin_and_are_served_only_there(self) -> None:
        item = self.screened(self.pupil, "Our diagram", image=clean_image(picture()), alt_text="A diagram")
        url = uploads.image_url(item.image)
        self.assertTrue(url.startswith(f"{MEDIA}/files/"))
        served = self.client.get(path_of(url), HTTP_HOST="media.testserver", secure=True)
        self.assertEqual(served.status_code, 200)
        self.assertEqual(served["Content-Type"], "image/jpeg")
        self.assertNotIn("Set-Cookie", served)
        # The same link on the app's host is nothing.
        self.assertEqual(self.client_for(self.pupil).get(path_of(url), secure=True).status_code, 404)

    def test_a52_the_media_host_serves_no_page_of_the_app(self) -> None:
        client = self.client_for(self.pupil)
        for path in (
            "/",
            "/health/",
            "/account/login/",
            reverse("community:space", args=[self.site.pk]),
            "/static/custos/custos.css",
            "/media/logos/oak.png",
            "/django-admin/",
        ):
            with self.subTest(path=path):
                response = client.get(path, HTTP_HOST="media.testserver", secure=True)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("Set-Cookie", response)
        self.assertEqual(self.client.get("/health/", secure=True).status_code, 200)

    def test_a52_the_page_embeds_the_image_from_the_media_origin(self) -> None:
        approve(
            self.screened(self.pupil, "Our diagram", image=clean_image(picture()), alt_text="A diagram"),
            by=self.moderator,
        )
        page = self.client_for(self.pupil2).get(reverse("community:space", args=[self.site.pk]), secure=True)
        self.assertContains(page, f'src="{MEDIA}/files/{uploads.COMMUNITY_IMAGE}:')


class EvidenceLinkTests(CasesTestCase):
    def test_a56_plain_evidence_is_downloaded_by_a_recorded_redirect_to_a_short_lived_link(self) -> None:
        case = self.open(CaseType.BREACH, evidence_files=[IncomingFile("post.txt", b"what he posted", "text/plain")])
        evidence = case.evidence.get()
        response = self.client_for(self.hr).get(reverse("cases:evidence", args=[case.reference, evidence.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(f"/files/{uploads.CASE_EVIDENCE}:"))
        self.assertTrue(AuditEvent.objects.filter(action="cases.evidence_downloaded").exists())
        served = self.client.get(response["Location"])
        self.assertEqual(served.content, b"what he posted")
        self.assertEqual(served["Content-Type"], "application/octet-stream")
        self.assertEqual(
            served["Content-Disposition"], f'attachment; filename="{case.reference}-evidence-{evidence.pk}.bin"'
        )
        self.assertEqual(served["X-Content-Type-Options"], "nosniff")
        self.assertEqual(served["Content-Security-Policy"], "default-src 'none'; sandbox")
        self.assertEqual(served["Cache-Control"], "no-store")
        with time_machine.travel(dt.timedelta(seconds=uploads.lifetime() + 1)):
            self.assertEqual(self.client.get(response["Location"]).status_code, 404)

    def test_a56_outsiders_get_no_evidence_link(self) -> None:
        case = self.open(CaseType.BREACH, evidence_files=[IncomingFile("post.txt", b"what he posted", "text/plain")])
        url = reverse("cases:evidence", args=[case.reference, case.evidence.get().pk])
        for person in (self.outsider, self.teacher, self.pupil):
            with self.subTest(person=person.username):
                response = self.client_for(person).get(url)
                self.assertIn(response.status_code, (403, 404))
                self.assertNotIn("/files/", response.get("Location", ""))

    def test_a56_quarantined_evidence_never_gets_a_link(self) -> None:
        case = self.open(CaseType.ILLEGAL_CONTENT, evidence_files=[IncomingFile("shot.png", PNG, "image/png")])
        evidence = case.evidence.get()
        self.assertTrue(evidence.quarantined)
        with self.assertRaises(uploads.NoLink):
            uploads.evidence_url(evidence)
        dsl = self.client_for(self.dsl)
        self.assertNotContains(dsl.get(reverse("cases:case", args=[case.reference])), "/files/")
        download = dsl.get(reverse("cases:evidence", args=[case.reference, evidence.pk]))
        self.assertEqual(download["Location"], reverse("cases:quarantine", args=[case.reference, evidence.pk]))
        opened = dsl.post(download["Location"], {"reason": "CEOP asked for the file hash and copy"})
        self.assertEqual(opened.content, PNG)
        self.assertTrue(opened["Content-Disposition"].startswith("attachment; "))

    def test_a56_evidence_quarantined_after_its_link_was_issued_is_no_longer_served(self) -> None:
        case = self.open(CaseType.BREACH, evidence_files=[IncomingFile("post.txt", b"what he posted", "text/plain")])
        evidence = case.evidence.get()
        url = uploads.evidence_url(evidence)
        Evidence.objects.filter(pk=evidence.pk).update(quarantined=True)
        self.assertEqual(self.client.get(url).status_code, 404)


class LogoTests(CustosTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.school.logo.save("oak.png", ContentFile(PNG), save=True)

    def test_a47_the_logo_url_on_the_app_origin_redirects_to_a_stable_signed_link(self) -> None:
        response = self.client.get(self.school.logo.url)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], uploads.logo_url(self.school))
        served = self.client.get(response["Location"])
        self.assertEqual(served.content, PNG)
        self.assertEqual(served["Content-Type"], "application/octet-stream")
        self.assertEqual(served["Content-Disposition"], f'attachment; filename="school-{self.school.pk}-logo.bin"')
        self.assertEqual(served["X-Content-Type-Options"], "nosniff")
        self.assertEqual(served["Content-Security-Policy"], "default-src 'none'; sandbox")
        self.assertEqual(served["Cache-Control"], f"public, max-age={uploads.LOGO_CACHE_SECONDS}")
        with time_machine.travel(dt.timedelta(days=60)):
            self.assertEqual(self.client.get(response["Location"]).status_code, 200)

    def test_a47_a_replaced_logo_gets_a_new_link_and_the_old_one_stops(self) -> None:
        old = uploads.logo_url(self.school)
        self.school.logo.save("oak-2026.png", ContentFile(PNG + b"new"), save=True)
        self.assertNotEqual(uploads.logo_url(self.school), old)
        self.assertEqual(self.client.get(old).status_code, 404)
        self.assertEqual(self.client.get(uploads.logo_url(self.school)).content, PNG + b"new")

    def test_a47_only_logos_are_reachable_under_media(self) -> None:
        Path(settings.MEDIA_ROOT, "logos").mkdir(parents=True, exist_ok=True)
        Path(settings.MEDIA_ROOT, "logos", "stray.png").write_bytes(PNG)
        for path in ("/media/logos/stray.png", "/media/logos/../logos/oak.png", "/media/other/x.png"):
            with self.subTest(path=path):
                self.assertEqual(self.client_for(self.teacher).get(path).status_code, 404)

    def test_a47_every_page_shows_the_logo_through_the_media_link(self) -> None:
        page = self.client_for(self.teacher).get("/")
        self.assertContains(page, f'src="{self.school.logo.url}"')
        self.assertEqual(self.client.get(self.school.logo.url)["Location"], uploads.logo_url(self.school))


def _settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    code = "import django, json; django.setup(); from django.conf import settings as s; "
    code += "print(json.dumps([s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'], s.ALLOWED_HOSTS]))"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "custos.settings", "CUSTOS_DEBUG": "1", **env}
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False, timeout=60
    )


class MediaOriginSettingsTests(CustosTestCase):
    def test_a52_the_apps_csp_lets_images_come_from_the_media_origin_and_its_host_is_allowed(self) -> None:
        result = _settings_with(CUSTOS_MEDIA_ORIGIN="https://media.custos.example.org/")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn('"https://media.custos.example.org"]', result.stdout)
        self.assertIn('"media.custos.example.org"', result.stdout)

    def test_a52_a_media_origin_with_a_path_or_no_host_refuses_to_start(self) -> None:
        for bad in ("https://custos.example.org/media", "media.custos.example.org", "ftp://media.example.org"):
            with self.subTest(origin=bad):
                result = _settings_with(CUSTOS_MEDIA_ORIGIN=bad)
                self.assertNotEqual(result.returncode, 0)
                self.assertIn("CUSTOS_MEDIA_ORIGIN must be an origin", result.stderr)


class PostImageLinkTests(CasesTestCase):
    def test_a34_an_official_post_image_is_served_from_a_signed_link_as_an_attachment(self) -> None:
        from custos.sites.models import Site
        from custos.staff.models import OfficialPost, PostImage

        site = Site.objects.create(school=self.school, author=self.teacher, title="Science blog")
        post = OfficialPost.objects.create(site=site, author=self.teacher, title="News", body="Hello")
        image = PostImage(post=post, alt_text="A plant", sha256="0" * 64)
        image.image.save("plant.png", ContentFile(b"PNG bytes"), save=True)
        response = self.client.get(uploads.post_image_url(image))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response.content, b"PNG bytes")
        tampered = uploads.post_image_url(image).replace("post-image:", "post-image:9")
        self.assertEqual(self.client.get(tampered).status_code, 404)

    def test_a34_a_re_encoded_post_image_downloads_as_the_picture_it_is(self) -> None:
        from custos.sites.models import Site
        from custos.staff.models import OfficialPost, PostImage

        site = Site.objects.create(school=self.school, author=self.teacher, title="Science blog")
        post = OfficialPost.objects.create(site=site, author=self.teacher, title="News", body="Hello")
        image = PostImage(post=post, alt_text="A plant", sha256="0" * 64, content_type="image/png")
        image.image.save("plant.png", ContentFile(b"PNG bytes"), save=True)
        url = uploads.post_image_url(image)
        self.assertTrue(url.endswith(f"/post-image-{image.pk}.png"), url)
        response = self.client.get(url)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertEqual(response["Content-Disposition"], f'attachment; filename="post-image-{image.pk}.png"')
