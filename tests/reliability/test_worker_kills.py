"""Screening 10,000 community posts while workers are killed with ``kill -9`` ten times, on both task backends
(the embedded worker and Celery with a real Redis): no post lost, none screened twice, every safeguarding alert
mailed once, no job left running past its lease (A.5.3, A.5.6, A.2.3).

The posts and their screening jobs are written in bulk — the same rows ``community.actions.contribute`` writes
one at a time — so the test spends its minutes on the workers, not on setting up. Every 50th post is a
disclosure the screening escalates: a case for the Designated Safeguarding Lead and an alert email.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from custos.accounts.models import Kind, Pupil, Role, School, Trust, User
from custos.audit.models import AuditEvent
from custos.cases.models import Case
from custos.community import actions as community
from custos.community import queries
from custos.community.models import Contribution, ContributionKind, ContributionState, Membership
from custos.community.tasks import screen_contribution
from custos.community.tests.base import make_space
from custos.mail.models import Email
from custos.tasks import registry
from custos.tasks.models import Job, JobState
from custos.tasks.tests.test_worker import database_url, wait_for
from custos.tasks.worker import run_once
from custos.test import LocalSMTPServer, give_role, make_user

pytestmark = pytest.mark.django_db(transaction=True)

POSTS = int(os.environ.get("CUSTOS_KILL_TEST_POSTS", "10000"))
KILLS = 10
WORKERS = int(os.environ.get("CUSTOS_KILL_TEST_WORKERS", "3"))
ESCALATE_EVERY = 50
BACKEND_TIMEOUT = 240.0  # seconds, per backend
DISCLOSURE = "he touched me and said keep it secret, please help"
# Ordinary posts, without numbers: screening rightly flags some (1488 is a hate code), which is not this test.
ORDINARY = [
    f"Our {thing} experiment {went} today."
    for thing in ("crystal", "volcano", "magnet", "circuit", "plant", "rocket", "prism", "pendulum")
    for went in ("worked", "fizzed", "grew", "was fun", "surprised us")
]
REDIS = shutil.which("redis-server")


def _trust() -> tuple[Any, User, list[User]]:
    trust = Trust.objects.create(name="Kill Trust")
    school = School.objects.create(trust=trust, name="Oakfield Academy", urn="100001")
    teacher = make_user("teacher", school=school, job_title="Science teacher")
    moderator = make_user("moderator", school=school)
    dsl = make_user("dsl", school=school)
    give_role(dsl, Role.DSL, school)
    site = make_space(school, teacher, [teacher, moderator], [teacher])
    pupils = []
    for i in range(10):
        pupil = make_user(f"pupil{i}", school=school, kind=Kind.PUPIL, first_name=f"Pupil{i}", last_name="Kay")
        Pupil.objects.create(
            school=school, upn=f"K{i:012d}", legal_first_name=f"Pupil{i}", legal_last_name="Kay", year_group=8,
            date_of_birth=dt.date(2013, 3, 14), user=pupil,
        )  # fmt: skip
        pupils.append(pupil)
    community.invite(site, by=teacher, users=pupils)
    for pupil in pupils:
        queries.forget(pupil)
        community.accept_terms(Membership.objects.get(site=site, user=pupil), by=pupil)
    return site, dsl, pupils


def _posts(site: Any, pupils: list[User]) -> tuple[list[int], set[int], list[Job]]:
    """POSTS contributions waiting for screening, each with its screening job: the rows ``contribute`` writes."""
    members = dict(Membership.objects.filter(site=site).values_list("user_id", "pk"))
    now = timezone.now()
    rows = []
    for i in range(POSTS):
        author = pupils[i % len(pupils)]
        body = DISCLOSURE if i % ESCALATE_EVERY == 0 else ORDINARY[i % len(ORDINARY)]
        rows.append(
            Contribution(
                site=site,
                author=author,
                membership_id=members[author.pk],
                kind=ContributionKind.POST,
                body=body,
                state=ContributionState.SCREENING,
                created_at=now,
            )
        )
    created = Contribution.objects.bulk_create(rows, batch_size=1000)
    spec = registry.get(screen_contribution.task_name)
    jobs = Job.objects.bulk_create(
        [Job(name=spec.name, kwargs={"contribution_id": c.pk}, max_attempts=spec.max_attempts) for c in created],
        batch_size=1000,
    )
    escalating = {c.pk for c in created if c.body == DISCLOSURE}
    return [c.pk for c in created], escalating, jobs


def _env(smtp: LocalSMTPServer, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CUSTOS_TASK_LEASE_SECONDS": "2",
        "CUSTOS_TASK_POLL_SECONDS": "0.1",
        "CUSTOS_DB_CONN_MAX_AGE": os.environ.get("CUSTOS_KILL_TEST_CONN_MAX_AGE", "60"),
        "CUSTOS_EMAIL_HOST": "127.0.0.1",
        "CUSTOS_EMAIL_PORT": str(smtp.port),
        **extra,
    }


def _remaining(site: Any) -> int:
    return Contribution.objects.filter(site=site, state=ContributionState.SCREENING).count()


def _all_mail_sent() -> bool:
    return not Email.objects.filter(sent_at__isnull=True).exists()


def _drive(site: Any, start: Callable[[], subprocess.Popen], sweep: Callable[[], Any] | None = None) -> dict[str, Any]:
    """Run WORKERS workers; once screening is under way kill one with SIGKILL about every second (and start a
    replacement), KILLS times; stop when every post is screened and every mail sent, or at the timeout."""
    started = time.monotonic()
    deadline = started + BACKEND_TIMEOUT
    processes = [start() for _ in range(WORKERS)]
    kills, next_kill, next_sweep = 0, None, started
    waiting_at_kills: list[int] = []
    try:
        while time.monotonic() < deadline:
            remaining = _remaining(site)
            if next_kill is None and remaining < POSTS:
                next_kill = time.monotonic()  # screening has begun: start killing
            if next_kill is not None and kills < KILLS and time.monotonic() >= next_kill:
                victim = kills % WORKERS
                processes[victim].send_signal(signal.SIGKILL)
                processes[victim].wait(timeout=10)
                processes[victim] = start()
                waiting_at_kills.append(remaining)
                kills += 1
                next_kill = time.monotonic() + 1.0
            if sweep is not None and time.monotonic() >= next_sweep:
                sweep()  # what Celery beat's custos-tick does, on its schedule (every 10 s)
                next_sweep = time.monotonic() + 10.0
            if kills >= KILLS and remaining == 0 and _all_mail_sent():
                break
            time.sleep(0.25)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
    seconds = time.monotonic() - started
    return {"kills": kills, "seconds": seconds, "waiting_at_kills": waiting_at_kills}


def _finish_and_check(site: Any, ids: list[int], escalating: set[int], smtp: LocalSMTPServer, dsl: User) -> dict:
    # A job held by a killed worker waits out its lease (two seconds for screening; two minutes for mail, which
    # must not be sent twice). Stand in for "later": one pass of a worker five minutes on.
    later = timezone.now() + dt.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        after_lease = run_once()
    contributions = dict(Contribution.objects.filter(pk__in=ids).values_list("pk", "state"))
    lost = [pk for pk in ids if contributions.get(pk) not in (ContributionState.PENDING, ContributionState.ESCALATED)]
    escalated = {pk for pk, state in contributions.items() if state == ContributionState.ESCALATED}
    screened_events = Counter(
        AuditEvent.objects.filter(action="community.screened", object_type__icontains="contribution").values_list(
            "object_id", flat=True
        )
    )
    twice = {pk: n for pk, n in screened_events.items() if n != 1}
    cases = Counter(
        Case.objects.filter(source_ref__startswith="community.contribution:").values_list("source_ref", flat=True)
    )
    alerts = list(smtp.to(dsl.email))
    subjects = Counter(m["Subject"] for m in alerts)
    deliveries = Counter((m["To"], m["Subject"], smtp.body(m)) for m in smtp.messages)
    duplicate_mails = sum(n - 1 for n in deliveries.values())
    jobs_running = Job.objects.filter(state=JobState.RUNNING).count()
    jobs_failed = Job.objects.filter(state=JobState.FAILED).count()
    run_again = Job.objects.filter(attempts__gt=1).count()

    assert lost == [], f"{len(lost)} posts not screened"
    assert escalated == escalating, "screening decided differently for the same text"
    assert len(screened_events) == len(ids) and twice == {}, f"screened twice: {list(twice.items())[:5]}"
    assert sorted(cases) == sorted(f"community.contribution:{pk}" for pk in escalating) and set(cases.values()) == {1}
    assert len(smtp.messages) == Email.objects.count(), "some mail was not delivered, or delivered twice"
    assert duplicate_mails == 0
    assert len(alerts) >= len(escalating) and all(n == 1 for n in subjects.values()), subjects.most_common(3)
    assert jobs_running == 0 and jobs_failed == 0
    return {
        "posts": len(ids),
        "escalated": len(escalated),
        "lost": len(lost),
        "duplicate decisions": len(twice),
        "alerts to the DSL": len(alerts),
        "duplicate mails": duplicate_mails,
        "jobs finished after their lease": after_lease,
        "run again": run_again,
    }


def _report(figure: Callable[[str], None], backend: str, run: dict, checked: dict) -> None:
    figure(
        f"{backend} on {connection.vendor}: {checked['posts']} posts, {run['kills']} kills, {WORKERS} workers, "
        f"{checked['lost']} lost, {checked['duplicate decisions']} duplicate decisions, "
        f"{checked['escalated']} escalated, {checked['alerts to the DSL']} DSL alerts, "
        f"{checked['duplicate mails']} duplicate mails, {checked['run again']} jobs run again after a kill, "
        f"{checked['jobs finished after their lease']} left for the final pass, 0 running, {run['seconds']:.0f} s; "
        f"posts still waiting at each kill: "
        f"{', '.join(map(str, run['waiting_at_kills']))}"
    )


def test_a53_a56_embedded_workers_killed_ten_times_lose_and_duplicate_nothing(figure) -> None:
    site, dsl, pupils = _trust()
    ids, escalating, _ = _posts(site, pupils)
    with LocalSMTPServer() as smtp:
        env = _env(smtp)

        def start() -> subprocess.Popen:
            return subprocess.Popen(
                [sys.executable, "manage.py", "run_worker", "--stop-after", str(BACKEND_TIMEOUT + 30)],
                cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip

        run = _drive(site, start)
        assert run["kills"] == KILLS
        checked = _finish_and_check(site, ids, escalating, smtp, dsl)
    _report(figure, "embedded worker", run, checked)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _redis() -> Iterator[str]:
    assert REDIS is not None
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen(
            [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, cwd=folder,
        )  # fmt: skip
        try:
            assert wait_for(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, 10)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            server.kill()
            server.wait(timeout=10)


@pytest.mark.skipif(REDIS is None, reason="redis-server is not installed (apt-get install redis-server; .ci/run does)")
def test_a53_a56_celery_workers_killed_ten_times_lose_and_duplicate_nothing(figure) -> None:
    from custos.celery import app
    from custos.tasks.celery_backend import dispatch, sweep, use_broker

    site, dsl, pupils = _trust()
    with _redis() as broker, LocalSMTPServer() as smtp:
        previous = app.conf.broker_url
        use_broker(broker)
        try:
            ids, escalating, jobs = _posts(site, pupils)
            for job in jobs:  # what enqueue does on commit with CUSTOS_TASK_BACKEND=celery
                dispatch(job.pk)
            env = _env(
                smtp,
                CUSTOS_TASK_BACKEND="celery",
                CUSTOS_CELERY_BROKER_URL=broker,
                CUSTOS_CELERY_VISIBILITY_TIMEOUT="3",
            )

            def start() -> subprocess.Popen:
                return subprocess.Popen(
                    [sys.executable, "-m", "celery", "-A", "custos", "worker", "--pool=solo", "--concurrency=1",
                     "--without-mingle", "--without-gossip", "--loglevel=WARNING"],
                    cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip

            # The sweep runs with the same task settings as the workers (lease 2 s), as Celery beat would.
            with override_settings(CUSTOS_TASK_LEASE_SECONDS=2):
                run = _drive(site, start, sweep=sweep)
            assert run["kills"] == KILLS
            checked = _finish_and_check(site, ids, escalating, smtp, dsl)
        finally:
            use_broker(previous)
    _report(figure, "Celery + Redis", run, checked)
