"""Real Squid output (8.1): Debian's squid on loopback writes the log, and ingestion reads what it wrote.

``data/squid_access.log`` was recorded from the same setup (``python -m custos.monitoring.tests.squid``), then
hostile lines (binary, injection strings, a line cut off; the test adds a 1 MB line); it keeps a fast test
when squid is absent.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from custos.monitoring import actions
from custos.monitoring.models import DailyUse, EncyclopaediaEdit
from custos.monitoring.tests.helpers import prepare
from custos.monitoring.tests.squid import HOSTILE_TITLE, SQUID, RealSquid, browse, fixture_with_a_one_megabyte_line
from custos.test import CustosTestCase

ALL_DAY = {day: [(dt.time(0, 0), dt.time(23, 59, 59))] for day in range(7)}


@pytest.mark.skipif(SQUID is None, reason="Debian's squid is not installed (apt-get install squid)")
class RealSquidTests(CustosTestCase):
    def test_81_ingests_the_access_log_a_real_squid_wrote(self) -> None:
        prepare(self.school, self.hr)
        actions.set_contracted_hours(self.teacher, ALL_DAY, by=self.hr)
        squid = RealSquid({"teacher": "teacher-pw", "pupil": "pupil-pw"})
        self.addCleanup(squid.cleanup)
        with squid:
            browse(squid)
        out = io.StringIO()
        call_command("ingest_proxy_log", str(squid.access_log), "--format", "squid", stdout=out)
        kept = dict(DailyUse.objects.filter(user=self.teacher).values_list("category", "requests"))
        # The refused log-in (407) and the pupil are not counted; the BBC is not social media.
        assert kept == {"social": 2, "video": 1, "encyclopaedia": 2}, out.getvalue()
        articles = sorted(EncyclopaediaEdit.objects.values_list("article", flat=True))
        assert articles == sorted(["Oakfield Academy", HOSTILE_TITLE])
        assert "Malformed lines skipped: 0" in out.getvalue()


class RecordedSquidTests(CustosTestCase):
    @time_machine.travel(dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC))
    def test_81_recorded_squid_log_with_hostile_lines_is_ingested_and_hostile_lines_counted(self) -> None:
        prepare(self.school, self.hr)
        actions.set_contracted_hours(self.teacher, ALL_DAY, by=self.hr)
        path = Path(tempfile.mkdtemp()) / "access.log"
        path.write_bytes(fixture_with_a_one_megabyte_line())
        self.addCleanup(shutil.rmtree, path.parent)
        out = io.StringIO()
        call_command("ingest_proxy_log", str(path), "--format", "squid", stdout=out)
        text = out.getvalue()
        kept = dict(DailyUse.objects.filter(user=self.teacher).values_list("category", "requests"))
        assert kept == {"social": 2, "video": 1, "encyclopaedia": 2}, text
        assert EncyclopaediaEdit.objects.filter(article=HOSTILE_TITLE).exists()
        assert "Malformed lines skipped: 4" in text  # binary, 1 MB, injection-only and an empty line
        assert "incomplete last line" in text
        assert "\x1b" not in text
