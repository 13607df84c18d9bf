"""Every write monitoring makes: ingesting a proxy log, hours, the domain list, the notice, report access, purges.

Each is atomic and writes its audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from custos.accounts.models import Kind, School, User
from custos.audit.actions import record
from custos.monitoring import clauses
from custos.monitoring.aggregate import Aggregator, Directory, WeekHours, normalise_user
from custos.monitoring.models import (
    AddressAssignment,
    ContractedHours,
    DailyUse,
    DomainCategory,
    EncyclopaediaEdit,
    IngestedSource,
    LogFormat,
    NoticeAcknowledgement,
    SchoolDefaultHours,
)
from custos.monitoring.parsing import (
    LogFormatError,
    LogReader,
    csv_columns,
    fingerprint_of,
    identity_of,
    parse_csv_line,
)

NOTICE_VERSION = "2026.1"


class IngestConflict(Exception):
    """Another ingestion of the same log finished first; this run changed nothing."""


def retention_days() -> int:
    """How long aggregates are kept (default 12 months); read at call time so tests and operators can change it."""
    days = int(getattr(settings, "CUSTOS_MONITORING_RETENTION_DAYS", 365))
    if days < 1:
        raise ValueError("CUSTOS_MONITORING_RETENTION_DAYS must be at least 1.")
    return days


def retention_cutoff(today: dt.date | None = None) -> dt.date:
    """The first day still kept."""
    return (today or timezone.localdate()) - dt.timedelta(days=retention_days() - 1)


# --- ingestion ---------------------------------------------------------------------------------------------


@dataclass
class IngestResult:
    name: str
    format: str
    lines_read: int = 0
    lines_used: int = 0
    malformed: int = 0
    malformed_examples: list[tuple[int, str]] = field(default_factory=list)
    uncategorised: int = 0
    unknown_person: int = 0
    outside_hours: int = 0
    past_retention: int = 0
    already_read: int = 0  # lines skipped because an earlier run read them
    pending_bytes: int = 0  # an incomplete last line, left for the next run
    days_updated: int = 0
    edits_found: int = 0
    seconds: float = 0.0
    note: str = ""


def build_directory(today: dt.date | None = None) -> Directory:
    """Everything the pure aggregator needs to know, in plain dicts: domains, staff, their hours, addresses."""
    categories = {d.encode("ascii", "ignore"): c for d, c in DomainCategory.objects.values_list("domain", "category")}
    users: dict[bytes, int] = {}
    staff_school: dict[int, int | None] = {}
    for pk, username, email, school_id in User.objects.filter(kind=Kind.STAFF, is_active=True).values_list(
        "pk", "username", "email", "school_id"
    ):
        users[normalise_user(username.encode())] = pk
        if email:
            users.setdefault(email.lower().encode(), pk)
        staff_school[pk] = school_id
    defaults: dict[int, list[list[tuple[int, int]]]] = defaultdict(lambda: [[] for _ in range(7)])
    for school_id, weekday, start, end in SchoolDefaultHours.objects.values_list(
        "school_id", "weekday", "start", "end"
    ):
        defaults[school_id][weekday].append((_seconds(start), _seconds(end)))
    own: dict[int, list[list[tuple[int, int]]]] = defaultdict(lambda: [[] for _ in range(7)])
    for user_id, weekday, start, end in ContractedHours.objects.values_list("user_id", "weekday", "start", "end"):
        own[user_id][weekday].append((_seconds(start), _seconds(end)))
    hours: dict[int, WeekHours] = {}
    for pk, home_school in staff_school.items():
        week = own.get(pk) or (defaults.get(home_school) if home_school is not None else None)
        if week is not None:
            hours[pk] = tuple(tuple(sorted(day)) for day in week)
    leases: dict[bytes, list[tuple[float, float, int]]] = defaultdict(list)
    for address, user_id, starts_at, ends_at in AddressAssignment.objects.filter(user_id__in=staff_school).values_list(
        "address", "user_id", "starts_at", "ends_at"
    ):
        leases[address.encode()].append((starts_at.timestamp(), ends_at.timestamp() if ends_at else 1e11, user_id))
    return Directory(
        categories=categories,
        users=users,
        hours=hours,
        leases=dict(leases),
        tz=ZoneInfo(settings.TIME_ZONE),
        earliest_day=retention_cutoff(today).toordinal(),
    )


def _seconds(moment: dt.time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def ingest(
    stream: IO[bytes],
    *,
    fmt: str,
    name: str,
    by: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> IngestResult:
    """Read a proxy log (8.1) and add what it shows to the kept facts (6.11, 6.13), exactly once per line.

    The log's identity is its first line (with the header, for CSV), so a rotated or gzipped copy is the same
    log. A run resumes where the last one stopped, if the 1 KB before that point is unchanged; a last line with
    no newline is left for the next run. Raises LogFormatError (nothing changed) or IngestConflict.
    """
    if fmt not in LogFormat.values:
        raise LogFormatError(f"Unknown format {fmt!r}: choose squid or csv.")
    started = time.perf_counter()
    result = IngestResult(name=name, format=fmt)
    reader = LogReader(stream)
    reader.open(head_lines=2 if fmt == LogFormat.CSV else 1)
    if not reader.head:
        result.note = "The log has no complete line yet: nothing was read."
        return result
    identity = identity_of(reader.head)
    columns = csv_columns(reader.head.split(b"\n", 1)[0]) if fmt == LogFormat.CSV else {}
    ledger = IngestedSource.objects.filter(identity=identity).first()
    if ledger is not None and ledger.format != fmt:
        raise LogFormatError(f"This log was read before as {ledger.format}, not {fmt}.")
    header_bytes = len(reader.head.split(b"\n", 1)[0]) + 1 if fmt == LogFormat.CSV else 0
    start_offset = ledger.bytes_consumed if ledger else header_bytes
    start_lines = ledger.lines_consumed if ledger else (1 if fmt == LogFormat.CSV else 0)
    if start_offset:
        if not reader.skip_to(start_offset):
            result.note = "This log is shorter than what was already read from it: nothing new."
            result.already_read = start_lines
            return result
        if ledger is not None and fingerprint_of(reader.fingerprint) != ledger.fingerprint:
            raise LogFormatError(
                f"This log starts like {ledger.name!r}, read before, but differs at byte {start_offset} where that "
                "reading stopped, so it is a different log. Nothing was changed."
            )
    result.already_read = start_lines
    directory = build_directory()
    aggregator = Aggregator(directory, first_line=start_lines + 1)
    tz = directory.tz
    for batch in reader.batches():
        if fmt == LogFormat.CSV:
            aggregator.feed_hits((line, parse_csv_line(line, columns, tz)) for line in batch)
        else:
            aggregator.feed_squid(batch)
        if progress is not None:
            progress(reader.stats.consumed, start_lines + reader.stats.lines)
    aggregator.skipped_oversized(reader.stats.oversized)
    counts = aggregator.counts
    result.lines_read = counts.lines
    result.lines_used = counts.used
    result.malformed = counts.malformed
    result.malformed_examples = counts.malformed_examples
    result.uncategorised = counts.uncategorised
    result.unknown_person = counts.unknown_person
    result.outside_hours = counts.outside_hours
    result.past_retention = counts.past_retention
    result.pending_bytes = reader.stats.pending
    if reader.stats.consumed == start_offset and ledger is not None:
        result.note = "Nothing new since the last reading of this log."
        result.seconds = time.perf_counter() - started
        return result
    with transaction.atomic():
        ledger, _ = IngestedSource.objects.get_or_create(
            identity=identity, defaults={"format": fmt, "name": name[:500], "bytes_consumed": start_offset}
        )
        won = IngestedSource.objects.filter(pk=ledger.pk, bytes_consumed=start_offset).update(
            bytes_consumed=reader.stats.consumed,
            lines_consumed=start_lines + reader.stats.lines,
            fingerprint=fingerprint_of(reader.tail),
            name=name[:500],
            last_ingested_at=timezone.now(),
        )
        if not won:
            raise IngestConflict(
                "Another reading of this log finished while this one ran; it counted these lines. Nothing was "
                "changed by this run: run it again to read anything newer."
            )
        schools = dict(User.objects.filter(pk__in={k[0] for k in aggregator.usage}).values_list("pk", "school_id"))
        schools.update(User.objects.filter(pk__in={e.user_id for e in aggregator.edits}).values_list("pk", "school_id"))
        result.days_updated = _add_usage(aggregator.usage, schools)
        result.edits_found = _add_edits(aggregator.edits, schools, ledger, tz)
        result.seconds = time.perf_counter() - started
        record(
            by,
            "monitoring.log_ingested",
            ledger,
            changes={
                "clause": clauses.MONITORING,
                "format": fmt,
                "lines_read": result.lines_read,
                "lines_used": result.lines_used,
                "malformed": result.malformed,
                "daily_rows": result.days_updated,
                "edits": result.edits_found,
            },
        )
    return result


def _add_usage(usage: dict[tuple[int, int, str], list[int]], schools: Mapping[int, int | None]) -> int:
    """Add counts to the kept rows (an upsert that adds, so two logs covering one day both count)."""
    rows: list[tuple[Any, ...]] = []
    for (user_id, day, category), (requests, first, last) in usage.items():
        school_id = schools.get(user_id)
        if school_id is None:
            continue  # staff with no school have no Head to report to; nothing is kept about them
        rows.append((user_id, school_id, dt.date.fromordinal(day), category, requests, _time(first), _time(last)))
    if not rows:
        return 0
    table = DailyUse._meta.db_table
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    sql = (
        f"INSERT INTO {table} (user_id, school_id, day, category, requests, first_at, last_at) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (user_id, day, category) DO UPDATE SET "
        f"requests = {table}.requests + EXCLUDED.requests, "
        f"first_at = {least}({table}.first_at, EXCLUDED.first_at), "
        f"last_at = {greatest}({table}.last_at, EXCLUDED.last_at)"
    )
    if connection.vendor != "postgresql":
        rows = [(*row[:2], row[2].isoformat(), *row[3:5], row[5].isoformat(), row[6].isoformat()) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def _time(second: int) -> dt.time:
    second = min(max(second, 0), 86399)
    return dt.time(second // 3600, second % 3600 // 60, second % 60)


def _add_edits(edits: Iterable[Any], schools: Mapping[int, int | None], source: IngestedSource, tz: ZoneInfo) -> int:
    rows = [
        EncyclopaediaEdit(
            user_id=edit.user_id,
            school_id=cast(int, schools[edit.user_id]),
            at=dt.datetime.fromtimestamp(edit.ts, tz=dt.UTC),
            host=edit.host[:253],
            article=edit.article,
            source=source,
            line=edit.line,
        )
        for edit in edits
        if schools.get(edit.user_id) is not None
    ]
    EncyclopaediaEdit.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


# --- hours, domains ---------------------------------------------------------------------------------------

Week = dict[int, list[tuple[dt.time, dt.time]]]


def set_contracted_hours(user: User, week: Week, *, by: Any) -> None:
    """Replace a person's contracted hours (6.13); an empty week means the school default applies."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # two saves at once: one after the other
        before = _describe(ContractedHours.objects.filter(user=user).values_list("weekday", "start", "end"))
        ContractedHours.objects.filter(user=user).delete()
        ContractedHours.objects.bulk_create(
            ContractedHours(user=user, weekday=day, start=start, end=end)
            for day, ranges in week.items()
            for start, end in ranges
        )
        after = _describe((day, s, e) for day, ranges in week.items() for s, e in ranges)
        record(by, "monitoring.hours_set", user, changes={"clause": clauses.HOURS, "hours": [before, after]})


def set_school_default_hours(school: School, week: Week, *, by: Any) -> None:
    with transaction.atomic():
        School.objects.select_for_update().filter(pk=school.pk).first()
        before = _describe(SchoolDefaultHours.objects.filter(school=school).values_list("weekday", "start", "end"))
        SchoolDefaultHours.objects.filter(school=school).delete()
        SchoolDefaultHours.objects.bulk_create(
            SchoolDefaultHours(school=school, weekday=day, start=start, end=end)
            for day, ranges in week.items()
            for start, end in ranges
        )
        after = _describe((day, s, e) for day, ranges in week.items() for s, e in ranges)
        record(by, "monitoring.default_hours_set", school, changes={"clause": clauses.HOURS, "hours": [before, after]})


def _describe(rows: Iterable[tuple[int, dt.time, dt.time]]) -> str:
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    return "; ".join(f"{names[d]} {s:%H:%M}–{e:%H:%M}" for d, s, e in sorted(rows))


def set_domain_category(domain: str, category: str, *, by: Any) -> DomainCategory:
    with transaction.atomic():
        entry, _ = DomainCategory.objects.update_or_create(
            domain=domain, defaults={"category": category, "updated_at": timezone.now()}
        )
        record(by, "monitoring.domain_listed", entry, changes={"domain": domain, "category": category})
    return entry


def remove_domain_category(entry: DomainCategory, *, by: Any) -> None:
    with transaction.atomic():
        record(by, "monitoring.domain_unlisted", entry, changes={"domain": entry.domain})
        entry.delete()


# --- the notice, report access, retention ----------------------------------------------------------------


def acknowledge_notice(user: User) -> bool:
    """Record that ``user`` has read the monitoring notice (8.1, 8.2); False when they already had."""
    with transaction.atomic():
        _, created = NoticeAcknowledgement.objects.get_or_create(user=user, version=NOTICE_VERSION)
        if created:
            record(
                user,
                "monitoring.notice_acknowledged",
                user,
                changes={"clause": clauses.NOTICE, "version": NOTICE_VERSION},
            )
    return created


def record_report_opened(by: User, school: School, *, report: str, reason: str, period: str) -> None:
    """Monitoring data is sensitive: every opening of a report is logged with who, which, why and what period."""
    with transaction.atomic():
        record(
            by,
            "monitoring.report_opened",
            school,
            changes={"report": report, "reason": reason, "period": period},
            school_id=school.pk,
        )


def purge_expired(today: dt.date | None = None) -> tuple[int, int]:
    """Delete kept facts older than the retention period; returns (daily rows, edits) deleted."""
    cutoff = retention_cutoff(today)
    tz = ZoneInfo(settings.TIME_ZONE)
    with transaction.atomic():
        daily, _ = DailyUse.objects.filter(day__lt=cutoff).delete()
        edits, _ = EncyclopaediaEdit.objects.filter(at__lt=dt.datetime.combine(cutoff, dt.time(), tzinfo=tz)).delete()
        if daily or edits:
            record(
                None,
                "monitoring.purged",
                None,
                changes={"before": cutoff.isoformat(), "daily_rows": daily, "edits": edits, "days": retention_days()},
            )
    return daily, edits
