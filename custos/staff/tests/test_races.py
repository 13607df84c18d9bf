"""Two people acting on the same thing at once: exactly one wins, the other is told plainly (A.3.4, 10.1)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.utils import timezone

from custos.accounts.models import Role, School, Trust
from custos.policy.actions import (
    DEFAULT_POLICY,
    PolicyActionError,
    attach_draft,
    import_policy,
    open_review,
    publish_review,
)
from custos.policy.models import PolicyReview
from custos.sites.models import Hosting, Site, SiteKind, SiteState
from custos.staff.actions import StaffActionError, approve_post, start_post, submit_post
from custos.staff.models import OfficialPost, PostApproval
from custos.test import CustosTransactionTestCase, give_role, make_user


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each result is the value returned or the exception raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class RaceTests(CustosTransactionTestCase):
    def setUp(self) -> None:
        trust = Trust.objects.create(name="Trust")
        self.school = School.objects.create(trust=trust, name="Oakfield", urn="100001", website="https://o.example/")
        self.teacher = make_user("teacher", school=self.school)
        self.ict_a = make_user("ict_a", school=self.school)
        self.ict_b = make_user("ict_b", school=self.school)
        self.hr = make_user("hr", school=self.school)
        for person in (self.ict_a, self.ict_b):
            give_role(person, Role.ICT_MANAGER, self.school)
        give_role(self.hr, Role.HR, self.school)

    def test_a34_two_ict_managers_approving_at_once_make_one_approval(self) -> None:
        site = Site.objects.create(
            school=self.school,
            author=self.teacher,
            title="Club",
            kind=SiteKind.OWN,
            hosting=Hosting.SCHOOL,
            state=SiteState.LIVE,
        )
        post = start_post(site, author=self.teacher, title="Fair", body="Volcanoes.", author_position="Teacher")
        submit_post(post, by=self.teacher)

        def approve(person: Any) -> Callable[[], None]:
            return lambda: approve_post(
                OfficialPost.objects.get(pk=post.pk), by=person, step="ict", seen_sha256=post.content_sha256
            )

        results = race(approve(self.ict_a), approve(self.ict_b))
        self.assertEqual(PostApproval.objects.count(), 1)
        errors = [r for r in results if isinstance(r, StaffActionError)]
        self.assertEqual(len(errors), 1, results)
        self.assertIn("already been approved by someone else", str(errors[0]))

    def test_101_two_hr_people_publishing_at_once_publish_once(self) -> None:
        import_policy(DEFAULT_POLICY.read_text(), label="2026.1", by=None)
        review = open_review(review_date=timezone.localdate(), reason="Annual", by=self.hr)
        revised = DEFAULT_POLICY.read_text().replace("must decline", "must promptly decline")
        attach_draft(review, markdown=revised, label="2027.1", by=self.hr)

        def publish() -> Any:
            return publish_review(PolicyReview.objects.get(pk=review.pk), by=self.hr)

        results = race(publish, publish)
        errors = [r for r in results if isinstance(r, PolicyActionError)]
        self.assertEqual(len(errors), 1, results)
        self.assertEqual(PolicyReview.objects.get().state, "published")
