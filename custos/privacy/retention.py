"""How long a subject access archive is kept after it was gathered (UK GDPR Art. 5(1)(e) storage limitation; policy
3.2: pupil and staff records are confidential and protected by data-protection law). The archive is a copy of
everything held about one person, often a child: once it has been released there is no need to keep the copy."""

from __future__ import annotations

from custos.lib.retention import RetentionPeriod

CLAUSE = "3.2"
SETTING = "CUSTOS_SAR_ARCHIVE_DAYS"
PERIOD = RetentionPeriod(SETTING, default=30, check_id="privacy.E001")
archive_days = PERIOD.days
archive_cutoff = PERIOD.cutoff  # archives gathered before this moment are past retention
