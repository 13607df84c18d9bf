"""Moderation under load (issue 5, A.5.4): one million contributions in the queue tables, then

- a moderator's queue page (first page and a few keyset pages on), p50/p95, target p95 < 150 ms;
- a decision (approve, through the view), p50/p95, target p95 < 50 ms;
- a pupil's post reaching the moderators' queue screened, with the embedded worker running, target < 2 s.

    DATABASE_URL=sqlite:////tmp/custos-bench.sqlite3 .venv/bin/python bench/moderation_load.py
    su postgres -c "createdb -O custos custos_bench_moderation"   # once
    DATABASE_URL=postgres://custos:custos@127.0.0.1:5432/custos_bench_moderation \
        .venv/bin/python bench/moderation_load.py

Never point it at a database you care about: it migrates and seeds it. Seeding is skipped when the rows are there.
Requests go through Django's test Client (the whole middleware stack, sessions and templates included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import random
import re
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "custos.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/custos-bench.sqlite3")
# Production settings (no DEBUG query log), minus HTTPS redirects the test Client cannot follow.
os.environ.setdefault("CUSTOS_DEBUG", "0")
os.environ.setdefault("CUSTOS_SECRET_KEY", "bench-" + "k" * 60)
os.environ.setdefault("CUSTOS_SSL_REDIRECT", "0")
os.environ.setdefault("CUSTOS_TASK_POLL_SECONDS", "0.05")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files from the apps (a deployment serves the collected, hashed copies).
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

from custos.accounts.models import Kind, Pupil, School, Trust, User  # noqa: E402
from custos.community import actions  # noqa: E402
from custos.community.models import Contribution, Membership, SpaceSettings  # noqa: E402
from custos.sites.models import Hosting, Site, SiteKind, SiteRole, SiteRoleKind, SiteState  # noqa: E402

# The table and columns are constants of this script, never input.
INSERT_SQL = "INSERT INTO {table} (site_id, author_id, membership_id, kind, body, state, findings, severity_rank, created_at, decision_note) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"  # noqa: E501
BATCH = 20_000
PUPILS = 300
COLUMNS = (
    "site_id",
    "author_id",
    "membership_id",
    "kind",
    "body",
    "state",
    "findings",
    "severity_rank",
    "created_at",
    "decision_note",
)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def figures(label: str, seconds: list[float], target_ms: float) -> None:
    ms = [s * 1000 for s in seconds]
    p95 = percentile(ms, 95)
    verdict = "OK" if p95 < target_ms else "OVER TARGET"
    print(
        f"{label:<34} n={len(ms):<4} p50={statistics.median(ms):7.1f} ms  p95={p95:7.1f} ms  "
        f"max={max(ms):7.1f} ms  (target p95 < {target_ms:.0f} ms: {verdict})"
    )


def fixtures() -> tuple[Site, User, list[User]]:
    site = Site.objects.filter(title="Bench Science Club").first()
    if site is not None:
        moderator = User.objects.get(username="bench_moderator")
        pupils = list(User.objects.filter(username__startswith="bench_pupil_").order_by("pk"))
        return site, moderator, pupils
    trust = Trust.objects.create(name="Bench Trust")
    school = School.objects.create(trust=trust, name="Bench Academy", urn="999999", website="https://bench.example/")
    make = User.objects.create_user
    admin = make("bench_admin", email="admin@bench.example", password="x" * 12, school=school, job_title="Teacher")
    moderator = make("bench_moderator", email="mod@bench.example", password="x" * 12, school=school, job_title="TA")
    site = Site.objects.create(
        school=school, author=admin, title="Bench Science Club", kind=SiteKind.OWN, hosting=Hosting.SCHOOL,
        state=SiteState.LIVE, house_rules="Be kind.\nStay on topic.", terms_of_use="Be good.", allow_text=True,
        allow_comments=True, audience_pupils=True, contributors_pupils=True, live_since=timezone.now(),
    )  # fmt: skip
    SiteRole.objects.create(site=site, user=admin, role=SiteRoleKind.ADMINISTRATOR)
    SiteRole.objects.create(site=site, user=moderator, role=SiteRoleKind.MODERATOR)
    SpaceSettings.objects.create(site=site, rate_limit_per_minute=10_000)
    pupils = []
    for n in range(PUPILS):
        user = make(f"bench_pupil_{n}", email=f"p{n}@bench.example", password="x" * 12, school=school,
                    kind=Kind.PUPIL, first_name=f"Pupil{n}", last_name="Bench")  # fmt: skip
        Pupil.objects.create(school=school, upn=f"B{n:012d}", legal_first_name=f"Pupil{n}", legal_last_name="Bench",
                             year_group=8, date_of_birth=dt.date(2012, 5, 1), user=user)  # fmt: skip
        pupils.append(user)
    actions.invite(site, by=admin, users=pupils)
    Membership.objects.filter(site=site).update(terms_accepted_at=timezone.now())
    return site, moderator, pupils


def seed(site: Site, pupils: list[User], total: int) -> float:
    have = Contribution.objects.count()
    if have >= total:
        return 0.0
    memberships = dict(Membership.objects.filter(site=site).values_list("user_id", "pk"))
    rng = random.Random(5)
    start = timezone.now() - dt.timedelta(days=30)
    states = ["pending"] * 5 + ["approved"] * 4 + ["rejected"]
    table = Contribution._meta.db_table
    started = time.perf_counter()
    made = have
    adapt = connection.ops.adapt_datetimefield_value
    finding = '[{"category": "abuse", "severity": "warn", "spans": [[0, 4]], "clauses": ["A.4.5"], "reason": "x"}]'
    while made < total:
        rows = []
        for n in range(min(BATCH, total - made)):
            author = pupils[rng.randrange(len(pupils))]
            rank = rng.choices((0, 1, 2), weights=(80, 15, 5))[0]
            rows.append(
                (site.pk, author.pk, memberships[author.pk], "post", f"Seeded contribution {made + n} about magnets",
                 rng.choice(states), finding if rank else "[]", rank,
                 adapt(start + dt.timedelta(seconds=(made + n) * 2.5)), "")
            )  # fmt: skip
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    raw = cursor.cursor
                    with raw.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
            else:
                with connection.cursor() as cursor:
                    cursor.executemany(INSERT_SQL.format(table=table), rows)
        made += len(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def time_queue(client: Client, site: Site, runs: int) -> tuple[list[float], list[float]]:
    url = f"/moderation/{site.pk}/"
    first, later = [], []
    client.get(url)
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(url)
        first.append(time.perf_counter() - t)
        assert response.status_code == 200, response.status_code
    cursor = None
    for _ in range(max(10, runs // 4)):
        t = time.perf_counter()
        response = client.get(url, {"after": cursor} if cursor else {})
        later.append(time.perf_counter() - t)
        found = re.search(r'\?after=([^"]+)"', response.content.decode())
        cursor = unquote(html.unescape(found.group(1))) if found else None
    return first, later


def time_decisions(client: Client, site: Site, runs: int) -> list[float]:
    # Items screening marked block need "Approve anyway" with a reason (A.5.2): time plain approvals only.
    pending = Contribution.objects.filter(site=site, state="pending", severity_rank__lt=2)
    ids = list(pending.order_by("-pk").values_list("pk", flat=True)[:runs])
    seconds = []
    for pk in ids:
        t = time.perf_counter()
        response = client.post(f"/moderation/item/{pk}/decide/", {"action": "approve"})
        seconds.append(time.perf_counter() - t)
        assert response.status_code == 302, response.status_code
    return seconds


def time_post_to_queue(site: Site, pupil: User, runs: int) -> list[float]:
    from django.db import connections

    from custos.tasks import worker

    stop = threading.Event()

    def run_worker() -> None:
        me = worker.worker_id()
        while not stop.is_set():
            if not worker.run_once(me):
                time.sleep(settings.CUSTOS_TASK_POLL_SECONDS)
        connections.close_all()

    thread = threading.Thread(target=run_worker, daemon=True)
    thread.start()
    client = Client()
    client.force_login(pupil)
    seconds = []
    try:
        for n in range(runs):
            t = time.perf_counter()
            response = client.post(
                f"/spaces/{site.pk}/contribute/", {"body": f"Bench post {n}: our magnet lifted 3 clips"}
            )
            assert response.status_code == 302, response.status_code
            pk = Contribution.objects.filter(author=pupil).order_by("-pk").values_list("pk", flat=True).first()
            while Contribution.objects.filter(pk=pk, state="screening").exists():
                if time.perf_counter() - t > 10:
                    raise RuntimeError("not screened within 10 s")
                time.sleep(0.005)
            seconds.append(time.perf_counter() - t)
    finally:
        stop.set()
        thread.join(timeout=10)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    print(f"Database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    call_command("migrate", verbosity=0)
    site, moderator, pupils = fixtures()
    took = seed(site, pupils, args.items)
    total = Contribution.objects.count()
    waiting = Contribution.objects.filter(site=site, state="pending").count()
    print(f"Contributions: {total:,} ({waiting:,} pending in the measured site); seeding took {took:.1f} s")
    client = Client()
    client.force_login(moderator)
    first, later = time_queue(client, site, args.runs)
    figures("Queue page, first page", first, 150)
    figures("Queue page, keyset pages further on", later, 150)
    figures("Decision (approve, through the view)", time_decisions(client, site, args.runs), 50)
    figures("Pupil's post -> screened in queue", time_post_to_queue(site, pupils[0], 20), 2000)


if __name__ == "__main__":
    main()
