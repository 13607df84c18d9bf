"""A.5.2, A.4.9, 5.4, A.5.3: a contribution screening marked ``block`` (a phone number, a pupil's full name) is never
posted by one tap. A moderator may overrule a false alarm only deliberately, saying why the finding is wrong, and
the reason is kept in the audit event. One marked ``escalate`` is never approved at all (A.5.6)."""

from __future__ import annotations

import datetime as dt
import re
import threading

from django.urls import reverse

from custos.accounts.models import User
from custos.audit.models import AuditEvent
from custos.community import actions as community
from custos.community.models import Contribution, ContributionState, Membership
from custos.community.tests.base import SpaceTestCase, make_space
from custos.moderation import actions
from custos.tasks.worker import run_once
from custos.test import CustosTransactionTestCase, make_user

PHONE = "ring me 07700 900123"


def article(page: str, pk: int) -> str:
    """The queue's <article> for item ``pk``."""
    match = re.search(rf'<article[^>]*aria-labelledby="q{pk}">.*?</article>', page, re.S)
    assert match, f"item {pk} is not in the queue"
    return match.group(0)


class OverruleTests(SpaceTestCase):
    def blocked(self) -> Contribution:
        item = self.screened(self.pupil, PHONE)
        self.assertEqual((item.state, item.severity), (ContributionState.PENDING, "block"))
        return item

    def queue(self) -> str:
        return self.client_for(self.moderator).get(reverse("moderation:queue", args=[self.site.pk])).content.decode()

    def test_a52_a49_a_blocked_contribution_is_not_approved_by_one_call_without_a_reason(self) -> None:
        item = self.blocked()
        with self.assertRaisesMessage(actions.OverruleNeeded, "A telephone number"):
            actions.approve(item, by=self.moderator)
        item.refresh_from_db()
        self.assertEqual(item.state, ContributionState.PENDING)
        self.assertFalse(AuditEvent.objects.filter(action="moderation.approved").exists())

    def test_a49_tapping_approve_on_a_blocked_item_publishes_nothing_and_says_what_to_do(self) -> None:
        item = self.blocked()
        response = self.client_for(self.moderator).post(
            reverse("moderation:decide", args=[item.pk]), {"action": "approve", "note": ""}, follow=True
        )
        self.assertContains(response, "Not approved. Screening found: A telephone number", status_code=400)
        self.assertContains(response, "Approve anyway", status_code=400)
        self.assertContains(response, '<details class="overrule" open>', status_code=400)
        item.refresh_from_db()
        self.assertEqual(item.state, ContributionState.PENDING)
        other = self.client_for(self.pupil2)
        self.assertNotContains(other.get(reverse("community:space", args=[self.site.pk])), "07700")
        self.assertNotContains(other.get(reverse("community:feed_json", args=[self.site.pk])), "07700")

    def test_a52_the_queue_offers_no_one_tap_approve_for_a_blocked_item_only_approve_anyway(self) -> None:
        blocked = self.blocked()
        clean = self.screened(self.pupil2, "Our beans grew 4 cm")
        page = self.queue()
        self.assertIn('value="approve" class="button">Approve<', article(page, clean.pk))
        self.assertNotIn('name="overrule_reason"', article(page, clean.pk))
        mine = article(page, blocked.pk)
        self.assertNotIn('name="action" value="approve" class="button">Approve<', mine)
        self.assertIn("<summary>Approve anyway: the screening finding is wrong", mine)
        self.assertRegex(mine, r'<textarea name="overrule_reason" id="q-why-\d+"[^>]* required')
        self.assertIn("Why the finding is wrong", mine)

    def test_54_a_moderator_overrules_a_false_alarm_with_a_reason_kept_in_the_audit_event(self) -> None:
        item = self.blocked()
        response = self.client_for(self.moderator).post(
            reverse("moderation:decide", args=[item.pk]),
            {"action": "approve", "overrule_reason": "  It is the science club's experiment code,\nnot a phone. "},
            follow=True,
        )
        self.assertContains(response, "Approved anyway: members can now see it.")
        item.refresh_from_db()
        self.assertEqual(item.state, ContributionState.APPROVED)
        event = AuditEvent.objects.get(action="moderation.approved", object_id=str(item.pk))
        self.assertEqual(event.actor_id, self.moderator.pk)
        self.assertTrue(event.changes["overruled_screening"])
        self.assertEqual(event.changes["overrule_reason"], "It is the science club's experiment code, not a phone.")
        self.assertEqual([f["kind"] for f in event.changes["overruled_findings"]], [item.findings[0]["kind"]])
        self.assertEqual(event.changes["clauses"], ["A.5.2", "A.4.9", "5.4", "A.5.3"])
        self.assertContains(self.client_for(self.pupil2).get(reverse("community:space", args=[self.site.pk])), "07700")

    def test_a52_an_overrule_with_a_blank_or_overlong_reason_changes_nothing(self) -> None:
        item = self.blocked()
        for bad in ("", "   \n ", "x" * 1001):
            with self.subTest(reason=bad[:10]), self.assertRaises(actions.OverruleNeeded):
                actions.approve(item, by=self.moderator, overrule_reason=bad)
        item.refresh_from_db()
        self.assertEqual(item.state, ContributionState.PENDING)
        self.assertFalse(AuditEvent.objects.filter(action="moderation.approved").exists())

    def test_a54_a_warn_or_clean_item_is_still_approved_with_one_tap_and_no_overrule_recorded(self) -> None:
        item = self.screened(self.pupil, "Our volcano erupted")
        Contribution.objects.filter(pk=item.pk).update(severity_rank=1)
        item.refresh_from_db()
        actions.approve(item, by=self.moderator)
        event = AuditEvent.objects.get(action="moderation.approved", object_id=str(item.pk))
        self.assertNotIn("overrule_reason", event.changes)

    def test_a56_an_item_marked_escalate_is_never_approved_even_with_a_reason(self) -> None:
        item = self.screened(self.pupil, "Hello club")
        finding = {"category": "safeguarding", "kind": "self_harm", "severity": "escalate", "clauses": ["A.2.3"],
                   "reason": "Possible self-harm.", "start": 0, "end": 5, "spans": [[0, 5]]}  # fmt: skip
        Contribution.objects.filter(pk=item.pk).update(severity_rank=3, findings=[finding])
        item.refresh_from_db()
        for reason in ("", "I know this pupil, it is fine"):
            with self.subTest(reason=reason), self.assertRaisesMessage(actions.ModerationError, "never be approved"):
                actions.approve(item, by=self.moderator, overrule_reason=reason)
        item.refresh_from_db()
        self.assertEqual(item.state, ContributionState.PENDING)
        mine = article(self.queue(), item.pk)
        self.assertNotIn('value="approve"', mine)
        self.assertNotIn("Approve anyway", mine)
        self.assertIn('value="escalate"', mine)

    def test_a49_an_outsider_cannot_overrule(self) -> None:
        item = self.blocked()
        for user in (self.outsider, self.pupil2, self.dsl):
            response = self.client_for(user).post(
                reverse("moderation:decide", args=[item.pk]), {"action": "approve", "overrule_reason": "Fine"}
            )
            self.assertEqual(response.status_code, 404, user)
        item.refresh_from_db()
        self.assertEqual(item.state, ContributionState.PENDING)


class TwoModeratorsOverrulingAtOnceTests(CustosTransactionTestCase):
    """Two moderators overrule (or one overrules while the other rejects) the same blocked item at once: exactly
    one decision stands, and only the winner's overrule is audited."""

    def test_a54_two_moderators_deciding_a_blocked_item_at_once_exactly_one_wins(self) -> None:
        from custos.accounts.models import Kind, Pupil, School, Trust

        trust = Trust.objects.create(name="T")
        school = School.objects.create(trust=trust, name="Oakfield", urn="100019", website="https://o.example/")
        admin = make_user("admin", school=school)
        mods = [make_user(f"mod{n}", school=school) for n in range(2)]
        pupil = make_user("kid", school=school, kind=Kind.PUPIL)
        Pupil.objects.create(school=school, upn="C1", legal_first_name="K", legal_last_name="L", year_group=8,
                             date_of_birth=dt.date(2012, 1, 1), user=pupil)  # fmt: skip
        site = make_space(school, admin, mods, [admin])
        community.invite(site, by=admin, users=[pupil])
        community.accept_terms(Membership.objects.get(user=pupil), by=pupil)
        item = community.contribute(site, by=pupil, body=PHONE)
        run_once()
        self.assertEqual(Contribution.objects.get(pk=item.pk).severity, "block")
        for first, second in (("overrule", "overrule"), ("overrule", "reject")):
            Contribution.objects.filter(pk=item.pk).update(state="pending", decided_by=None, decided_at=None)
            before = AuditEvent.objects.filter(action="moderation.approved").count()
            outcomes = race(item.pk, list(zip(mods, (first, second), strict=True)))
            winners = [o for o in outcomes if o.startswith("won:")]
            self.assertEqual(len(winners), 1, outcomes)
            state = Contribution.objects.get(pk=item.pk).state
            self.assertEqual(state, "approved" if winners[0] == "won:overrule" else "rejected")
            approvals = AuditEvent.objects.filter(action="moderation.approved").count() - before
            self.assertEqual(approvals, 1 if winners[0] == "won:overrule" else 0)


def race(pk: int, deciders: list[tuple[User, str]]) -> list[str]:
    """Each moderator decides item ``pk`` in their own thread and connection, released together."""
    barrier = threading.Barrier(len(deciders))
    outcomes: list[str] = []

    def decide(moderator: User, what: str) -> None:
        from django.db import connections

        mine = Contribution.objects.select_related("site", "site__school").get(pk=pk)
        barrier.wait()
        try:
            if what == "overrule":
                actions.approve(mine, by=moderator, overrule_reason="A test code, not a phone number.")
            else:
                actions.reject(mine, by=moderator, house_rule=2)
            outcomes.append(f"won:{what}")
        except Exception as error:  # AlreadyDecided, or SQLite refusing the second writer: a loss either way
            outcomes.append(f"lost:{error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=pair) for pair in deciders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes
