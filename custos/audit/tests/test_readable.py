"""The audit log reads as English (issue 18 item 3): each event a sentence with people's names, its details in
plain words, the raw record one click away; no code names or dictionaries in what is shown."""

from __future__ import annotations

import re

from django.db import transaction

from custos.audit.actions import record
from custos.audit.wording import humanise
from custos.test import CustosTestCase

CODE_NAME = re.compile(r"\b[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)+\b|\b[a-z]+\.[a-z]+_[a-z]+\b|\{'")


def shown(html: str) -> str:
    """The page as a reader sees it before opening any raw record: folded <details> and markup removed."""
    html = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


class ReadableAuditTests(CustosTestCase):
    def test_events_read_as_sentences_with_names_and_the_raw_record_one_click_away(self) -> None:
        with transaction.atomic():
            record(self.dsl, "cases.viewed", self.school, changes={"reason": "", "as_owner": True},
                   school_id=self.school.pk)  # fmt: skip
            record(self.head, "cases.opened", self.school, changes={"routed_to": [self.dsl.pk, self.deputy_dsl.pk]},
                   school_id=self.school.pk)  # fmt: skip
            record(
                self.ict_manager,
                "site.extension_requested",
                self.school,
                changes={"months": 6},
                school_id=self.school.pk,
            )
        page = self.client_for(self.head).get("/audit/").content.decode()
        visible = shown(page)
        self.assertIn(f"{self.dsl.get_full_name()} opened Oakfield Academy", visible)
        self.assertIn(
            f"Sent to {self.dsl.get_full_name()}, {self.deputy_dsl.get_full_name()}", " ".join(visible.split())
        )
        self.assertIn("As the case owner", visible)
        self.assertIn("Site: extension requested", visible)
        for raw in ("cases.viewed", "cases.opened", "site.extension_requested", "{'", "routed_to", "as_owner"):
            self.assertNotIn(raw, visible)
        self.assertIn("Raw record", page)
        self.assertIn("cases.viewed", page)  # still there, one click away, for the auditor
        self.assertIsNone(CODE_NAME.search(visible), CODE_NAME.search(visible))
        self.assertIn(f"{self.head.get_full_name()} signed in", visible)
        self.assertNotIn(f"signed in {self.head.get_full_name()}", visible)

    def test_an_action_with_no_sentence_still_reads_as_words(self) -> None:
        self.assertEqual(
            humanise("moderation.comment_escalated_on_arrival"), "Moderation: comment escalated on arrival"
        )
