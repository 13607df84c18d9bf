"""Escalation when nobody acts (A.2.3): deputies, then the Head, by email and 'Waiting for me'; each step once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import time_machine
from django.core.management import call_command

from custos.cases import actions
from custos.cases.models import Escalation
from custos.cases.tests.base import CasesTestCase
from custos.cases.types import CaseType
from custos.cases.waiting import cases_waiting
from custos.mail.models import Email
from custos.tasks.models import Job
from custos.tasks.worker import run_once

MONDAY_10AM = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


class EscalationTests(CasesTestCase):
    def escalation_mail(self, username: str) -> list[str]:
        return list(
            Email.objects.filter(recipient__username=username, subject__startswith="Not acknowledged").values_list(
                "subject", flat=True
            )
        )

    def test_a23_unacknowledged_safeguarding_case_goes_to_deputies_at_one_hour_then_the_head(self) -> None:
        with time_machine.travel(MONDAY_10AM, tick=False) as clock:
            case = self.open(CaseType.SAFEGUARDING)
            clock.move_to(MONDAY_10AM + dt.timedelta(minutes=59))
            self.assertEqual(actions.escalate_overdue(), [])
            clock.move_to(MONDAY_10AM + dt.timedelta(hours=1))
            self.assertEqual([e.step for e in actions.escalate_overdue()], [1])
            self.assertEqual(len(self.escalation_mail("deputy_dsl")), 1)
            self.assertEqual(self.escalation_mail("head"), [])
            clock.move_to(MONDAY_10AM + dt.timedelta(hours=2))
            self.assertEqual([e.step for e in actions.escalate_overdue()], [2])
            self.assertEqual(len(self.escalation_mail("head")), 1)
        self.assertEqual(case.entries.filter(kind="escalated").count(), 2)

    def test_a23_escalation_is_idempotent_each_step_recorded_once(self) -> None:
        with time_machine.travel(MONDAY_10AM, tick=False) as clock:
            self.open(CaseType.SAFEGUARDING)
            clock.move_to(MONDAY_10AM + dt.timedelta(hours=5))
            actions.escalate_overdue()
            actions.escalate_overdue()
            call_command("escalate_cases", stdout=StringIO())
        self.assertEqual(sorted(Escalation.objects.values_list("step", flat=True)), [1, 2])
        self.assertEqual(len(self.escalation_mail("head")), 1)

    def test_a23_the_escalation_task_runs_itself_when_the_target_passes(self) -> None:
        with time_machine.travel(MONDAY_10AM, tick=False) as clock:
            case = self.open(CaseType.SAFEGUARDING)
            run_once()
            self.assertFalse(Escalation.objects.exists())
            clock.move_to(MONDAY_10AM + dt.timedelta(hours=1, seconds=2))
            run_once()
            self.assertEqual(list(Escalation.objects.values_list("case_id", "step")), [(case.pk, 1)])
            self.assertTrue(Job.objects.filter(name__endswith="cases_escalation_tick", state="pending").exists())

    def test_a23_an_acknowledged_case_is_never_escalated(self) -> None:
        with time_machine.travel(MONDAY_10AM, tick=False) as clock:
            case = self.open(CaseType.SAFEGUARDING)
            actions.acknowledge(case, by=self.dsl)
            clock.move_to(MONDAY_10AM + dt.timedelta(days=3))
            self.assertEqual(actions.escalate_overdue(), [])

    def test_a23_the_head_sees_the_escalation_waiting_but_not_the_case(self) -> None:
        with time_machine.travel(MONDAY_10AM, tick=False) as clock:
            case = self.open(CaseType.SAFEGUARDING, summary="A very private disclosure")
            clock.move_to(MONDAY_10AM + dt.timedelta(hours=3))
            actions.escalate_overdue()
            items = list(cases_waiting(self.head))
            self.assertEqual(len(items), 1)
            self.assertTrue(items[0].urgent)
            self.assertIn(case.reference, items[0].title)
            page = self.client_for(self.head).get("/cases/")
            self.assertContains(page, "Escalated to you")
            self.assertNotContains(page, "A very private disclosure")
            self.assertEqual(self.client_for(self.head).get(f"/cases/{case.reference}/").status_code, 404)
            mail = Email.objects.get(recipient=self.head, subject__startswith="Not acknowledged")
            self.assertNotIn("private disclosure", mail.body)
            self.assertIn("You cannot open this kind of case", mail.body)

    def test_a23_dashboard_shows_overdue_cases_first(self) -> None:
        with time_machine.travel(MONDAY_10AM, tick=False) as clock:
            older_open = self.open(CaseType.SAFEGUARDING)
            actions.acknowledge(older_open, by=self.dsl)
            overdue = self.open(CaseType.SAFEGUARDING)
            clock.move_to(MONDAY_10AM + dt.timedelta(hours=2))
            fresh = self.open(CaseType.SAFEGUARDING)
            content = self.client_for(self.dsl).get("/cases/").content.decode()
        positions = [content.index(c.reference) for c in (overdue, fresh, older_open)]
        self.assertEqual(positions, sorted(positions))
        self.assertIn("Overdue", content)

    def test_friday_evening_report_is_not_escalated_over_the_weekend(self) -> None:
        friday_evening = dt.datetime(2026, 3, 6, 19, 0, tzinfo=dt.UTC)
        with time_machine.travel(friday_evening, tick=False) as clock:
            self.open(CaseType.SAFEGUARDING)
            clock.move_to(dt.datetime(2026, 3, 8, 23, 0, tzinfo=dt.UTC))
            self.assertEqual(actions.escalate_overdue(), [])
            clock.move_to(dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC))
            self.assertEqual(len(actions.escalate_overdue()), 1)
