"""A.5.4 (issue 14): a moderator approving a flagged item, or escalating one screening found clean, is kept as a
labelled example for retraining screening, with the item, the moderator and the time; deleted with the item;
exported by ``manage.py export_screening_feedback`` as JSON Lines; audited."""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from custos.api.models import ExternalComment
from custos.audit.models import AuditEvent
from custos.cases.models import Case
from custos.community.models import Contribution, ContributionState
from custos.community.tests.base import SpaceTestCase
from custos.moderation import actions as moderation
from custos.moderation import feedback
from custos.moderation.models import ScreeningExample
from custos.moderation.tests.test_third_party_comments import CommentQueueTestCase

# Screening finds nothing in it; the moderator knows why it worries them.
CLEAN = "See you all at the bus stop at 8 tomorrow."
EXPORT_KEYS = ["id", "group", "text", "labels", "voice", "form", "negative_for"]


def export(*args: str) -> list[dict[str, object]]:
    out = io.StringIO()
    call_command("export_screening_feedback", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


class ConcernNamesTests(SpaceTestCase):
    def test_a54_the_concerns_are_the_names_screening_trains_for(self) -> None:
        try:
            from custos.screening.concerns import Concern  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            self.skipTest("custos.screening.concerns has not landed yet")
        self.assertEqual({getattr(c, "value", c) for c in Concern}, set(feedback.CONCERNS))


class ApprovedFlaggedTests(SpaceTestCase):
    def flagged(self, text: str = "you are such an idiot lol") -> Contribution:
        item = self.screened(self.pupil, text)
        self.assertGreaterEqual(item.severity_rank, 1, item.findings)
        return item

    def test_a54_approving_a_flagged_item_keeps_it_as_an_example_of_nothing_to_flag(self) -> None:
        item = self.flagged()
        concerns = feedback.flagged_concerns(item.findings)
        self.assertTrue(concerns)
        before = timezone.now()
        moderation.approve(item, by=self.moderator, overrule_reason="Friends joking; nobody is upset.")
        example = ScreeningExample.objects.get()
        self.assertEqual(
            (example.contribution, example.text, example.labels, example.negative_for, example.moderator),
            (item, item.body, [], concerns, self.moderator),
        )
        self.assertEqual((example.form, example.voice), ("moderator_approved", "pupil_11_13"))  # born 2013
        self.assertGreaterEqual(example.created_at, before)
        event = AuditEvent.objects.get(action="moderation.screening_example")
        self.assertEqual(event.object_id, str(item.pk))
        self.assertEqual(event.changes["negative_for"], concerns)

    def test_a54_approving_a_clean_item_or_one_flagged_only_by_rules_keeps_nothing(self) -> None:
        moderation.approve(self.screened(self.pupil, "We launched the rocket."), by=self.moderator)
        phone = self.screened(self.pupil, "Ring me on 07700 900123")
        moderation.approve(phone, by=self.moderator, overrule_reason="It is the school office number.")
        self.assertFalse(ScreeningExample.objects.exists())

    def test_a54_32_an_example_is_deleted_with_its_item(self) -> None:
        item = self.flagged()
        moderation.approve(item, by=self.moderator, overrule_reason="Joking.")
        Contribution.objects.filter(pk=item.pk).delete()
        self.assertFalse(ScreeningExample.objects.exists())

    def test_32_the_retention_page_shows_how_long_examples_are_kept(self) -> None:
        page = self.client_for(self.dsl).get(reverse("privacy:retention"))
        self.assertContains(page, "screening examples")
        self.assertContains(page, "Deleted with it")


class EscalatedCleanTests(SpaceTestCase):
    def test_a54_escalating_a_clean_item_needs_the_kind_of_concern_and_changes_nothing_without_it(self) -> None:
        item = self.screened(self.pupil, CLEAN)
        self.assertEqual((item.state, item.severity_rank), (ContributionState.PENDING, 0))
        for concern in ("", "not_a_concern"):
            with self.assertRaises(moderation.ConcernNeeded):
                moderation.escalate(item, by=self.moderator, note="Sounds low.", concern=concern)
        item.refresh_from_db()
        self.assertEqual(item.state, ContributionState.PENDING)
        self.assertFalse(Case.objects.exists())
        moderation.escalate(item, by=self.moderator, note="Sounds low.", concern="self_harm")
        example = ScreeningExample.objects.get()
        self.assertEqual(
            (example.labels, example.negative_for, example.form, example.moderator),
            (["self_harm"], [], "moderator_escalated", self.moderator),
        )

    def test_a54_the_queue_asks_for_the_kind_of_concern_keeps_it_when_refused_and_records_it(self) -> None:
        item = self.screened(self.pupil, CLEAN)
        client = self.client_for(self.moderator)
        page = client.get(reverse("moderation:queue", args=[self.site.pk]))
        self.assertContains(page, f'id="q-concern-{item.pk}"')
        self.assertContains(page, "What kind of concern")
        url = reverse("moderation:decide", args=[item.pk])
        refused = client.post(url, {"action": "escalate", "note": "She was told not to go alone."})
        self.assertContains(refused, "choose what kind of concern it is", status_code=400)
        self.assertContains(refused, f'href="#q-concern-{item.pk}"', status_code=400)
        self.assertContains(refused, 'aria-invalid="true"', status_code=400)
        client.post(url, {"action": "escalate", "note": "She was told not to go alone.", "concern": "grooming"})
        self.assertEqual(ScreeningExample.objects.get().labels, ["grooming"])

    def test_a54_escalating_a_flagged_item_needs_no_concern_and_keeps_no_example(self) -> None:
        item = self.screened(self.pupil, "you are such an idiot lol")
        self.assertGreaterEqual(item.severity_rank, 1)
        self.assertNotContains(
            self.client_for(self.moderator).get(reverse("moderation:queue", args=[self.site.pk])),
            f'id="q-concern-{item.pk}"',
        )
        moderation.escalate(item, by=self.moderator, note="Part of a pattern.")
        self.assertFalse(ScreeningExample.objects.exists())

    def test_a54_voices_staff_public_and_pupils_by_age(self) -> None:
        staff = self.screened(self.teacher, "See you in Lab 3.")
        public = self.screened(self.external, "The festival opens on Saturday.")
        self.assertEqual((feedback.voice_of(staff), feedback.voice_of(public)), ("staff", "public"))
        pupil = self.screened(self.pupil, "Hello")
        for born, voice in ((dt.date(2017, 1, 1), "pupil_8_10"), (dt.date(2011, 1, 1), "pupil_14_16")):
            self.pupil_record.date_of_birth = born
            self.pupil_record.save()
            pupil.author.pupil.refresh_from_db()
            self.assertEqual(feedback.voice_of(pupil), voice)


class ThirdPartyFeedbackTests(CommentQueueTestCase):
    def test_a54_a55_keeping_a_flagged_comment_and_escalating_a_clean_one_are_kept(self) -> None:
        flagged, clean = self.comments("you are such an idiot lol", "Is the match still on at 10?")
        self.assertEqual((flagged.severity, clean.severity), ("block", "clean"))
        moderation.keep_comment(flagged, by=self.moderator)
        with self.assertRaises(moderation.ConcernNeeded):
            moderation.escalate_comment(clean, by=self.moderator, note="Worried.")
        moderation.escalate_comment(clean, by=self.moderator, note="Worried.", concern="abuse_disclosure")
        kept, escalated = ScreeningExample.objects.order_by("pk")
        self.assertEqual((kept.comment, kept.form, kept.labels), (flagged, "moderator_approved", []))
        self.assertTrue(kept.negative_for)
        self.assertEqual(
            (escalated.comment, escalated.labels, escalated.voice), (clean, ["abuse_disclosure"], "public")
        )
        ExternalComment.objects.filter(pk=flagged.pk).delete()
        self.assertEqual(list(ScreeningExample.objects.all()), [escalated])


class ExportTests(SpaceTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.approved = self.screened(self.pupil, "you are such an idiot lol")
        moderation.approve(self.approved, by=self.moderator, overrule_reason="Joking.")
        self.escalated = self.screened(self.pupil, CLEAN)
        moderation.escalate(self.escalated, by=self.moderator, note="Left out.", concern="bullying")

    def test_a54_the_export_writes_one_json_object_a_line_in_the_training_shape(self) -> None:
        first, second = export()
        a, _ = ScreeningExample.objects.order_by("pk")
        self.assertEqual(list(first), EXPORT_KEYS)
        self.assertEqual(
            first,
            {
                "id": f"fb-{a.pk}", "group": f"fb-{a.pk}", "text": "you are such an idiot lol", "labels": [],
                "voice": "pupil_11_13", "form": "moderator_approved", "negative_for": a.negative_for,
            },
        )  # fmt: skip
        self.assertEqual(
            (second["labels"], second["form"], second["negative_for"]), (["bullying"], "moderator_escalated", [])
        )
        event = AuditEvent.objects.get(action="moderation.screening_examples_exported")
        self.assertEqual((event.changes["count"], event.changes["to"]), (2, "standard output"))

    def test_a54_since_and_out(self) -> None:
        ScreeningExample.objects.filter(contribution=self.approved).update(
            created_at=timezone.now() - dt.timedelta(days=30)
        )
        since = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "feedback.jsonl"
            call_command("export_screening_feedback", "--since", since, "--out", str(out), stderr=io.StringIO())
            lines = out.read_text(encoding="utf-8").splitlines()
        self.assertEqual([json.loads(line)["labels"] for line in lines], [["bullying"]])

    def test_a54_a_bad_date_or_an_unwritable_file_is_a_clear_error_and_nothing_is_audited(self) -> None:
        with self.assertRaisesMessage(CommandError, "--since must be a date like"):
            call_command("export_screening_feedback", "--since", "last week")
        with self.assertRaisesMessage(CommandError, "Cannot write"):
            call_command("export_screening_feedback", "--out", "/nonexistent/folder/feedback.jsonl")
        self.assertFalse(AuditEvent.objects.filter(action="moderation.screening_examples_exported").exists())
