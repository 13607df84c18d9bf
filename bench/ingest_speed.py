"""How fast monitoring reads Squid logs (issue 8), beside GoAccess parsing the same file.

    .venv/bin/python bench/ingest_speed.py [--lines 2000000] [--database-url postgres://…/custos_bench] [--keep]

Writes a realistic native Squid access.log (a week of a 1,200-person trust: HTTPS CONNECT lines, plain HTTP, proxy
authentication refusals, errors; one request in eight to a listed social media domain), then runs, each in its
own process so that peak memory (max RSS) is per phase:

1. parse + aggregate: the pure core (custos.monitoring.parsing / aggregate) over the file, one core, no database;
2. end to end: ``custos.monitoring.actions.ingest`` into a fresh database (PostgreSQL by default; the database
   named in the URL is dropped and created), from opening the file to commit;
3. GoAccess (Debian package ``goaccess``) with ``--log-format=SQUID`` writing a JSON report, as a reference;
   skipped with a message when goaccess is not installed.

Lines per second are over the whole file, wall-clock; memory is the process's peak resident set size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

STAFF = 1200
PUPILS = 3000
DEFAULT_DB = "postgres://custos:custos@127.0.0.1:5432/custos_bench"
SOCIAL = [
    "www.facebook.com",
    "static.xx.fbcdn.net",
    "www.instagram.com",
    "scontent.cdninstagram.com",
    "x.com",
    "pbs.twimg.com",
    "www.tiktok.com",
    "www.youtube.com",
    "i.ytimg.com",
    "rr3---sn-aigl6n7s.googlevideo.com",
    "web.whatsapp.com",
    "www.reddit.com",
    "en.wikipedia.org",
    "upload.wikimedia.org",
    "www.linkedin.com",
]
WORK = [
    "login.microsoftonline.com",
    "outlook.office365.com",
    "www.google.com",
    "fonts.gstatic.com",
    "www.bbc.co.uk",
    "classroom.google.com",
    "www.oakfield.example.sch.uk",
    "cdn.jsdelivr.net",
    "update.microsoft.com",
    "www.gov.uk",
]


def generate(path: Path, lines: int, seed: int = 8) -> None:
    """A week (Monday 07:00 onwards) of proxy traffic in Squid's native format, written in large blocks."""
    rnd = random.Random(seed)
    other = [f"www.site{n}.example.com" for n in range(20_000)] + [f"cdn{n}.assets.example.net" for n in range(2_000)]
    staff = [f"staff{n:04d}" for n in range(STAFF)]
    pupils = [f"pupil{n:05d}" for n in range(PUPILS)]
    start = 1_772_434_800.0  # Monday 2 March 2026, 07:00 UTC (GMT)
    span = 5 * 86_400
    step = span / lines
    clock = start
    mimes = ["text/html", "application/json", "image/png", "-", "text/css", "application/javascript"]
    with path.open("w", encoding="ascii", newline="\n") as out:
        block: list[str] = []
        for index in range(lines):
            clock += step * rnd.random() * 2
            roll = rnd.random()
            host = rnd.choice(SOCIAL) if roll < 0.125 else rnd.choice(WORK) if roll < 0.45 else rnd.choice(other)
            who = rnd.random()
            user = rnd.choice(staff) if who < 0.45 else rnd.choice(pupils) if who < 0.95 else "-"
            client = f"10.{rnd.randrange(1, 4)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
            kind = rnd.random()
            if kind < 0.72:
                method, url, code, mime = "CONNECT", f"{host}:443", "TCP_TUNNEL/200", "-"
            elif kind < 0.97:
                method = "POST" if rnd.random() < 0.1 else "GET"
                path_ = f"/{rnd.choice(['news', 'static', 'api', 'img', 'w/index.php'])}/{rnd.randrange(10**6)}"
                if host == "en.wikipedia.org" and method == "POST":
                    path_ = f"/w/index.php?title=Article_{rnd.randrange(5000)}&action=submit"
                url = f"http://{host}{path_}"
                code, mime = (
                    rnd.choice(["TCP_MISS/200", "TCP_MISS/200", "TCP_HIT/200", "TCP_MISS/304"]),
                    rnd.choice(mimes),
                )
            elif kind < 0.995:
                method, url, code, mime = "GET", f"http://{host}/", "TCP_DENIED/407", "text/html"
            else:
                method, url, code, mime = "-", "error:transaction-end-before-headers", "NONE_NONE/000", "-"
            elapsed = rnd.randrange(0, 60_000)
            size = rnd.randrange(200, 500_000)
            peer = "HIER_DIRECT/93.184.216.34" if code != "TCP_DENIED/407" else "HIER_NONE/-"
            block.append(f"{clock:.3f} {elapsed:6d} {client} {code} {size} {method} {url} {user} {peer} {mime}\n")
            if len(block) == 50_000 or index == lines - 1:
                out.write("".join(block))
                block.clear()


def directory_for_bench() -> object:
    from zoneinfo import ZoneInfo

    from custos.monitoring.aggregate import Directory

    categories = {d.encode(): "social" for d in ("facebook.com", "fbcdn.net", "instagram.com", "cdninstagram.com")}
    categories |= {b"x.com": "social", b"twimg.com": "social", b"tiktok.com": "social", b"linkedin.com": "social"}
    categories |= {b"youtube.com": "video", b"ytimg.com": "video", b"googlevideo.com": "video"}
    categories |= {b"whatsapp.com": "messaging", b"reddit.com": "forum"}
    categories |= {b"wikipedia.org": "encyclopaedia", b"wikimedia.org": "encyclopaedia"}
    day = ((8 * 3600 + 1800, 12 * 3600), (12 * 3600 + 2700, 16 * 3600))
    week = (day,) * 5 + ((), ())
    return Directory(
        categories=categories,
        users={f"staff{n:04d}".encode(): n + 1 for n in range(STAFF)},
        hours={n + 1: week for n in range(STAFF)},
        tz=ZoneInfo("Europe/London"),
    )


def phase_parse(path: Path, repeat: int) -> dict[str, object]:
    from custos.monitoring.aggregate import Aggregator
    from custos.monitoring.parsing import LogReader, open_log

    directory = directory_for_bench()
    started, cpu = time.perf_counter(), time.process_time()
    aggregator = Aggregator(directory)  # type: ignore[arg-type]
    for _ in range(repeat):  # the same file again and again: a longer log, to show memory stays flat
        with open_log(str(path)) as stream:
            reader = LogReader(stream)
            for batch in reader.batches():
                aggregator.feed_squid(batch)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    counts = aggregator.counts
    return {
        "seconds": seconds,
        "cpu": cpu,
        "lines": counts.lines,
        "used": counts.used,
        "malformed": counts.malformed,
        "daily_rows": len(aggregator.usage),
        "edits": len(aggregator.edits),
    }


def phase_e2e(path: Path, database_url: str) -> dict[str, object]:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("CUSTOS_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "custos.settings")
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection

    from custos.accounts.models import Kind, School, Trust, User
    from custos.monitoring.actions import ingest, set_school_default_hours
    from custos.monitoring.parsing import open_log

    call_command("migrate", verbosity=0)
    trust = Trust.objects.create(name="Bench Trust")
    school = School.objects.create(trust=trust, name="Bench Academy", urn="999999", website="https://bench.example/")
    User.objects.bulk_create(
        User(username=f"staff{n:04d}", email=f"staff{n:04d}@bench.example", kind=Kind.STAFF, school=school)
        for n in range(STAFF)
    )
    workday = [(dt.time(8, 30), dt.time(12, 0)), (dt.time(12, 45), dt.time(16, 0))]
    set_school_default_hours(school, dict.fromkeys(range(5), workday), by=None)
    started, cpu = time.perf_counter(), time.process_time()
    with open_log(str(path)) as stream:
        result = ingest(stream, fmt="squid", name=str(path))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu": cpu,
        "lines": result.lines_read,
        "used": result.lines_used,
        "daily_rows": result.days_updated,
        "edits": result.edits_found,
        "vendor": connection.vendor,
    }


def reset_database(database_url: str) -> str:
    """Drop and create the bench database (PostgreSQL), or fall back to a temporary SQLite file."""
    if database_url.startswith("postgres"):
        import psycopg

        base, _, name = database_url.rpartition("/")
        try:
            with psycopg.connect(base + "/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
                admin.execute(f'CREATE DATABASE "{name}"')
            return database_url
        except psycopg.Error as error:
            print(f"PostgreSQL unavailable ({error}); the end-to-end row uses SQLite instead.")
    return f"sqlite:///{tempfile.mkdtemp(prefix='custos-bench-')}/bench.sqlite3"


def run_child(args: list[str]) -> tuple[dict[str, object], int]:
    """Run this script as a child; return its JSON and its peak RSS in KB."""
    process = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"phase {args[0]} failed with exit code {process.returncode}")
    return json.loads(output.decode().strip().splitlines()[-1]), usage.ru_maxrss


GOACCESS_FORMAT = "%x.%^ %~%L %h %^/%s %b %m %U %e %^ %^"


def run_goaccess(path: Path) -> tuple[float, float, int] | None:
    goaccess = shutil.which("goaccess")
    if goaccess is None:
        return None
    report = Path(tempfile.mkdtemp()) / "report.json"
    started = time.perf_counter()
    process = subprocess.Popen(
        # GoAccess 1.7's SQUID preset rejects Squid's default lines (goaccess issue #1383); this is the same
        # preset with the field Squid pads with spaces parsed as such, and epoch times.
        [
            goaccess,
            str(path),
            f"--log-format={GOACCESS_FORMAT}",
            "--date-format=%s",
            "--time-format=%s",
            "--no-progress",
            "-o",
            str(report),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        print("goaccess failed:", process.stderr.read().decode(errors="replace")[:500] if process.stderr else "")
        return None
    shutil.rmtree(report.parent, ignore_errors=True)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--database-url", default=os.environ.get("CUSTOS_BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--log", type=Path, help="Use this Squid log instead of generating one")
    parser.add_argument("--keep", action="store_true", help="Keep the generated log")
    parser.add_argument("--repeat", type=int, default=4, help="Also parse the log this many times over in one run")
    parser.add_argument("--phase", choices=["parse", "e2e"], help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "parse":
        print(json.dumps(phase_parse(args.path, args.repeat)))
        return
    if args.phase == "e2e":
        print(json.dumps(phase_e2e(args.path, args.database_url)))
        return

    workdir = Path(tempfile.mkdtemp(prefix="custos-ingest-bench-"))
    path = args.log or workdir / "access.log"
    if args.log is None:
        started = time.perf_counter()
        generate(path, args.lines)
        print(
            f"Generated {args.lines:,} lines ({path.stat().st_size / 1e6:,.0f} MB) "
            f"in {time.perf_counter() - started:.1f} s"
        )
    lines = sum(1 for _ in path.open("rb"))
    load = os.getloadavg()[0]
    print(f"Log: {path} ({lines:,} lines); Python {sys.version.split()[0]}; {os.cpu_count()} CPUs, load {load:.1f}")
    rows = []
    parsed, rss = run_child(["--phase", "parse", "--repeat", "1", str(path)])
    rows.append(("Custos parse + aggregate (pure, 1 core)", lines, parsed, rss, f"{parsed['daily_rows']} daily rows"))
    if args.repeat > 1:
        longer, rss = run_child(["--phase", "parse", "--repeat", str(args.repeat), str(path)])
        name = f"  the same, log read {args.repeat}x ({lines * args.repeat:,} lines)"
        rows.append((name, lines * args.repeat, longer, rss, "memory stays flat"))
    database_url = reset_database(args.database_url)
    e2e, rss = run_child(["--phase", "e2e", "--database-url", database_url, str(path)])
    note = f"{e2e['daily_rows']} rows, {e2e['edits']} edits"
    rows.append((f"Custos end to end into {e2e['vendor']}", lines, e2e, rss, note))
    goaccess = run_goaccess(path)
    if goaccess is None:
        print("GoAccess: not installed (apt-get install goaccess) or failed; row skipped.")
    else:
        rows.append(
            (
                "GoAccess (SQUID format, JSON report)",
                lines,
                {"seconds": goaccess[0], "cpu": goaccess[1]},
                goaccess[2],
                "reference",
            )
        )
    print(f"\n{'What':<46} {'wall s':>7} {'lines/s wall':>13} {'CPU s':>7} {'lines/CPU-s':>12} {'peak RSS':>9}  notes")
    for name, count, figures, rss_kb, note in rows:
        wall, cpu = float(figures["seconds"]), float(figures["cpu"])  # type: ignore[arg-type]
        print(
            f"{name:<46} {wall:>7.2f} {count / wall:>13,.0f} {cpu:>7.2f} {count / cpu:>12,.0f} "
            f"{rss_kb / 1024:>6.0f} MB  {note}"
        )
    print("\nlines/CPU-s is the one-core rate (the machine's other work does not count); the database server's own")
    print("CPU time is not in the end-to-end CPU column, but is in its wall-clock time.")
    if not args.keep and args.log is None:
        shutil.rmtree(workdir, ignore_errors=True)
    elif args.log is None:
        print(f"\nKept {path}")


if __name__ == "__main__":
    main()
