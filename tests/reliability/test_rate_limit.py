"""A pupil flooding a space is stopped at the site's limit, through the real view, while everyone else carries on
(A.5.3, A.5.4: the moderators' queue must stay workable; the count comes from the database, so it holds across
processes)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from custos.community.models import Contribution, SpaceSettings
from custos.community.tests.base import SpaceTestCase

LIMIT = 15
ATTEMPTS = 1_000


class RateLimitTests(SpaceTestCase):
    @pytest.fixture(autouse=True)
    def _figures(self, figure: Callable[[str], None]) -> None:
        self.figure = figure

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # The site's administrators' setting (no action edits it yet); the default is 10.
        SpaceSettings.objects.create(site=cls.site, rate_limit_per_minute=LIMIT)

    def test_a54_a_pupil_posting_1000_times_a_minute_gets_429_after_the_sites_limit(self) -> None:
        url = reverse("community:contribute", kwargs={"pk": self.site.pk})
        flooder = self.client_for(self.pupil)
        statuses: list[int] = []
        refusal = ""
        start = timezone.now().replace(microsecond=0)
        started = time.monotonic()
        # 1,000 attempts spread evenly over 59.94 s of (travelling) clock: 1,000 a minute.
        with time_machine.travel(start, tick=False) as clock:
            for i in range(ATTEMPTS):
                clock.move_to(start + dt.timedelta(milliseconds=60 * i))
                response = flooder.post(url, {"body": f"Post number {i} about the experiment."})
                statuses.append(response.status_code)
                if response.status_code == 429 and not refusal:
                    refusal = response.content.decode()
            elapsed = time.monotonic() - started
            self.assertEqual(statuses[:LIMIT], [302] * LIMIT)
            self.assertEqual(set(statuses[LIMIT:]), {429})
            self.assertIn(f"the limit is {LIMIT}. Wait a minute.", refusal)
            self.assertEqual(Contribution.objects.filter(author=self.pupil).count(), LIMIT)

            # Others in the same space, at the same moment, are unaffected.
            for other in (self.pupil2, self.external, self.teacher):
                with self.subTest(other=other.username):
                    response = self.client_for(other).post(url, {"body": "A normal contribution."})
                    self.assertEqual(response.status_code, 302)

            # A minute after the first accepted post, the flooder may post again (the window slides).
            clock.move_to(start + dt.timedelta(seconds=60, milliseconds=1))
            self.assertEqual(flooder.post(url, {"body": "Back after a minute."}).status_code, 302)
        self.figure(
            f"{ATTEMPTS} attempts: {LIMIT} accepted, {ATTEMPTS - LIMIT} answered 429, "
            f"{ATTEMPTS / elapsed:.0f} requests/s through the view"
        )
