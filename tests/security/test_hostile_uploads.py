"""Hostile uploads through the real upload views: community images (A.5.1, A.5.2), official-post images (A.4.2)
and case evidence (A.5.6). Each is refused with a clear message and nothing is saved — or, for case evidence,
which must be kept exactly as received, kept byte for byte but only ever handed out as an inert download from the
media origin (custos/lib/uploads.py)."""

from __future__ import annotations

import io
import shutil
import struct
import tempfile
import zlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from custos.audit.models import AuditEvent
from custos.cases import actions as case_actions
from custos.cases.models import Case, Evidence
from custos.cases.types import CaseType
from custos.community.images import MAX_BYTES
from custos.community.models import Contribution, ContributionImage
from custos.community.tests.base import SpaceTestCase
from custos.staff.actions import start_post
from custos.staff.forms import MAX_IMAGE_BYTES
from custos.staff.models import PostImage
from custos.staff.tests.helpers import approved_site

SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int = 4, height: int = 4, *, idat: bytes | None = None, extra_chunks: bytes = b"") -> bytes:
    """A grey PNG built by hand, so its header can claim any size."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    if idat is None:
        idat = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)), 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + extra_chunks + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def real_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


# A file that is an HTML page to anything that sniffs it and starts like a PNG only further in.
HTML_FIRST_POLYGLOT = SCRIPT + png()
# A valid PNG carrying a script in a text chunk and again after its end: both a picture and a page.
PNG_WITH_HTML = png(extra_chunks=_chunk(b"tEXt", b"Comment\x00" + SCRIPT))[:-12] + png()[-12:] + SCRIPT
# Decompression bombs: a real 6,000 x 6,000 image in a few kilobytes, and a header claiming 400 megapixels.
PIXEL_BOMB = png(6000, 6000, idat=zlib.compress(b"\x00" * (6001 * 6000), 9))
HEADER_BOMB = png(20000, 20000, idat=zlib.compress(b"\x00" * 20001, 9))


class CommunityImageUploadTests(SpaceTestCase):
    """The only image upload pupils and external members have (A.5.1, A.5.2)."""

    def _upload(self, name: str, content: bytes, content_type: str = "image/png") -> str:
        url = reverse("community:contribute", kwargs={"pk": self.site.pk})
        pupil = self.client_for(self.pupil)
        before = (Contribution.objects.count(), ContributionImage.objects.count(), AuditEvent.objects.count())
        response = pupil.post(
            url,
            {
                "body": "Our experiment",
                "alt_text": "The experiment",
                "image": SimpleUploadedFile(name, content, content_type),
            },
        )
        self.assertEqual(response.status_code, 400)
        after = (Contribution.objects.count(), ContributionImage.objects.count(), AuditEvent.objects.count())
        self.assertEqual(after, before, "a refused upload saved something")
        return response.content.decode()

    def test_a52_an_html_page_dressed_as_a_png_is_refused(self) -> None:
        page = self._upload("photo.png", HTML_FIRST_POLYGLOT)
        self.assertIn("That file is not an image we can read. Upload a JPEG, PNG or WebP image.", page)

    def test_a52_a_real_decompression_bomb_is_refused_before_decoding(self) -> None:
        self.assertLess(len(PIXEL_BOMB), 100_000)
        page = self._upload("bomb.png", PIXEL_BOMB)
        self.assertIn("The image is 6000 × 6000 pixels; the most allowed is 25 megapixels. Make it smaller.", page)

    def test_a52_a_header_claiming_400_megapixels_is_refused(self) -> None:
        page = self._upload("bomb.png", HEADER_BOMB)
        self.assertIn("The image has too many pixels to be opened safely (over 25 megapixels).", page)

    def test_a51_a_file_over_5_mb_is_refused(self) -> None:
        huge = real_photo() + b"\x00" * MAX_BYTES
        page = self._upload("huge.jpg", huge, "image/jpeg")
        self.assertIn("The image is larger than 5 MB. Make it smaller and try again.", page)

    def test_a52_double_extensions_are_refused_by_content(self) -> None:
        for name, content in (("photo.jpg.html", SCRIPT), ("evil.php.png", b"<?php system($_GET['c']); ?>\n")):
            with self.subTest(name=name):
                page = self._upload(name, content)
                self.assertIn("That file is not an image we can read. Upload a JPEG, PNG or WebP image.", page)

    def test_a52_a_png_carrying_a_script_keeps_only_its_pixels(self) -> None:
        # A real picture with a page hidden in it is a picture: it is re-encoded from its pixels, so the stored
        # and served bytes hold no trace of the script, and it is served as an image that must not be sniffed.
        url = reverse("community:contribute", kwargs={"pk": self.site.pk})
        upload = SimpleUploadedFile("photo.png", PNG_WITH_HTML, "text/html")
        response = self.client_for(self.pupil).post(url, {"body": "Look", "alt_text": "Grey", "image": upload})
        self.assertEqual(response.status_code, 302)
        stored = ContributionImage.objects.get()
        self.assertNotIn(b"script", bytes(stored.data))
        self.assertEqual(stored.content_type, "image/jpeg")
        link = self.client_for(self.pupil).get(
            reverse("community:image", kwargs={"pk": self.site.pk, "cid": stored.contribution_id})
        )
        self.assertEqual(link.status_code, 302)  # to a short-lived link on the media origin
        served = self.client.get(link["Location"])
        self.assertEqual(served["Content-Type"], "image/jpeg")
        self.assertTrue(served["Content-Disposition"].startswith("attachment;"))
        self.assertEqual(served["X-Content-Type-Options"], "nosniff")
        self.assertNotIn(b"script", served.content)


NOT_AN_IMAGE = "That file is not an image we can read. Upload a JPEG, PNG or WebP image."


class OfficialPostImageUploadTests(SpaceTestCase):
    """Images staff attach to official posts (A.4.2), checked by content like community images (A.5.2)."""

    def _upload(self, name: str, content: bytes) -> str:
        post = start_post(
            approved_site(self), author=self.teacher, title="Science fair", body="Volcanoes.",
            author_position="Science teacher",
        )  # fmt: skip
        teacher = self.client_for(self.teacher)
        before = (PostImage.objects.count(), AuditEvent.objects.count())
        response = teacher.post(
            reverse("staff_post", kwargs={"pk": post.pk}),
            {"step": "add_image", "image-alt_text": "The fair", "image-image": SimpleUploadedFile(name, content)},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual((PostImage.objects.count(), AuditEvent.objects.count()), before)
        return response.content.decode()

    def test_a42_double_extension_html_is_refused_whatever_it_holds(self) -> None:
        self.assertIn("File extension “html” is not allowed.", self._upload("photo.jpg.html", SCRIPT))
        # Even a real picture is refused under a name a web server would serve as a page.
        self.assertIn("File extension “html” is not allowed.", self._upload("photo.jpg.html", real_photo()))

    def test_a42_text_named_png_is_refused(self) -> None:
        page = self._upload("evil.php.png", b"<?php system($_GET['c']); ?>\n")
        self.assertIn(NOT_AN_IMAGE, page)

    def test_a42_html_page_dressed_as_png_is_refused(self) -> None:
        self.assertIn(NOT_AN_IMAGE, self._upload("photo.png", HTML_FIRST_POLYGLOT))

    def test_a42_a_header_claiming_400_megapixels_is_refused(self) -> None:
        page = self._upload("bomb.png", HEADER_BOMB)
        self.assertIn("The image has too many pixels to be opened safely (over 25 megapixels).", page)

    def test_a42_a_file_over_2_5_mb_is_refused(self) -> None:
        page = self._upload("huge.jpg", real_photo() + b"\x00" * MAX_IMAGE_BYTES)
        self.assertIn("The image is larger than 2.5 MB: make it smaller and try again.", page)


class CaseEvidenceUploadTests(SpaceTestCase):
    """Evidence is kept exactly as received (A.5.6): hostile files are not altered, but never served as anything
    a browser would render."""

    def setUp(self) -> None:
        super().setUp()
        root = tempfile.mkdtemp(prefix="custos-hostile-evidence-")
        self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        overridden = override_settings(CUSTOS_CASE_EVIDENCE_ROOT=root)
        overridden.enable()
        self.addCleanup(overridden.disable)
        self.case = case_actions.open_case(
            case_type=CaseType.BREACH, school=self.school, reported_by=self.teacher,
            summary="A post on a personal account named a pupil.", source="report_form",
        )  # fmt: skip
        self.hr_client = self.client_for(self.hr)

    def _add(self, name: str, content: bytes) -> Any:
        return self.hr_client.post(
            reverse("cases:action", kwargs={"reference": self.case.reference, "action": "evidence"}),
            {"text": "", "file": SimpleUploadedFile(name, content, "text/html")},
        )

    def test_a56_evidence_over_20_mb_is_refused_and_nothing_saved(self) -> None:
        before = (Evidence.objects.count(), AuditEvent.objects.count())
        response = self._add("recording.mp4", b"\x00" * (case_actions.MAX_EVIDENCE_BYTES + 1))
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            "“recording.mp4” is larger than 20 MB. Keep the original and describe where it is.",
            response.content.decode(),
        )
        self.assertEqual((Evidence.objects.count(), AuditEvent.objects.count()), before)

    def test_a56_hostile_files_are_kept_exactly_but_only_downloaded_inert(self) -> None:
        for name, content in (
            ("photo.jpg.html", SCRIPT),
            ("evil.php.png", b"<?php system($_GET['c']); ?>\n"),
            ("photo.png", HTML_FIRST_POLYGLOT),
        ):
            with self.subTest(name=name):
                self.assertEqual(self._add(name, content).status_code, 302)
                evidence = Evidence.objects.filter(case=self.case).latest("pk")
                self.assertEqual(evidence.stored_bytes(), content)
                link = self.hr_client.get(
                    reverse("cases:evidence", kwargs={"reference": self.case.reference, "evidence_id": evidence.pk})
                )
                self.assertEqual(link.status_code, 302)  # to a short-lived link on the media origin
                download = self.client.get(link["Location"])
                self.assertEqual(download.status_code, 200)
                self.assertEqual(download.content, content)
                self.assertEqual(download["Content-Type"], "application/octet-stream")
                disposition = download["Content-Disposition"]
                self.assertTrue(disposition.startswith("attachment;"), disposition)
                self.assertFalse(disposition.rstrip('"').endswith((".html", ".php", ".png")), disposition)
                self.assertEqual(download["X-Content-Type-Options"], "nosniff")
                self.assertIn("sandbox", download["Content-Security-Policy"])
        self.assertEqual(Case.objects.count(), 1)
