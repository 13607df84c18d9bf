"""Twenty moderators deciding the same 200 pending contributions at once: each item gets exactly one decision and
one audit event; every other attempt is told it was already decided and changes nothing (A.5.3, A.5.4)."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from custos.accounts.models import Kind, Pupil
from custos.audit.models import AuditEvent
from custos.community import actions as community
from custos.community import queries
from custos.community.models import Contribution, ContributionState, Membership, SpaceSettings
from custos.community.tests.base import make_space
from custos.moderation import actions as moderation
from custos.sites.models import SiteRole, SiteRoleKind
from custos.tasks.worker import run_once
from custos.test import make_user

pytestmark = pytest.mark.django_db(transaction=True)

MODERATORS = 20
ITEMS = 200
# Decisions on a pending item. (Escalating is left out on purpose: an item another moderator has just approved
# may still be escalated, by design, since A.5.6 says such content is removed at once.)
DECISION_EVENTS = {"moderation.approved", "moderation.rejected"}


def _space_with_pending_items() -> tuple[object, list[object], list[int]]:
    from custos.accounts.models import School, Trust

    trust = Trust.objects.create(name="Race Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001")
    teacher = make_user("teacher", school=school, job_title="Science teacher")
    moderators = [make_user(f"moderator{i}", school=school) for i in range(MODERATORS)]
    site = make_space(school, teacher, moderators[:2], [teacher])
    for person in moderators[2:]:
        SiteRole.objects.create(site=site, user=person, role=SiteRoleKind.MODERATOR)
    SpaceSettings.objects.create(site=site, rate_limit_per_minute=ITEMS)
    pupil = make_user("pupil", school=school, kind=Kind.PUPIL, first_name="Jamie", last_name="Rivers")
    Pupil.objects.create(
        school=school, upn="A123456789012", legal_first_name="Jameson", legal_last_name="Rivers", year_group=8,
        date_of_birth=dt.date(2013, 3, 14), user=pupil,
    )  # fmt: skip
    community.invite(site, by=teacher, users=[pupil])
    queries.forget(pupil)
    community.accept_terms(Membership.objects.get(site=site, user=pupil), by=pupil)
    ids = [
        community.contribute(site, by=pupil, body=f"Our results from experiment {i}: the crystals grew.").pk
        for i in range(ITEMS)
    ]
    while run_once():
        pass
    assert Contribution.objects.filter(pk__in=ids, state=ContributionState.PENDING).count() == ITEMS
    return site, moderators, ids


def test_a54_twenty_moderators_deciding_200_items_at_once_give_each_one_decision(figure) -> None:
    _, moderators, ids = _space_with_pending_items()
    barrier = threading.Barrier(MODERATORS)
    wins: Counter[int] = Counter()
    refusals: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def moderate(index: int) -> None:
        me = moderators[index]
        order = ids[:]
        random.Random(index).shuffle(order)  # an order to race in, not a secret
        try:
            barrier.wait()
            for pk in order:
                contribution = Contribution.objects.select_related("site").get(pk=pk)
                try:
                    if index % 2:
                        moderation.reject(contribution, by=me, house_rule=3, note="Off topic.")
                    else:
                        moderation.approve(contribution, by=me)
                except moderation.AlreadyDecided as lost:
                    with lock:
                        refusals.append(str(lost))
                else:
                    with lock:
                        wins[pk] += 1
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=moderate, args=(i,)) for i in range(MODERATORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    elapsed = time.monotonic() - started
    assert not any(thread.is_alive() for thread in threads), "a moderator thread did not finish within 4 minutes"
    assert errors == []

    # Exactly one winner per item, everyone else told plainly.
    assert sorted(wins) == sorted(ids)
    assert set(wins.values()) == {1}
    assert len(refusals) == ITEMS * (MODERATORS - 1)
    assert all(r.startswith("Already ") and r.endswith("Nothing was changed.") for r in refusals)
    # In the database: every item decided once, and one decision event per item.
    assert not Contribution.objects.filter(pk__in=ids, state=ContributionState.PENDING).exists()
    events = Counter(
        AuditEvent.objects.filter(action__in=DECISION_EVENTS, object_id__in=[str(pk) for pk in ids]).values_list(
            "object_id", flat=True
        )
    )
    assert len(events) == ITEMS and set(events.values()) == {1}
    states = Counter(Contribution.objects.filter(pk__in=ids).values_list("state", flat=True))
    figure(
        f"{MODERATORS} moderators x {ITEMS} items ({connection.vendor}): {sum(wins.values())} decisions "
        f"({dict(states)}), {len(refusals)} told 'already decided', 0 double decisions, {elapsed:.1f} s"
    )
