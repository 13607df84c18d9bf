"""The on-call rota and urgent alerts (A.2.3 "immediately"): cover by date and time with bank holidays and school
holidays, gaps a week ahead on 'Waiting for me', and an alert that climbs the ladder on the wall clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import PermissionDenied
from django.test import SimpleTestCase

from custos.audit.models import AuditEvent
from custos.cases import actions, cover, oncall
from custos.cases.business_time import SchoolDay
from custos.cases.models import Alert, AlertStep, Case, EntryKind, OnCallShift
from custos.cases.tests.base import CasesTestCase
from custos.cases.types import CaseType
from custos.cases.waiting import alerts_waiting, cover_gaps_waiting
from custos.community.tests.base import SpaceTestCase
from custos.notify import actions as notify_actions
from custos.notify.models import Delivery
from custos.notify.tests.base import Providers
from custos.tasks.worker import run_once

LONDON = ZoneInfo("Europe/London")
# Saturday 4 April 2026, 03:56 in London (BST): the Easter holidays; Good Friday was the 3rd, Easter Monday the 6th.
SATURDAY_0356 = dt.datetime(2026, 4, 4, 3, 56, tzinfo=LONDON)
DISCLOSURE = "he touched me and said keep it secret"


def at(day: int, hour: int, minute: int = 0, month: int = 4) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


class CoverCoreTests(SimpleTestCase):
    """The pure arithmetic of cover (custos/cases/cover.py)."""

    day = SchoolDay(tz=LONDON, closed_days=frozenset({dt.date(2026, 3, 13)}))

    def test_a23_school_hours_need_no_shift_and_evenings_weekends_and_closed_days_do(self) -> None:
        monday, friday = at(9, 0, month=3), at(14, 0, month=3)
        found = cover.gaps(monday, friday, self.day, [], minimum=dt.timedelta(minutes=5))
        self.assertEqual(
            [(g.starts_at, g.ends_at) for g in found],
            [
                (at(9, 0, month=3), at(9, 8, month=3)),
                (at(9, 17, month=3), at(10, 8, month=3)),
                (at(10, 17, month=3), at(11, 8, month=3)),
                (at(11, 17, month=3), at(12, 8, month=3)),
                (at(12, 17, month=3), at(14, 0, month=3)),  # Friday the 13th is closed: no school hours
            ],
        )

    def test_a23_shifts_at_the_school_or_across_the_trust_fill_the_gaps(self) -> None:
        evening = cover.Shift(1, at(9, 17, month=3), at(10, 8, month=3))
        fallback = cover.Shift(2, at(9, 0, month=3), at(9, 8, month=3), trust_wide=True)
        found = cover.gaps(
            at(9, 0, month=3), at(10, 12, month=3), self.day, [evening, fallback], minimum=dt.timedelta()
        )
        self.assertEqual(found, [])
        late = cover.Shift(1, at(9, 17, 3, month=3), at(10, 8, month=3))
        self.assertEqual(
            cover.gaps(at(9, 16, month=3), at(10, 9, month=3), self.day, [late], minimum=dt.timedelta(minutes=5)), []
        )

    def test_a23_the_ladder_is_on_call_then_the_rota_then_head_then_executive_head_each_once(self) -> None:
        rungs, nobody = cover.ladder([5, 6, 5], in_school_fallback=[1, 2], heads=[3, 6], executive_heads=[4])
        self.assertEqual(
            [(r.who, r.people) for r in rungs],
            [("on call", (5,)), ("next on the rota", (6,)), ("Head of School", (3,)), ("Executive Headteacher", (4,))],
        )
        self.assertFalse(nobody)

    def test_a23_with_nobody_on_call_the_dsl_and_deputies_are_alerted_together_never_the_subject(self) -> None:
        rungs, nobody = cover.ladder([7], in_school_fallback=[1, 2], heads=[3], executive_heads=[4], excluding=[7, 2])
        self.assertTrue(nobody)
        self.assertEqual([r.people for r in rungs], [(1,), (3,), (4,)])

    def test_a23_the_schools_own_shifts_come_before_the_trusts_and_first_before_second(self) -> None:
        moment = at(4, 3, 56)
        shifts = [
            cover.Shift(9, at(3, 17), at(6, 8), trust_wide=True),
            cover.Shift(2, at(3, 17), at(6, 8), position=2),
            cover.Shift(1, at(4, 0), at(5, 0), position=1),
            cover.Shift(8, at(1, 0), at(2, 0)),
        ]
        self.assertEqual(cover.on_call_order(shifts, moment), [1, 2, 9])


class HolidayTests(CasesTestCase):
    def test_a23_bank_holidays_come_from_the_official_list_without_being_typed_in(self) -> None:
        with time_machine.travel(at(2, 16, 30), tick=False):  # Thursday before Good Friday
            case = self.open(CaseType.SAFEGUARDING)
        self.assertEqual(case.due_at, at(7, 8, 30))  # Good Friday and Easter Monday do not count

    def test_a23_a_trust_elsewhere_in_the_uk_chooses_its_bank_holidays(self) -> None:
        actions.set_out_of_hours(self.trust, bank_holidays="SCT", alert_ack_minutes=15, by=self.exec_head)
        with time_machine.travel(at(2, 16, 30), tick=False):
            case = self.open(CaseType.SAFEGUARDING)
        self.assertEqual(case.due_at, at(6, 8, 30))  # Easter Monday is not a bank holiday in Scotland
        self.assertTrue(AuditEvent.objects.filter(action="cases.out_of_hours_changed").exists())

    def test_a23_school_holidays_close_every_day_from_first_to_last(self) -> None:
        with time_machine.travel(at(20, 10, month=3), tick=False):
            actions.add_school_holiday(
                self.trust,
                first_day=dt.date(2026, 3, 30),
                last_day=dt.date(2026, 4, 10),
                label="Easter holidays",
                by=self.exec_head,
            )
            response = self.client_for(self.exec_head).get("/cases/timings/")
        self.assertContains(response, "Easter holidays")
        self.assertContains(response, "Easter Monday")  # the bank holidays listed, from the package
        with time_machine.travel(at(27, 16, 30, month=3), tick=False):
            case = self.open(CaseType.SAFEGUARDING)
        self.assertEqual(case.due_at, at(13, 8, 30))  # back after the holidays

    def test_a23_a_holiday_ending_before_it_starts_or_overlapping_another_is_refused_and_nothing_changes(self) -> None:
        client = self.client_for(self.exec_head)
        url = "/cases/timings/holidays/"
        with time_machine.travel(at(20, 10, month=3), tick=False):
            bad = client.post(url, {"first_day": "10/04/2026", "last_day": "30/03/2026", "label": "Easter"})
            self.assertContains(bad, "must end on or after the day it starts", status_code=400)
            client.post(url, {"first_day": "30/03/2026", "last_day": "10/04/2026", "label": "Easter holidays"})
            clash = client.post(url, {"first_day": "06/04/2026", "last_day": "17/04/2026", "label": "Other"})
            self.assertContains(clash, "It overlaps Easter holidays", status_code=400)
            self.assertEqual(self.client_for(self.dsl).post(url, {}).status_code, 403)
        self.assertEqual(AuditEvent.objects.filter(action="cases.school_holiday_added").count(), 1)

    def test_a23_the_acknowledgement_time_is_one_to_120_minutes(self) -> None:
        response = self.client_for(self.exec_head).post(
            "/cases/timings/out-of-hours/", {"bank_holidays": "ENG", "alert_ack_minutes": "0"}
        )
        self.assertContains(response, "At least 1 minute.", status_code=400)
        self.assertFalse(AuditEvent.objects.filter(action="cases.out_of_hours_changed").exists())


class RotaTests(CasesTestCase):
    URL = "/cases/on-call/"

    def add(self, **extra: object) -> list[OnCallShift]:
        extra.setdefault("school", self.school)
        extra.setdefault("person", self.deputy_dsl)
        extra.setdefault("starts_at", at(3, 17))
        extra.setdefault("ends_at", at(6, 8))
        extra.setdefault("by", self.dsl)
        return oncall.add_shift(self.trust, **extra)  # type: ignore[arg-type]

    def test_a23_the_dsl_puts_a_deputy_on_call_for_the_weekend_repeated_weekly_and_it_is_audited(self) -> None:
        with time_machine.travel(at(1, 12), tick=False):
            response = self.client_for(self.dsl).post(
                "/cases/on-call/add/",
                {
                    "school": self.school.pk,
                    "person": self.deputy_dsl.pk,
                    "starts_at": "2026-04-03T17:00",
                    "ends_at": "2026-04-06T08:00",
                    "position": "1",
                    "repeat_weeks": "3",
                },
                follow=True,
            )
            self.assertContains(response, "3 shifts added to the rota.")
        starts = list(OnCallShift.objects.values_list("starts_at", flat=True))
        self.assertEqual(starts, [at(3, 17), at(10, 17), at(17, 17)])
        event = AuditEvent.objects.get(action="cases.on_call_added")
        self.assertEqual((event.actor, event.changes["weeks"]), (self.dsl, 3))

    def test_a23_only_the_schools_dsl_edits_its_rota_and_only_its_dsl_and_deputies_can_be_on_call(self) -> None:
        with time_machine.travel(at(1, 12), tick=False):
            for person in (self.deputy_dsl, self.head, self.exec_head):
                with self.subTest(editor=person.username), self.assertRaises(PermissionDenied):
                    self.add(by=person)
            with self.assertRaisesMessage(oncall.RotaError, "only its Designated Safeguarding Lead and deputies"):
                self.add(person=self.teacher)
            with self.assertRaisesMessage(oncall.RotaError, "must end after it starts"):
                self.add(ends_at=at(3, 16))
            self.assertContains(self.client_for(self.head).get(self.URL), "On-call rota")
            self.assertEqual(self.client_for(self.teacher).get(self.URL).status_code, 403)
            self.assertEqual(self.client_for(self.outsider).get(self.URL).status_code, 403)
            # The Executive Headteacher keeps the Trust's fallback.
            self.add(school=None, person=self.exec_head, by=self.exec_head)
        self.assertEqual(OnCallShift.objects.filter(school__isnull=True).count(), 1)
        self.assertEqual(OnCallShift.objects.filter(school__isnull=False).count(), 0)

    def test_a23_a_gap_in_cover_shows_on_the_dsls_and_heads_waiting_for_me_a_week_ahead(self) -> None:
        with time_machine.travel(at(1, 12), tick=False):  # Wednesday 1 April, in the Easter holidays or not
            self.assertEqual(cover_gaps_waiting(self.dsl), [], "no rota yet: nothing to show")
            self.add(starts_at=at(1, 17), ends_at=at(3, 8))
            for person in (self.dsl, self.head):
                items = cover_gaps_waiting(person)
                with self.subTest(person=person.username):
                    self.assertTrue(items)
                    self.assertIn("Nobody is on call for Oakfield Academy from 08:00 Fri 03/04", items[0].title)
            self.assertEqual(cover_gaps_waiting(self.deputy_dsl), [])
            self.assertEqual(cover_gaps_waiting(self.teacher), [])
            page = self.client_for(self.dsl).get(self.URL)
            self.assertContains(page, "Nobody on call")
            # A whole week covered, by the school and by the Trust's fallback: no gap.
            self.add(starts_at=at(3, 8), ends_at=at(8, 13))
            self.add(school=None, person=self.exec_head, starts_at=at(8, 12), ends_at=at(9, 13), by=self.exec_head)
            self.assertEqual(cover_gaps_waiting(self.dsl), [])

    def test_a23_removing_a_shift_someone_else_removed_says_so(self) -> None:
        with time_machine.travel(at(1, 12), tick=False):
            [shift] = self.add()
            oncall.remove_shift(shift.pk, by=self.dsl)
            with self.assertRaisesMessage(oncall.RotaError, "already removed"):
                oncall.remove_shift(shift.pk, by=self.dsl)


class UrgentAlertTests(SpaceTestCase):
    """A disclosure at 03:56 on a Saturday in the Easter holidays (A.2.3): the person on call within a minute,
    then up the ladder every 15 minutes nobody acknowledges."""

    def setUp(self) -> None:
        super().setUp()
        import shutil
        import tempfile

        from django.test import override_settings

        root = tempfile.mkdtemp(prefix="custos-case-evidence-")
        self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        evidence = override_settings(CUSTOS_CASE_EVIDENCE_ROOT=root)
        evidence.enable()
        self.addCleanup(evidence.disable)

    def rota(self) -> None:
        with time_machine.travel(at(1, 12), tick=False):
            actions.add_school_holiday(
                self.trust,
                first_day=dt.date(2026, 3, 30),
                last_day=dt.date(2026, 4, 10),
                label="Easter holidays",
                by=self.exec_head,
            )
            oncall.add_shift(
                self.trust,
                school=self.school,
                person=self.deputy_dsl,
                starts_at=at(3, 17),
                ends_at=at(6, 8),
                by=self.dsl,
            )
            oncall.add_shift(
                self.trust,
                school=self.school,
                person=self.dsl,
                starts_at=at(3, 17),
                ends_at=at(6, 8),
                position=2,
                by=self.dsl,
            )

    def channels(self, p: Providers) -> None:
        notify_actions.add_channel(self.deputy_dsl, kind="sms", address="07911 123456", by=self.deputy_dsl)
        notify_actions.add_channel(
            self.deputy_dsl, kind="slack", address=f"{p.slack.url}/services/T/B/C", by=self.deputy_dsl
        )
        notify_actions.add_channel(self.dsl, kind="teams", address=f"{p.teams.url}/workflows/x", by=self.dsl)

    def steps(self) -> list[tuple[int, str, list[str]]]:
        return [
            (s.step, s.who, sorted(u.username for u in s.notified.all())) for s in AlertStep.objects.order_by("step")
        ]

    def test_a23_a_disclosure_at_0356_on_an_easter_saturday_alerts_on_call_and_climbs_the_ladder(self) -> None:
        self.rota()
        with Providers() as p, time_machine.travel(SATURDAY_0356, tick=False) as clock:
            self.channels(p)
            self.screened(self.pupil, DISCLOSURE)  # screening escalates: a case, and the alert
            case = Case.objects.get()
            self.assertTrue(case.immediate_risk)
            self.assertEqual(case.due_at, SATURDAY_0356 + dt.timedelta(minutes=15))  # not 08:00 on the 13th
            clock.shift(dt.timedelta(seconds=30))
            run_once()
            # Within a minute, the deputy on call has it by email, text message and Slack.
            self.assertEqual(self.steps(), [(1, "on call", ["deputy_dsl"])])
            self.assertEqual(len(p.notify.received), 1)
            self.assertEqual(p.notify.received[0]["phone_number"], "+447911123456")
            self.assertEqual(len(p.slack.received), 1)
            self.assertTrue(any("Urgent" in m["Subject"] for m in p.smtp.to(self.deputy_dsl.email)))
            self.assertEqual(p.teams.received, [], "the DSL is second on the rota: not alerted yet")
            self.assertTrue(alerts_waiting(self.deputy_dsl)[0].urgent)
            # Nobody acknowledges: every 15 minutes the next rung.
            for minutes, expected in (
                (15, (2, "next on the rota", ["dsl"])),
                (30, (3, "Head of School", ["head"])),
                (45, (4, "Executive Headteacher", ["exec_head"])),
            ):
                clock.move_to(SATURDAY_0356 + dt.timedelta(minutes=minutes - 1))
                run_once()
                self.assertEqual(len(self.steps()), expected[0] - 1, f"step {expected[0]} before its time")
                clock.move_to(SATURDAY_0356 + dt.timedelta(minutes=minutes, seconds=5))
                run_once()
                self.assertEqual(self.steps()[-1], expected)
            self.assertEqual(len(p.teams.received), 1)
            clock.move_to(SATURDAY_0356 + dt.timedelta(hours=3))
            run_once()
            head_page = self.client_for(self.head).get(f"/cases/alerts/{case.alert.pk}/")
            dsl_page = self.client_for(self.dsl).get(f"/cases/{case.reference}/")
        self.assertEqual(len(self.steps()), 4, "each step once")
        self.assertEqual(case.entries.filter(kind=EntryKind.ALERTED).count(), 4)
        self.assertEqual(AuditEvent.objects.filter(action="cases.alert_step").count(), 4)
        self.assertEqual(len(p.notify.received), 1, "the deputy's text message went once")
        # No child's name and none of their words left Custos; the Head sees the alert but never the case.
        for words in (DISCLOSURE, "touched", "Jamie", "Rivers", "Alexa"):
            self.assertNotIn(words, p.all_text())
        self.assertContains(head_page, "I am dealing with it")
        self.assertContains(head_page, "you cannot open this kind of case")
        self.assertEqual(self.client_for(self.head).get(f"/cases/{case.reference}/").status_code, 404)
        self.assertContains(dsl_page, "Urgent alert")
        self.assertContains(dsl_page, "Executive Headteacher")
        self.assertContains(dsl_page, "Text message (SMS): sent")

    def test_a23_the_person_on_call_acknowledging_stops_the_ladder_and_acknowledges_the_case(self) -> None:
        self.rota()
        with Providers(), time_machine.travel(SATURDAY_0356, tick=False) as clock:
            self.screened(self.pupil, DISCLOSURE)
            run_once()
            alert = Alert.objects.get()
            clock.shift(dt.timedelta(minutes=6))
            response = self.client_for(self.deputy_dsl).post(f"/cases/alerts/{alert.pk}/", follow=True)
            self.assertContains(response, "nobody else will be alerted")
            clock.shift(dt.timedelta(hours=2))
            run_once()
        alert.refresh_from_db()
        self.assertEqual(alert.acknowledged_by, self.deputy_dsl)
        self.assertEqual(self.steps(), [(1, "on call", ["deputy_dsl"])])
        self.assertEqual(alert.case.status, "open")
        self.assertEqual(alert.case.entries.filter(kind=EntryKind.ALERT_ACKNOWLEDGED).count(), 1)
        self.assertEqual(alerts_waiting(self.deputy_dsl), [])

    def test_a23_the_head_acknowledges_the_alert_without_seeing_the_case(self) -> None:
        self.rota()
        with Providers(), time_machine.travel(SATURDAY_0356, tick=False) as clock:
            self.screened(self.pupil, DISCLOSURE)
            clock.shift(dt.timedelta(minutes=31))
            run_once()
            alert = Alert.objects.get()
            self.client_for(self.head).post(f"/cases/alerts/{alert.pk}/")
            clock.shift(dt.timedelta(hours=1))
            run_once()
            again = self.client_for(self.dsl).post(f"/cases/alerts/{alert.pk}/", follow=True)
        self.assertContains(again, "already acknowledged this alert")
        alert.refresh_from_db()
        self.assertEqual((alert.acknowledged_by, alert.case.status), (self.head, "new"))
        self.assertEqual([s[0] for s in self.steps()], [1, 2, 3])
        self.assertEqual(self.client_for(self.teacher).get(f"/cases/alerts/{alert.pk}/").status_code, 404)

    def test_a23_with_nobody_on_call_the_dsl_and_deputies_are_alerted_together_at_once(self) -> None:
        with Providers(), time_machine.travel(SATURDAY_0356, tick=False):
            self.screened(self.pupil, DISCLOSURE)
            run_once()
        alert = Alert.objects.get()
        self.assertTrue(alert.nobody_on_call)
        self.assertEqual(self.steps()[0][2], ["deputy_dsl", "dsl"])

    def test_a23_a_teacher_marks_a_concern_at_risk_now_and_the_wall_clock_runs(self) -> None:
        self.rota()
        with Providers(), time_machine.travel(SATURDAY_0356, tick=False):
            self.client_for(self.teacher).post(
                "/cases/report/concern/",
                {"concern_type": "safeguarding", "summary": "A pupil messaged me: come now", "at_risk_now": "on"},
            )
            run_once()
        case = Case.objects.get()
        self.assertEqual(case.alert.reason, "at_risk_now")
        self.assertEqual(self.steps(), [(1, "on call", ["deputy_dsl"])])
        self.assertNotIn("at risk now", str(case.details))

    def test_a23_an_ordinary_concern_keeps_school_hours_and_raises_no_alert(self) -> None:
        with time_machine.travel(SATURDAY_0356, tick=False):
            self.client_for(self.teacher).post(
                "/cases/report/concern/", {"concern_type": "safeguarding", "summary": "Something worrying"}
            )
        case = Case.objects.get()
        self.assertFalse(Alert.objects.exists())
        self.assertGreater(case.due_at, SATURDAY_0356 + dt.timedelta(days=1))
        self.assertFalse(Delivery.objects.exists())

    def test_a23_an_urgent_allegation_against_the_head_never_reaches_the_head(self) -> None:
        self.rota()
        with Providers(), time_machine.travel(SATURDAY_0356, tick=False) as clock:
            self.client_for(self.teacher).post(
                "/cases/report/concern/",
                {"concern_type": "allegation", "summary": "The head", "at_risk_now": "on", "about_head": "on"},
            )
            clock.shift(dt.timedelta(hours=2))
            run_once()
        self.assertNotIn("head", [p for step in self.steps() for p in step[2]])
        self.assertEqual(self.steps()[-1][1], "Executive Headteacher")
