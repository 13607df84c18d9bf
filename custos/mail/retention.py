"""How long sent mail is kept (UK GDPR Art. 5(1)(e) storage limitation; policy 3.2: pupil and staff records are
confidential and protected by data-protection law): ``CUSTOS_MAIL_RETENTION_DAYS`` days after it was sent."""

from __future__ import annotations

from custos.lib.retention import RetentionPeriod

CLAUSE = "3.2"
SETTING = "CUSTOS_MAIL_RETENTION_DAYS"
PERIOD = RetentionPeriod(SETTING, default=90, check_id="custos_mail.E001")
retention_days = PERIOD.days
retention_cutoff = PERIOD.cutoff  # mail sent before this moment is past retention
