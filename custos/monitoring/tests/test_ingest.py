"""Ingesting proxy logs into the kept facts (8.1, 6.11, 6.13): exactly once, minimised, with a clear summary."""

from __future__ import annotations

import datetime as dt
import gzip
import io
from typing import Any
from unittest import mock

from django.core.management import CommandError, call_command
from django.db import connection

from custos.audit.models import AuditEvent
from custos.monitoring import actions
from custos.monitoring.actions import IngestConflict
from custos.monitoring.cli import Progress
from custos.monitoring.models import DailyUse, EncyclopaediaEdit, IngestedSource, Weekday
from custos.monitoring.parsing import LogFormatError
from custos.monitoring.tests.helpers import MONDAY, at, ingest_text, prepare, squid
from custos.test import CustosTestCase

TUESDAY = MONDAY + dt.timedelta(days=1)


def log_lines() -> list[str]:
    return [
        squid(at(MONDAY, 9, 5), "www.facebook.com:443"),
        squid(at(MONDAY, 9, 6), "http://www.bbc.co.uk/news", method="GET"),
        squid(at(MONDAY, 10, 40), "static.xx.fbcdn.net:443", user="pupil"),
        squid(at(MONDAY, 11, 30), "www.facebook.com:443"),
        squid(at(MONDAY, 12, 15), "www.facebook.com:443"),  # lunch
        squid(at(MONDAY, 14, 0), "www.youtube.com:443", user="moderator"),
        squid(at(MONDAY, 18, 0), "https://en.wikipedia.org/w/index.php?title=Oakfield&action=submit", method="POST"),
        squid(at(TUESDAY, 9, 0), "web.whatsapp.com:443"),
    ]


class IngestTests(CustosTestCase):
    def setUp(self) -> None:
        super().setUp()
        prepare(self.school, self.hr)

    def kept(self) -> list[tuple[Any, ...]]:
        return list(
            DailyUse.objects.order_by("day", "user__username", "category").values_list(
                "user__username", "school_id", "day", "category", "requests", "first_at", "last_at"
            )
        )

    def test_613_keeps_per_person_day_and_category_inside_contracted_hours(self) -> None:
        result = ingest_text("".join(log_lines()))
        assert self.kept() == [
            ("moderator", self.school.pk, MONDAY, "video", 1, dt.time(14, 0), dt.time(14, 0)),
            ("teacher", self.school.pk, MONDAY, "social", 2, dt.time(9, 5), dt.time(11, 30)),
            ("teacher", self.school.pk, TUESDAY, "messaging", 1, dt.time(9, 0), dt.time(9, 0)),
        ]
        assert (result.lines_read, result.lines_used, result.malformed) == (8, 5, 0)
        assert (result.uncategorised, result.unknown_person, result.outside_hours) == (1, 1, 1)

    def test_611_edit_requests_are_kept_one_by_one_with_time_person_and_article(self) -> None:
        ingest_text("".join(log_lines()))
        edit = EncyclopaediaEdit.objects.get()
        assert (edit.user, edit.school, edit.host, edit.article) == (
            self.teacher,
            self.school,
            "en.wikipedia.org",
            "Oakfield",
        )
        assert edit.at == dt.datetime.fromtimestamp(at(MONDAY, 18, 0), tz=dt.UTC)

    def test_81_ingesting_the_same_file_twice_changes_nothing(self) -> None:
        text = "".join(log_lines())
        ingest_text(text)
        before = (self.kept(), EncyclopaediaEdit.objects.count())
        again = ingest_text(text, name="copy-of-access.log")
        assert (self.kept(), EncyclopaediaEdit.objects.count()) == before
        assert (again.lines_read, again.already_read) == (0, 8)
        assert "Nothing new" in again.note

    def test_81_a_log_cut_mid_line_then_completed_counts_every_line_once(self) -> None:
        text = "".join(log_lines())
        cut = text.index("www.youtube.com")  # in the middle of the moderator's line
        first = ingest_text(text[:cut])
        assert first.pending_bytes > 0
        assert DailyUse.objects.filter(user=self.moderator).count() == 0
        second = ingest_text(text)
        assert (first.lines_read + second.lines_read, second.already_read) == (8, 5)
        full = self.kept()
        DailyUse.objects.all().delete()
        EncyclopaediaEdit.objects.all().delete()
        IngestedSource.objects.all().delete()
        ingest_text(text)
        assert self.kept() == full

    def test_81_a_rotated_gzipped_copy_is_the_same_log(self) -> None:
        text = "".join(log_lines())
        ingest_text(text[: text.index(squid(at(MONDAY, 12, 15), "www.facebook.com:443"))])
        ingest_text(gzip.compress(text.encode()), name="access.log.1.gz")
        assert DailyUse.objects.get(user=self.teacher, day=MONDAY).requests == 2
        assert IngestedSource.objects.count() == 1

    def test_81_a_different_log_with_the_same_first_line_is_refused_and_changes_nothing(self) -> None:
        lines = log_lines()
        ingest_text("".join(lines[:3]))
        before = self.kept()
        tampered = lines[0] + squid(at(MONDAY, 9, 7), "www.facebook.com:443") + "".join(lines[2:])
        with self.assertRaisesMessage(LogFormatError, "it is a different log"):
            ingest_text(tampered)
        assert self.kept() == before

    def test_613_two_logs_covering_one_day_add_up(self) -> None:
        ingest_text(squid(at(MONDAY, 9, 0), "www.facebook.com:443"), name="proxy-a.log")
        ingest_text(squid(at(MONDAY, 15, 0), "m.facebook.com:443"), name="proxy-b.log")
        row = DailyUse.objects.get(user=self.teacher)
        assert (row.requests, row.first_at, row.last_at) == (2, dt.time(9, 0), dt.time(15, 0))

    def test_613_own_contracted_hours_replace_the_school_default(self) -> None:
        actions.set_contracted_hours(self.teacher, {Weekday.MONDAY: [(dt.time(13, 0), dt.time(17, 0))]}, by=self.hr)
        ingest_text(squid(at(MONDAY, 9, 0), "www.facebook.com:443") + squid(at(MONDAY, 16, 30), "x.facebook.com:443"))
        row = DailyUse.objects.get(user=self.teacher)
        assert (row.requests, row.first_at) == (1, dt.time(16, 30))
        assert AuditEvent.objects.filter(action="monitoring.hours_set", object_id=str(self.teacher.pk)).exists()

    def test_81_csv_exports_with_named_columns_are_ingested(self) -> None:
        text = (
            "Timestamp,Username,Source_IP,Method,URL\n"
            "2026-03-02T09:00:00,teacher,10.0.0.5,GET,https://www.facebook.com/\n"
            "2026-03-02T09:10:00+00:00,teacher,10.0.0.5,GET,https://www.youtube.com/watch?v=1\n"
            "not a time,teacher,10.0.0.5,GET,https://www.facebook.com/\n"
            '2026-03-02T18:00:00,teacher,10.0.0.5,POST,"https://en.wikipedia.org/w/index.php?title=A,B&action=submit"\n'
        )
        result = ingest_text(text, fmt="csv")
        assert (result.lines_read, result.lines_used, result.malformed) == (4, 3, 1)
        assert result.malformed_examples[0][0] == 4  # counting the header as line 1
        assert EncyclopaediaEdit.objects.get().article == "A,B"
        again = ingest_text(text + "2026-03-02T09:20:00,teacher,10.0.0.5,GET,https://www.facebook.com/\n", fmt="csv")
        assert again.lines_read == 1
        assert DailyUse.objects.get(category="social").requests == 2

    def test_81_raw_lines_are_never_stored(self) -> None:
        marker = "secret-search-term-1234"
        ingest_text(squid(at(MONDAY, 9, 0), f"http://www.facebook.com/search?q={marker}", method="GET"))
        assert DailyUse.objects.count() == 1
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                if table.startswith("monitoring_") or table.startswith("audit_"):
                    cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - our own table names
                    assert marker not in repr(cursor.fetchall()), table

    def test_81_staff_without_a_school_and_pupils_leave_nothing_behind(self) -> None:
        ingest_text(squid(at(MONDAY, 9, 0), "www.facebook.com:443", user="exec_head"))
        ingest_text(squid(at(MONDAY, 9, 1), "www.facebook.com:443", user="pupil"))
        assert DailyUse.objects.count() == 0

    def test_81_each_ingestion_is_audited_with_counts_only(self) -> None:
        ingest_text("".join(log_lines()), by=self.ict_manager)
        event = AuditEvent.objects.get(action="monitoring.log_ingested")
        assert event.actor == self.ict_manager
        assert event.changes["lines_read"] == 8
        assert "facebook" not in repr(event.changes)

    def test_81_two_readings_at_once_one_wins_and_the_other_changes_nothing(self) -> None:
        text = "".join(log_lines())

        def rival_finishes_first(consumed: int, lines: int) -> None:
            ingest_text(text)

        with self.assertRaisesMessage(IngestConflict, "Another reading of this log finished"):
            ingest_text(text, progress=rival_finishes_first)
        assert DailyUse.objects.get(user=self.teacher, day=MONDAY).requests == 2
        assert IngestedSource.objects.get().lines_consumed == 8

    def test_81_an_empty_or_headless_file_reads_nothing(self) -> None:
        assert "no complete line" in ingest_text("").note
        assert "no complete line" in ingest_text("1772445600.1 1 10.0.0.5").note
        with self.assertRaisesMessage(LogFormatError, "no url column"):
            ingest_text("time,user\n1,2\n", fmt="csv")
        assert IngestedSource.objects.count() == 0


class IngestCommandTests(CustosTestCase):
    def setUp(self) -> None:
        super().setUp()
        prepare(self.school, self.hr)

    def test_81_command_prints_lines_read_used_malformed_with_examples_and_time(self) -> None:
        path = self.tmp_log("".join(log_lines()) + "\x1b[2J<script>alert(1)</script>\n" + "half a li")
        out = io.StringIO()
        call_command("ingest_proxy_log", path, "--format", "squid", stdout=out)
        text = out.getvalue()
        assert "Lines read: 9" in text
        assert "Lines used: 5" in text
        assert "Malformed lines skipped: 1" in text
        assert "line 9: \\x1b[2J<script>alert(1)</script>" in text
        assert "incomplete last line (9 bytes)" in text
        assert "Time taken:" in text

    def test_81_command_reads_gzip_and_explains_a_missing_file(self) -> None:
        path = self.tmp_log(gzip.compress("".join(log_lines()).encode()), suffix=".gz")
        out = io.StringIO()
        call_command("ingest_proxy_log", path, stdout=out)
        assert "Lines read: 8" in out.getvalue()
        with self.assertRaisesMessage(CommandError, "Cannot read /nonexistent/access.log"):
            call_command("ingest_proxy_log", "/nonexistent/access.log")

    def test_81_command_reads_standard_input(self) -> None:
        class Stdin:
            buffer = io.BytesIO(gzip.compress("".join(log_lines()).encode()))

        out = io.StringIO()
        with mock.patch("sys.stdin", Stdin()):
            call_command("ingest_proxy_log", "-", stdout=out)
        assert "Read - (squid)." in out.getvalue()
        assert "Lines read: 8" in out.getvalue()

    def test_81_progress_bar_shows_share_lines_and_rate_on_a_terminal(self) -> None:
        screen = io.StringIO()
        progress = Progress(screen, total_bytes=1000)
        progress._drawn = -1.0
        progress(500, 4000)
        progress.done()
        assert screen.getvalue().startswith("\r[###############               ]  50.0%  4,000 lines")
        unknown = io.StringIO()
        progress = Progress(unknown, total_bytes=None)
        progress._drawn = -1.0
        progress(2_500_000, 10)
        assert "2.5 MB  10 lines" in unknown.getvalue()

    def tmp_log(self, content: str | bytes, suffix: str = ".log") -> str:
        import tempfile

        handle = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)  # noqa: SIM115
        handle.write(content.encode() if isinstance(content, str) else content)
        handle.close()
        self.addCleanup(lambda: __import__("os").unlink(handle.name))
        return handle.name
