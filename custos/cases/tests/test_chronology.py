"""A pupil's chronology (A.2.3): one page per pupil for the DSL and deputies, every record about them they may
open in time order, filtered and printable, each opening audited with a reason."""

from __future__ import annotations

import shutil
import tempfile

from django.test import override_settings

from custos.accounts.models import Pupil
from custos.audit.models import AuditEvent
from custos.cases import actions
from custos.cases.models import Case
from custos.cases.types import CaseType
from custos.community.tests.base import SpaceTestCase

DISCLOSURE = "he touched me and said keep it secret"
REASON = "Preparing for the child protection conference"


class ChronologyTests(SpaceTestCase):
    def setUp(self) -> None:
        super().setUp()
        root = tempfile.mkdtemp(prefix="custos-case-evidence-")
        self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        evidence = override_settings(CUSTOS_CASE_EVIDENCE_ROOT=root)
        evidence.enable()
        self.addCleanup(evidence.disable)
        self.url = f"/cases/pupils/{self.pupil_record.pk}/chronology/"

    def open(self, case_type: str, summary: str, pupil: Pupil | None = None, **extra: object) -> Case:
        return actions.open_case(
            case_type=case_type,
            school=extra.pop("school", self.school),  # type: ignore[arg-type]
            reported_by=self.teacher,
            summary=summary,
            source="report_form",
            linked_pupils=[pupil or self.pupil_record],
            **extra,  # type: ignore[arg-type]
        )

    def page(self, user: object = None, query: str = "") -> str:
        client = self.client_for(user or self.dsl)  # type: ignore[arg-type]
        client.post(self.url, {"reason": REASON})
        response = client.get(self.url + query)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_a23_the_chronology_lists_every_record_the_viewer_may_open_in_time_order_and_nothing_else(self) -> None:
        self.screened(self.pupil, DISCLOSURE)  # a flagged post and its case
        concern = self.open(CaseType.SAFEGUARDING, "Upset in the playground about messages")
        actions.add_entry(concern, by=self.dsl, kind="note", text="Spoke to the pupil with their form tutor.")
        self.open(CaseType.FRIEND_REQUEST, "Friend request on Instagram")
        self.open(CaseType.BREACH, "A member of staff posted the pupil's photo")  # the DSL may not open breaches
        self.open(CaseType.SAFEGUARDING, "About another child", pupil=self.pupil2_record)
        page = self.page()
        for words in (
            "Post on “",
            "flagged by screening",
            DISCLOSURE,
            "Upset in the playground",
            "Spoke to the pupil with their form tutor.",
            "Friend request on Instagram",
        ):
            self.assertIn(words, page)
        self.assertNotIn("posted the pupil&#x27;s photo", page)
        self.assertNotIn("About another child", page)
        self.assertLess(page.index("flagged by screening"), page.index("Upset in the playground"))
        self.assertLess(page.index("Upset in the playground"), page.index("Friend request on Instagram"))

    def test_a23_filters_narrow_it_and_the_printable_version_says_it_is_confidential(self) -> None:
        self.screened(self.pupil, DISCLOSURE)
        self.open(CaseType.FRIEND_REQUEST, "Friend request on Instagram")
        page = self.page(query="?case_type=friend_request")
        self.assertIn("Friend request on Instagram", page)
        self.assertNotIn("flagged by screening", page)
        page = self.page(query="?kind=flagged")
        self.assertNotIn("Friend request on Instagram", page)
        self.assertIn("flagged by screening", page)
        printed = self.page(query="?print=1")
        self.assertIn("Confidential: safeguarding record", printed)
        self.assertIn("Friend request on Instagram", printed)

    def test_a23_only_the_dsl_and_deputies_open_it_each_time_with_a_reason_in_the_audit_log(self) -> None:
        self.open(CaseType.SAFEGUARDING, "Upset in the playground")
        for person in (self.head, self.teacher, self.pastoral, self.exec_head, self.outsider, self.pupil):
            with self.subTest(person=person.username):
                self.assertEqual(self.client_for(person).get(self.url).status_code, 404)
        client = self.client_for(self.deputy_dsl)
        self.assertContains(client.get(self.url), "Why do you need this pupil")
        self.assertContains(client.post(self.url, {"reason": "n/a"}), "Say in a few words", status_code=400)
        self.assertFalse(AuditEvent.objects.filter(action="cases.chronology_viewed").exists())
        client.post(self.url, {"reason": REASON})
        client.get(self.url)
        client.get(self.url + "?print=1")
        events = AuditEvent.objects.filter(action="cases.chronology_viewed")
        self.assertEqual(events.count(), 2)
        self.assertEqual(events.first().changes["reason"], REASON)  # type: ignore[union-attr]

    def test_a23_the_case_page_links_to_the_chronology_for_the_dsl(self) -> None:
        case = self.open(CaseType.SAFEGUARDING, "Upset in the playground")
        self.assertContains(self.client_for(self.dsl).get(f"/cases/{case.reference}/"), self.url)
