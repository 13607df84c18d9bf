"""Illegal imagery (A.5.6, UKCIS guidance): quarantined, never previewed or exported, opened only by the DSL."""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile

from custos.audit.models import AuditEvent
from custos.cases import actions
from custos.cases.actions import IncomingFile
from custos.cases.models import Evidence
from custos.cases.tests.base import CasesTestCase
from custos.cases.types import CaseType

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class QuarantineTests(CasesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.case = self.open(
            CaseType.ILLEGAL_CONTENT, evidence_files=[IncomingFile("screenshot.png", PNG, "image/png")]
        )
        self.evidence = Evidence.objects.get(case=self.case)

    def test_a56_an_image_on_an_illegal_content_case_is_quarantined_and_kept_exactly_with_its_hash(self) -> None:
        self.assertTrue(self.evidence.quarantined)
        self.assertEqual(self.evidence.sha256, hashlib.sha256(PNG).hexdigest())
        self.assertEqual(self.evidence.stored_bytes(), PNG)
        self.assertTrue(self.evidence.hash_matches())

    def test_a56_quarantined_evidence_is_never_shown_inline_or_linked_for_download(self) -> None:
        page = self.client_for(self.dsl).get(f"/cases/{self.case.reference}/")
        content = page.content.decode()
        self.assertNotIn("<img", content)
        self.assertNotIn("screenshot.png", content)
        self.assertNotIn(f'/cases/{self.case.reference}/evidence/{self.evidence.pk}/"', content)
        self.assertIn("Quarantined", content)
        download = self.client_for(self.dsl).get(f"/cases/{self.case.reference}/evidence/{self.evidence.pk}/")
        self.assertEqual(download.status_code, 302)
        self.assertTrue(download["Location"].endswith("/quarantined/"))

    def test_a56_only_the_dsl_can_open_it_and_only_with_a_recorded_reason(self) -> None:
        url = f"/cases/{self.case.reference}/evidence/{self.evidence.pk}/quarantined/"
        for person in (self.deputy_dsl, self.head, self.teacher, self.outsider, self.hr):
            with self.subTest(person=person.username):
                self.assertIn(
                    self.client_for(person).post(url, {"reason": "I would like to look"}).status_code, (403, 404)
                )
        client = self.client_for(self.dsl)
        self.assertContains(client.post(url, {"reason": "short"}), "at least 10 characters")
        response = client.post(url, {"reason": "CEOP asked for the file hash and copy"})
        self.assertEqual(response.content, PNG)
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Content-Type"], "application/octet-stream")
        event = AuditEvent.objects.get(action="cases.quarantine_opened")
        self.assertEqual(event.changes["reason"], "CEOP asked for the file hash and copy")
        self.assertTrue(self.case.entries.filter(kind="quarantine_opened").exists())

    def test_a56_quarantined_files_have_no_public_url(self) -> None:
        with self.assertRaises(ValueError):
            _ = self.evidence.file.url

    def test_a23_images_on_a_safeguarding_case_are_quarantined_but_text_files_on_breaches_are_not(self) -> None:
        concern = self.open(CaseType.SAFEGUARDING, evidence_files=[SimpleUploadedFile("x.bin", PNG)])
        breach = self.open(CaseType.BREACH, evidence_files=[IncomingFile("post.txt", b"what he posted", "text/plain")])
        self.assertTrue(concern.evidence.get().quarantined)
        plain = breach.evidence.get()
        self.assertFalse(plain.quarantined)
        response = self.client_for(self.hr).get(f"/cases/{breach.reference}/evidence/{plain.pk}/", follow=True)
        self.assertEqual(response.redirect_chain[0][0].split("/")[1], "files")  # a signed link (issue 9)
        self.assertEqual(response.content, b"what he posted")
        self.assertIn("attachment", response["Content-Disposition"])

    def test_a56_evidence_hash_is_verified_on_display_and_tampering_is_shown(self) -> None:
        text_case = self.open(CaseType.BREACH, evidence_text="Original words")
        Evidence.objects.filter(case=text_case).update(text="Altered words")
        page = self.client_for(self.hr).get(f"/cases/{text_case.reference}/")
        self.assertContains(page, "Does not match")
        page = self.client_for(self.dsl).get(f"/cases/{self.case.reference}/")
        self.assertContains(page, "Verified: matches the hash taken on receipt")

    def test_oversized_evidence_is_refused_plainly(self) -> None:
        big = IncomingFile("huge.mp4", b"x" * (actions.MAX_EVIDENCE_BYTES + 1), "video/mp4")
        with self.assertRaisesMessage(actions.CaseError, "larger than 20 MB"):
            self.open(CaseType.ILLEGAL_CONTENT, evidence_files=[big])
