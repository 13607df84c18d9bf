"""A.2.3, A.5.6: the safeguarding lead reads a case in plain English: where it came from, when it was written,
who escalated it, and what screening found, with the words it matched; people labelled by what they are; never
internal ids or Python data."""

from __future__ import annotations

import datetime as dt
import html
import re

import time_machine
from django.urls import reverse

from custos.accounts import access
from custos.accounts.models import Kind
from custos.cases import actions, reported
from custos.cases.models import Case
from custos.cases.tests.base import CasesTestCase
from custos.cases.types import CaseType
from custos.community.tests.base import SpaceTestCase
from custos.moderation import actions as moderation
from custos.test import make_user

DISCLOSURE = "he touched me and said keep it secret  (really)"
WRITTEN = dt.datetime(2026, 11, 24, 2, 18, 16, tzinfo=dt.UTC)  # GMT in November: 02:18 in London too
RAW = ("contribution_id", "site_id", "written_at", "escalated_by", "screening_reasons", "[{", "{'", "'category'")


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


class EscalatedCasePageTests(SpaceTestCase, CasesTestCase):
    def escalated_case(self, body: str = DISCLOSURE) -> Case:
        with time_machine.travel(WRITTEN, tick=False):
            self.screened(self.pupil, body)
        return Case.objects.get()

    def page_for(self, user, case: Case) -> str:
        response = self.client_for(user).get(reverse("cases:case", args=[case.reference]))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_a56_an_escalated_contribution_reads_in_plain_english_without_internal_data(self) -> None:
        case = self.escalated_case()
        self.assertIn("contribution_id", case.details)  # the record keeps everything, as received
        page = self.page_for(self.dsl, case)
        words = text_of(page)
        for raw in RAW:
            self.assertNotIn(raw, page)
        self.assertNotIn("community.contribution:", page)
        self.assertNotIn("None", words)
        # Where it came from, in words: what it was and on which site, never "contribution 10".
        self.assertIn(f"({reported.CODED_VALUES['kind'][case.details['kind']].lower()} on “{self.site.title}”)", words)
        self.assertNotRegex(words, r"contribution \d")
        self.assertIn("Written Tue 24 Nov 2026, 02:18", words)
        self.assertIn("Escalated by Screening, automatically", words)
        self.assertIn(f"Where it came from “{self.site.title}”, {self.school.name}", words)
        self.assertIn("What it was A post", words)
        shown = ["Where it came from", "What it was", "Written", "Escalated by", "What screening found"]
        self.assertEqual(sorted(shown, key=words.index), shown)

    def test_a56_the_site_is_linked_only_for_people_who_may_open_it(self) -> None:
        case = self.escalated_case()
        link = f'href="{reverse("sites:detail", args=[self.site.pk])}"'
        self.assertEqual(link in self.page_for(self.dsl, case), access.can(self.dsl, "sites.view_site", self.site))

    def test_a56_screening_findings_are_listed_in_words_with_the_words_they_matched(self) -> None:
        case = self.escalated_case()
        findings = case.details["findings"]
        self.assertTrue(findings)
        page = self.page_for(self.dsl, case)
        words = text_of(page)
        self.assertIn("What screening found", words)
        for finding in findings:
            self.assertIn(reported.CATEGORY_WORDS[finding["category"]], words)
            self.assertIn(reported.SEVERITY_WORDS[finding["severity"]], words)
            self.assertIn(finding["reason"], words)
            for start, end in finding["spans"]:
                self.assertIn(f"<mark>“{html.escape(DISCLOSURE[start:end])}”</mark>", page)

    def test_a23_a_moderators_escalation_names_the_moderator(self) -> None:
        item = self.screened(self.pupil, "I do not want to go home tonight")
        if not Case.objects.exists():
            moderation.escalate(item, by=self.moderator, note="Worried about home.", concern="abuse_disclosure")
        case = Case.objects.get()
        expected = "Screening, automatically" if case.reported_by is None else self.moderator.get_full_name()
        self.assertIn(f"Escalated by {expected}", text_of(self.page_for(self.dsl, case)))
        self.assertNotIn(f"({case.source_ref})", self.page_for(self.dsl, case))

    def test_a23_the_pupil_author_is_listed_once_as_a_pupil_never_as_a_member_of_staff(self) -> None:
        case = self.escalated_case()
        self.assertIn(self.pupil, case.linked_users.all())
        words = text_of(self.page_for(self.dsl, case))
        self.assertNotIn("Member of staff:", words)
        self.assertEqual(words.count(f"Pupil: {self.pupil_record.known_as}"), 1)
        self.assertRegex(words, rf"Pupil: {self.pupil_record.known_as}, (legal name [^,]+, )?Year 8[ ,]")


class LinkedPeopleAndOtherDetailsTests(CasesTestCase):
    def page_for(self, user, case: Case) -> str:
        return text_of(self.client_for(user).get(reverse("cases:case", args=[case.reference])).content.decode())

    def test_a23_linked_people_are_labelled_staff_or_external_member_by_what_they_are(self) -> None:
        case = self.open(CaseType.SAFEGUARDING)
        visitor = make_user("visitor", school=None, kind=Kind.EXTERNAL, first_name="Vic", last_name="Visitor")
        actions.link(case, by=self.dsl, users=[self.moderator, visitor])
        words = self.page_for(self.dsl, case)
        self.assertIn(f"Member of staff: {self.moderator.get_full_name()}", words)
        self.assertIn("External member: Vic Visitor", words)
        self.assertNotIn("Member of staff: Vic Visitor", words)

    def test_a23_report_form_answers_and_unknown_details_show_as_labels_and_values_never_python(self) -> None:
        case = self.open(
            CaseType.FRIEND_REQUEST,
            details={
                "Which app or site?": "Instagram",
                "When did you receive it?": "2026-03-02",
                "I have declined the friend request": "True",
                "mystery_key": [1, {"nested_thing": None}, False],
            },
        )
        client = self.client_for(self.pastoral)
        page = client.get(reverse("cases:case", args=[case.reference])).content.decode()
        words = text_of(page)
        self.assertIn("Which app or site? Instagram", words)
        self.assertIn("When did you receive it? Mon 2 Mar 2026", words)
        self.assertIn("I have declined the friend request Yes", words)
        self.assertIn("Mystery key 1; Nested thing: Not recorded; No", words)
        # In the order the form asks, on PostgreSQL too (jsonb keeps keys in its own order).
        asked = ["Which app or site?", "When did you receive it?", "I have declined the friend request"]
        self.assertEqual(sorted(asked, key=words.index), asked)
        for raw in ("mystery_key", "[1", "{'", "None", "True"):
            self.assertNotIn(raw, words)


class DescribeTests(CasesTestCase):
    """The shapes other apps write (custos.moderation.escalation), read without a page."""

    def test_a55_a_third_party_comments_details_read_in_words(self) -> None:
        details = {
            "external_comment_id": 7,
            "external_id": "yt-123",
            "site_id": None,
            "host_platform": "YouTube",
            "author_name": "someone",
            "author_kind": "external",
            "url": "https://example.com/watch?v=1",
            "posted_at": "2026-11-24T02:18:16.418693+00:00",
            "received_at": "2026-06-01T12:00:00+00:00",
            "findings": [
                {"category": "hate", "severity": "escalate", "clauses": ["A.5.6"], "spans": [[4, 9]], "reason": "Hate"}
            ],
            "screening_reasons": "Hate (A.5.6)",
            "escalated_by": None,
        }
        result = reported.describe(details, viewer=self.dsl, text="you awful people")
        facts = {fact.label: fact.value for fact in result.facts}
        self.assertEqual(facts["Posted on the platform"], "Tue 24 Nov 2026, 02:18")
        self.assertEqual(facts["Received from the platform"], "Mon 1 Jun 2026, 13:00")  # BST
        self.assertEqual(facts["Author is"], "An external member of the public")
        self.assertEqual(facts["Escalated by"], "Screening, automatically")
        self.assertNotIn("Screening reasons", facts)
        self.assertNotIn("External comment id", facts)
        self.assertEqual(result.findings[0].category, "Hate speech")
        self.assertEqual(result.findings[0].matched, ("awful",))

    def test_a23_words_a_person_typed_are_never_translated_as_codes(self) -> None:
        facts = reported.describe({"Which app or site?": "post", "kind": "post"}, viewer=self.dsl).facts
        self.assertEqual(
            [(f.label, f.value) for f in facts], [("What it was", "A post"), ("Which app or site?", "post")]
        )

    def test_a56_findings_with_spans_outside_the_text_match_nothing_rather_than_failing(self) -> None:
        findings = [{"category": "abuse", "severity": "block", "spans": [[50, 60], ["x", 2]], "reason": "r"}]
        self.assertEqual(reported.finding_views(findings, "short")[0].matched, ())
        self.assertEqual(reported.finding_views("not a list", "short"), [])

    def test_a56_source_references_read_as_words_and_other_systems_references_stay_as_given(self) -> None:
        label = reported.source_ref_label
        self.assertEqual(label("community.contribution:1"), "a contribution on a school-hosted site")
        self.assertEqual(
            label("community.contribution:10", {"kind": "post"}, "Year 8 Science"), "a post on “Year 8 Science”"
        )
        self.assertEqual(
            label("api.external_comment:5", {"host_platform": "YouTube"}, "Sports Day"),
            "a comment on “Sports Day”, received from YouTube",
        )
        self.assertEqual(label("api.external_comment:5"), "a comment received from a third-party platform")
        self.assertEqual(label("MIS-9931"), "MIS-9931")
