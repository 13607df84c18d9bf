"""Shared set-up for the cases tests: evidence goes to a throwaway folder; a helper opens cases."""

from __future__ import annotations

import shutil
import tempfile
from typing import Any

from django.test import override_settings

from custos.cases import actions
from custos.cases.models import Case
from custos.test import CustosTestCase


class CasesTestCase(CustosTestCase):
    def setUp(self) -> None:
        super().setUp()
        root = tempfile.mkdtemp(prefix="custos-case-evidence-")
        self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        settings_override = override_settings(CUSTOS_CASE_EVIDENCE_ROOT=root)
        settings_override.enable()
        self.addCleanup(settings_override.disable)

    def open(self, case_type: str, **extra: Any) -> Case:
        extra.setdefault("school", self.school)
        extra.setdefault("reported_by", self.teacher)
        extra.setdefault("summary", "Something worrying was posted on the Year 8 space.")
        extra.setdefault("source", "report_form")
        return actions.open_case(case_type=case_type, **extra)
