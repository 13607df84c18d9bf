"""10.1: HR reviews the policy with the unions, drafts a new version, sees the diff, and publishes it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from custos.accounts.models import Kind
from custos.audit.models import AuditEvent
from custos.mail.models import Email
from custos.policy.actions import (
    DEFAULT_POLICY,
    PolicyActionError,
    acknowledge,
    add_consultation_note,
    attach_draft,
    close_review,
    import_policy,
    open_review,
    publish_review,
)
from custos.policy.diff import Change, diff_clauses, word_diff
from custos.policy.models import Acknowledgement, PolicyReview, PolicyVersion, ReviewState
from custos.test import CustosTestCase

POLICY = DEFAULT_POLICY.read_text(encoding="utf-8")
REVISED = (
    POLICY.replace(
        "Staff members must decline ‘friend requests’", "Staff members must promptly decline ‘friend requests’"
    )
    .replace(
        "- **6.15**",
        "- **6.16** Staff members must not livestream lessons on personal accounts.\n- **6.15**",
    )
    .replace("- **6.11** Staff members must not edit open access online encyclopaedias", "- **6.11X** Removed")
)


class DiffTests(CustosTestCase):
    def test_101_the_diff_lists_added_removed_and_changed_clauses(self) -> None:
        old = [("1.1", "Be kind online."), ("1.2", "Ask first."), ("1.3", "Keep it private.")]
        new = [("1.1", "Be  kind online."), ("1.3", "Keep it strictly private."), ("1.4", "Log off at night.")]
        changes = {d.number: d.change for d in diff_clauses(old, new)}
        self.assertEqual(
            changes, {"1.1": Change.UNCHANGED, "1.2": Change.REMOVED, "1.3": Change.CHANGED, "1.4": Change.ADDED}
        )
        self.assertEqual([d.number for d in diff_clauses(old, new)], ["1.1", "1.2", "1.3", "1.4"])

    def test_101_changed_text_is_diffed_word_by_word(self) -> None:
        runs = [
            (r.op, r.text) for r in word_diff("Staff must decline requests", "Staff must promptly decline requests")
        ]
        self.assertEqual(runs, [("equal", "Staff must"), ("insert", "promptly"), ("equal", "decline requests")])
        replaced = [(r.op, r.text) for r in word_diff("use Twitter daily", "use Mastodon daily")]
        self.assertEqual(
            replaced, [("equal", "use"), ("delete", "Twitter"), ("insert", "Mastodon"), ("equal", "daily")]
        )


class ReviewTests(CustosTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.version, _ = import_policy(POLICY, label="2026.1", by=None)
        for person in (self.hr, self.head, self.teacher):
            acknowledge(person, self.version)
        self.due = timezone.localdate() + dt.timedelta(days=60)

    def _drafted(self) -> PolicyReview:
        review = open_review(review_date=self.due, reason="New platforms", by=self.hr)
        add_consultation_note(review, organisation="NEU", met_on=timezone.localdate(), notes="Agreed 6.6", by=self.hr)
        attach_draft(review, markdown=REVISED, label="2027.1", by=self.hr)
        return review

    def test_101_hr_opens_a_review_notes_the_consultation_and_drafts_a_version_not_yet_in_force(self) -> None:
        review = self._drafted()
        self.assertEqual(review.state, ReviewState.DRAFTED)
        self.assertEqual(review.notes.get().organisation, "NEU")
        self.assertFalse(review.draft.is_current)
        self.assertEqual(PolicyVersion.objects.get(is_current=True), self.version)

    def test_101_the_review_page_shows_the_changed_clauses_as_a_diff(self) -> None:
        review = self._drafted()
        page = self.client_for(self.hr).get(f"/policy/reviews/{review.pk}/")
        self.assertContains(page, "Changed wording")
        self.assertContains(page, '<ins><span class="visually-hidden">[added: </span>promptly')
        self.assertContains(page, "1 added: 6.16")
        self.assertContains(page, "6.11X")

    def test_101_publishing_puts_the_draft_in_force_and_asks_everyone_again(self) -> None:
        review = self._drafted()
        new = publish_review(review, by=self.hr)
        self.assertTrue(new.is_current)
        self.assertEqual(new.in_force_from, timezone.localdate())
        self.assertFalse(PolicyVersion.objects.get(pk=self.version.pk).is_current)
        event = AuditEvent.objects.get(action="policy.published")
        self.assertEqual(event.changes["added"], ["6.16"])
        self.assertIn("6.6", event.changes["changed"])
        staff = set(Email.objects.filter(subject__contains="2027.1").values_list("recipient__kind", flat=True))
        self.assertEqual(staff, {Kind.STAFF})
        self.assertEqual(self.client_for(self.teacher).get("/").status_code, 302)
        # Acknowledgements made before keep pointing at the version in force when they were made.
        self.assertEqual(Acknowledgement.objects.get(user=self.teacher).version, self.version)

    def test_101_two_hr_people_publishing_at_once_publish_once(self) -> None:
        review = self._drafted()
        stale = PolicyReview.objects.get(pk=review.pk)
        publish_review(review, by=self.hr)
        with self.assertRaisesMessage(PolicyActionError, "published"):
            publish_review(stale, by=self.hr)
        self.assertEqual(AuditEvent.objects.filter(action="policy.published").count(), 1)

    def test_101_only_one_review_at_a_time_and_a_finished_one_takes_no_notes(self) -> None:
        review = open_review(review_date=self.due, reason="Annual", by=self.hr)
        with self.assertRaisesMessage(PolicyActionError, "already under way"):
            open_review(review_date=self.due, reason="Again", by=self.hr)
        close_review(review, by=self.hr, reason="No change needed")
        with self.assertRaisesMessage(PolicyActionError, "finished"):
            add_consultation_note(review, organisation="NEU", met_on=timezone.localdate(), notes="x", by=self.hr)

    def test_101_a_draft_identical_to_the_policy_in_force_is_refused(self) -> None:
        review = open_review(review_date=self.due, reason="Annual", by=self.hr)
        with self.assertRaisesMessage(PolicyActionError, "word for word"):
            attach_draft(review, markdown=POLICY, label="2027.1", by=self.hr)
        self.assertEqual(PolicyReview.objects.get().state, ReviewState.OPEN)

    def test_101_publishing_without_a_draft_is_refused(self) -> None:
        review = open_review(review_date=self.due, reason="Annual", by=self.hr)
        with self.assertRaisesMessage(PolicyActionError, "Attach the draft"):
            publish_review(review, by=self.hr)

    def test_101_hr_uses_the_pages_end_to_end(self) -> None:
        client = self.client_for(self.hr)
        response = client.post("/policy/reviews/", {"review_date": self.due.isoformat(), "reason": "Annual"})
        review = PolicyReview.objects.get()
        self.assertRedirects(response, f"/policy/reviews/{review.pk}/")
        url = f"/policy/reviews/{review.pk}/"
        bad = client.post(url, {"step": "draft", "draft-label": "2027.1", "draft-markdown": "no clauses"})
        self.assertContains(bad, "The draft could not be read")
        client.post(url, {"step": "draft", "draft-label": "2027.1", "draft-markdown": REVISED})
        client.post(url, {"step": "publish"})
        self.assertEqual(PolicyVersion.objects.get(is_current=True).label, "2027.1")
        # HR is staff too: the new version is theirs to confirm before they go on.
        self.assertEqual(client.get(url).status_code, 302)
        acknowledge(self.hr, PolicyVersion.objects.get(label="2027.1"))
        again = client.post(url, {"step": "publish"})
        self.assertContains(again, "cannot become published")

    def test_101_a_review_date_in_the_past_is_refused(self) -> None:
        response = self.client_for(self.hr).post("/policy/reviews/", {"review_date": "2001-01-01", "reason": "x"})
        self.assertContains(response, "today or later (10.1)")
        self.assertFalse(PolicyReview.objects.exists())

    def test_101_only_hr_may_review_the_policy(self) -> None:
        review = open_review(review_date=self.due, reason="Annual", by=self.hr)
        for person in (self.head, self.teacher, self.outsider):
            acknowledge(person, self.version) if person == self.outsider else None
            with self.subTest(person=person.username):
                client = self.client_for(person)
                self.assertEqual(client.get("/policy/reviews/").status_code, 403)
                self.assertEqual(client.post(f"/policy/reviews/{review.pk}/", {"step": "publish"}).status_code, 403)

    def test_101_every_member_of_staff_may_see_what_changed_between_versions(self) -> None:
        import_policy(REVISED, label="2027.1", by=None, make_current=False)
        page = self.client_for(self.teacher).get("/policy/versions/2026.1/changes/2027.1/")
        self.assertContains(page, "What changed from version 2026.1 to 2027.1")
        self.assertContains(page, "Removed clause")
        self.assertEqual(self.client_for(self.pupil).get("/policy/versions/2026.1/changes/2027.1/").status_code, 403)
