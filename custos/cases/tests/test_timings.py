"""The case timings page: the school day and closed days that school-time targets count in (A.2.3 "immediately";
KCSIE's one working day for the LADO), set by the Executive Headteacher, each change audited."""

from __future__ import annotations

import datetime as dt
import threading

import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from custos.audit.models import AuditEvent
from custos.cases import actions
from custos.cases.actions import CaseConflict, CaseError
from custos.cases.models import CaseSettings, ClosedDay
from custos.cases.tests.base import CasesTestCase
from custos.cases.types import CaseType
from custos.test import CustosTransactionTestCase, give_role, make_user

# Wednesday 11 March 2026, 10:00 in London (GMT).
WEDNESDAY = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)
# Monday 30 March 2026, 10:00 in London (BST): Good Friday is 3 April, Easter Monday 6 April.
BEFORE_EASTER = dt.datetime(2026, 3, 30, 9, 0, tzinfo=dt.UTC)
URL = "/cases/timings/"
ADD_URL = "/cases/timings/closed-days/"


def day_post(starts: str = "09:00", ends: str = "16:00", weekdays=("0", "1", "2", "3", "4"), version: int = 0):
    return {"day_starts": starts, "day_ends": ends, "weekdays": list(weekdays), "version": str(version)}


class SchoolDayPageTests(CasesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client = self.client_for(self.exec_head)

    def test_a23_the_executive_head_sets_the_school_day_and_the_change_is_audited(self) -> None:
        response = self.client.post(URL, day_post(weekdays=("0", "1", "2", "3")), follow=True)
        self.assertEqual(response.redirect_chain, [(URL, 302)])
        self.assertContains(response, "School day saved. It applies to cases opened from now on.")
        row = CaseSettings.objects.get(trust=self.trust)
        self.assertEqual(
            (row.day_starts, row.day_ends, row.weekdays, row.version), (dt.time(9), dt.time(16), "0,1,2,3", 1)
        )
        event = AuditEvent.objects.get(action="cases.school_day_changed")
        self.assertEqual(event.actor, self.exec_head)
        self.assertEqual(event.changes["from"], {"starts": "08:00:00", "ends": "17:00:00", "weekdays": [0, 1, 2, 3, 4]})
        self.assertEqual(event.changes["to"], {"starts": "09:00:00", "ends": "16:00:00", "weekdays": [0, 1, 2, 3]})
        self.assertContains(response, 'value="09:00"')

    def test_a23_a_case_opened_after_the_change_is_due_by_the_new_school_day(self) -> None:
        self.client.post(URL, day_post(starts="09:00", ends="16:00"))
        with time_machine.travel(dt.datetime(2026, 3, 13, 15, 50, tzinfo=dt.UTC), tick=False):  # Friday 15:50 GMT
            case = self.open(CaseType.SAFEGUARDING)
        self.assertEqual(case.due_at, dt.datetime(2026, 3, 16, 9, 50, tzinfo=dt.UTC))  # Monday 09:50

    def test_a23_a_day_that_ends_before_it_starts_is_refused_and_changes_nothing(self) -> None:
        response = self.client.post(URL, day_post(starts="16:00", ends="09:00"))
        self.assertContains(
            response, "The school day must end after it starts: 09:00 is not later than 16:00.", status_code=400
        )
        self.assertContains(response, 'href="#id_day_ends"', status_code=400)
        self.assertFalse(CaseSettings.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="cases.school_day_changed").exists())

    def test_a23_a_week_with_no_school_days_is_refused(self) -> None:
        response = self.client.post(URL, day_post(weekdays=()))
        self.assertContains(response, "Choose at least one school day", status_code=400)
        self.assertFalse(CaseSettings.objects.exists())

    def test_a23_times_must_be_hours_and_minutes(self) -> None:
        response = self.client.post(URL, day_post(starts="9am", ends=""))
        self.assertContains(response, "Enter a time on the 24-hour clock", status_code=400)
        self.assertContains(response, "Enter the time the school day ends.", status_code=400)
        self.assertFalse(CaseSettings.objects.exists())

    def test_a23_of_two_people_saving_at_once_exactly_one_wins_and_the_other_is_told(self) -> None:
        first = self.client.post(URL, day_post(starts="08:30", version=0))
        self.assertEqual(first.status_code, 302)
        second = self.client.post(URL, day_post(starts="07:45", ends="15:30", version=0))
        self.assertContains(second, "Someone else changed the school day while you were editing it", status_code=409)
        self.assertContains(
            second, "It is now 08:30 to 16:00, Monday, Tuesday, Wednesday, Thursday, Friday", status_code=409
        )
        self.assertContains(second, 'value="07:45"', status_code=409)  # what they typed is kept
        self.assertContains(second, 'name="version" value="1"', status_code=409)  # against today's version
        row = CaseSettings.objects.get()
        self.assertEqual((row.day_starts, row.version), (dt.time(8, 30), 1))
        self.assertEqual(AuditEvent.objects.filter(action="cases.school_day_changed").count(), 1)

    def test_a23_a_stale_version_is_refused_by_the_action_itself(self) -> None:
        actions.set_school_day(self.trust, day_starts=dt.time(8), day_ends=dt.time(15), weekdays=[0], by=self.exec_head)
        with self.assertRaises(CaseConflict):
            actions.set_school_day(
                self.trust,
                day_starts=dt.time(9),
                day_ends=dt.time(15),
                weekdays=[0],
                by=self.exec_head,
                expected_version=0,
            )
        self.assertEqual(CaseSettings.objects.get().day_starts, dt.time(8))


class ClosedDayTests(CasesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client = self.client_for(self.exec_head)
        traveller = time_machine.travel(WEDNESDAY, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def test_a23_a_closed_day_is_added_in_uk_date_format_and_audited(self) -> None:
        response = self.client.post(ADD_URL, {"day": "25/12/2026", "label": "Christmas Day"}, follow=True)
        self.assertEqual(response.redirect_chain, [(URL, 302)])
        closed = ClosedDay.objects.get()
        self.assertEqual((closed.day, closed.label), (dt.date(2026, 12, 25), "Christmas Day"))
        event = AuditEvent.objects.get(action="cases.closed_day_added")
        self.assertEqual((event.actor, event.changes["day"]), (self.exec_head, "2026-12-25"))
        self.assertContains(response, "Friday 25/12/2026 (Christmas Day) added as a closed day.")
        self.assertContains(response, '<th scope="row">Friday 25/12/2026</th>', html=False)

    def test_a23_the_target_clock_does_not_run_on_a_closed_day(self) -> None:
        actions.add_closed_day(self.trust, day=dt.date(2026, 3, 12), label="INSET day", by=self.exec_head)
        with time_machine.travel(dt.datetime(2026, 3, 11, 16, 30, tzinfo=dt.UTC), tick=False):
            case = self.open(CaseType.SAFEGUARDING)
        self.assertEqual(case.due_at, dt.datetime(2026, 3, 13, 8, 30, tzinfo=dt.UTC))  # Thursday skipped

    def test_a23_the_same_closed_day_twice_is_refused(self) -> None:
        actions.add_closed_day(self.trust, day=dt.date(2026, 4, 3), label="Good Friday", by=self.exec_head)
        response = self.client.post(ADD_URL, {"day": "03/04/2026", "label": "Bank holiday"})
        self.assertContains(response, "03/04/2026 is already a closed day (“Good Friday”).", status_code=400)
        self.assertContains(response, 'href="#id_day"', status_code=400)
        self.assertEqual(ClosedDay.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action="cases.closed_day_added").count(), 1)

    def test_a23_a_closed_day_absurdly_far_off_is_refused_with_the_reason(self) -> None:
        for day, reason in [
            ("10/03/2024", "10/03/2024 is more than a year ago"),
            ("12/03/2029", "12/03/2029 is more than three years ahead"),
        ]:
            with self.subTest(day=day):
                response = self.client.post(ADD_URL, {"day": day, "label": "INSET day"})
                self.assertContains(response, reason, status_code=400)
        self.assertFalse(ClosedDay.objects.exists())

    def test_a23_a_weekend_is_not_a_closed_day(self) -> None:
        response = self.client.post(ADD_URL, {"day": "14/03/2026", "label": "INSET day"})
        self.assertContains(response, "14/03/2026 is a Saturday, which is not a school day anyway", status_code=400)
        self.assertFalse(ClosedDay.objects.exists())

    def test_a23_a_date_that_is_not_day_month_year_is_refused(self) -> None:
        for day in ("12/31/2026", "next Friday", ""):
            with self.subTest(day=day):
                response = self.client.post(ADD_URL, {"day": day, "label": "INSET day"})
                self.assertEqual(response.status_code, 400)
                self.assertContains(
                    response,
                    "Enter the date of the closed day." if not day else "Enter a real date as day/month/year",
                    status_code=400,
                )
        response = self.client.post(ADD_URL, {"day": "27/03/2026", "label": "  "})
        self.assertContains(response, "Say what the day is", status_code=400)
        self.assertFalse(ClosedDay.objects.exists())

    def test_a23_a_closed_day_is_removed_once_and_the_second_remover_is_told(self) -> None:
        closed = actions.add_closed_day(
            self.trust, day=dt.date(2026, 5, 4), label="Early May bank holiday", by=self.exec_head
        )
        remove = f"/cases/timings/closed-days/{closed.pk}/remove/"
        self.assertRedirects(self.client.post(remove), URL)
        self.assertFalse(ClosedDay.objects.exists())
        event = AuditEvent.objects.get(action="cases.closed_day_removed")
        self.assertEqual(event.changes["label"], "Early May bank holiday")
        again = self.client.post(remove, follow=True)
        self.assertContains(again, "That closed day was already removed (perhaps by someone else). Nothing changed.")
        self.assertEqual(AuditEvent.objects.filter(action="cases.closed_day_removed").count(), 1)

    def test_a23_closed_days_of_another_trust_cannot_be_removed(self) -> None:
        from custos.accounts.models import Trust

        other = Trust.objects.create(name="Another Trust")
        theirs = ClosedDay.objects.create(trust=other, day=dt.date(2026, 5, 4), label="Theirs")
        with self.assertRaises(CaseConflict):
            actions.remove_closed_day(self.trust, closed_day_id=theirs.pk, by=self.exec_head)
        self.assertTrue(ClosedDay.objects.filter(pk=theirs.pk).exists())


class WorkedExampleTests(CasesTestCase):
    """The plain-words examples are computed by the real target arithmetic on the trust's settings."""

    def test_a23_the_page_says_what_a_late_friday_concern_means(self) -> None:
        actions.set_school_day(
            self.trust, day_starts=dt.time(9), day_ends=dt.time(16), weekdays=range(5), by=self.exec_head
        )
        with time_machine.travel(WEDNESDAY, tick=False):
            page = self.client_for(self.exec_head).get(URL)
        self.assertContains(
            page,
            "A safeguarding concern raised at 15:50 on Friday 13/03/2026 (target: 60 minutes of school time) is due "
            "by 09:50 on Monday 16/03/2026.",
        )
        self.assertContains(page, "its clock started at 09:00 on Friday 13/03/2026.")
        self.assertContains(
            page,
            "An allegation against a member of staff raised at 12:30 on Friday 13/03/2026 (target: 1 working day) is "
            "due by 12:30 on Monday 16/03/2026.",
        )

    def test_a23_closed_days_and_the_trusts_own_targets_show_in_the_examples(self) -> None:
        actions.set_target(
            self.trust, case_type=CaseType.SAFEGUARDING, amount=30, unit="school_minutes", by=self.exec_head
        )
        with time_machine.travel(BEFORE_EASTER, tick=False):
            actions.add_closed_day(self.trust, day=dt.date(2026, 4, 3), label="Good Friday", by=self.exec_head)
            actions.add_closed_day(self.trust, day=dt.date(2026, 4, 6), label="Easter Monday", by=self.exec_head)
            page = self.client_for(self.exec_head).get(URL)
        self.assertContains(
            page,
            "Because Friday 03/04/2026 (Good Friday) is a closed day, a safeguarding concern raised at 16:50 on "
            "Thursday 02/04/2026 (target: 30 minutes of school time) is due by 08:20 on Tuesday 07/04/2026.",
        )


class TimingsAccessTests(CasesTestCase):
    """Least privilege: the settings are trust-wide, so only the trust-wide Executive Headteacher changes them."""

    def test_only_the_executive_head_may_open_or_change_case_timings(self) -> None:
        closed = actions.add_closed_day(
            self.trust,
            day=self.today() + dt.timedelta(days=(7 - self.today().weekday()) % 7 or 7),
            label="INSET day",
            by=self.exec_head,
        )
        urls = [
            ("get", URL, {}),
            ("post", URL, day_post()),
            ("post", ADD_URL, {"day": "01/01/2030", "label": "x"}),
            ("post", f"/cases/timings/closed-days/{closed.pk}/remove/", {}),
        ]
        for name in (
            "head",
            "dsl",
            "deputy_dsl",
            "hr",
            "ict_manager",
            "pastoral",
            "teacher",
            "outsider",
            "pupil",
            "external",
            "contractor",
        ):
            client = self.client_for(getattr(self, name))
            for method, url, data in urls:
                with self.subTest(person=name, url=url, method=method):
                    self.assertIn(getattr(client, method)(url, data).status_code, (403, 404))
        self.assertFalse(CaseSettings.objects.exists())
        self.assertTrue(ClosedDay.objects.filter(pk=closed.pk).exists())
        self.assertEqual(self.client_for(self.exec_head).get(URL).status_code, 200)
        self.assertEqual(self.client_for(None).get(URL).status_code, 302)
        with self.assertRaises(PermissionDenied):
            actions.set_school_day(self.trust, day_starts=dt.time(8), day_ends=dt.time(9), weekdays=[0], by=self.dsl)

    def test_the_cases_page_links_to_targets_and_timings_only_for_those_allowed(self) -> None:
        page = self.client_for(self.exec_head).get("/cases/")
        self.assertContains(page, 'href="/cases/timings/"')
        self.assertContains(page, 'href="/cases/targets/"')
        self.assertContains(self.client_for(self.exec_head).get("/cases/targets/"), 'href="/cases/timings/"')
        self.assertNotContains(self.client_for(self.dsl).get("/cases/"), 'href="/cases/timings/"')

    def test_the_timings_page_query_count_does_not_grow_with_closed_days(self) -> None:
        client = self.client_for(self.exec_head)
        client.get(URL)

        def count() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(client.get(URL).status_code, 200)
            return len(captured.captured_queries)

        with time_machine.travel(WEDNESDAY, tick=False):
            actions.add_closed_day(self.trust, day=dt.date(2026, 4, 3), label="Good Friday", by=self.exec_head)
            before = count()
            for day in (dt.date(2026, 4, 6), dt.date(2026, 5, 4), dt.date(2026, 5, 25), dt.date(2026, 8, 31)):
                actions.add_closed_day(self.trust, day=day, label="Bank holiday", by=self.exec_head)
            self.assertEqual(count(), before)

    def test_a23_bad_input_to_the_actions_raises_case_error_naming_the_field(self) -> None:
        with self.assertRaises(CaseError) as raised:
            actions.add_closed_day(self.trust, day=self.today(), label="", by=self.exec_head)
        self.assertEqual(raised.exception.field, "label")


class TimingsRaceTests(CustosTransactionTestCase):
    """Two Executive Heads saving at the same moment, in real concurrent transactions: exactly one wins."""

    def race(self, call) -> list[str]:
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def attempt(value: int) -> None:
            barrier.wait()
            try:
                call(value)
                outcomes.append("won")
            except CaseError as error:
                outcomes.append(str(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt, args=(n,)) for n in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return outcomes

    def setUp(self) -> None:
        from custos.accounts.models import Role, Trust

        self.trust = Trust.objects.create(name="T")
        self.first, self.second = make_user("eh1", school=None), make_user("eh2", school=None)
        for user in (self.first, self.second):
            give_role(user, Role.EXECUTIVE_HEADTEACHER, None)

    def test_a23_two_school_day_saves_against_the_same_version_exactly_one_wins(self) -> None:
        people = {1: self.first, 2: self.second}
        outcomes = self.race(
            lambda n: actions.set_school_day(
                self.trust,
                day_starts=dt.time(8, n),
                day_ends=dt.time(16),
                weekdays=range(5),
                by=people[n],
                expected_version=0,
            )
        )
        self.assertEqual(outcomes.count("won"), 1, outcomes)
        self.assertIn("Someone else changed the school day", next(o for o in outcomes if o != "won"))
        self.assertEqual(CaseSettings.objects.get().version, 1)
        self.assertEqual(AuditEvent.objects.filter(action="cases.school_day_changed").count(), 1)

    def test_a23_two_people_adding_the_same_closed_day_at_once_add_it_once(self) -> None:
        people = {1: self.first, 2: self.second}
        day = timezone.localdate() + dt.timedelta(days=(7 - timezone.localdate().weekday()) % 7 or 7)  # a Monday
        outcomes = self.race(lambda n: actions.add_closed_day(self.trust, day=day, label=f"INSET {n}", by=people[n]))
        self.assertEqual(outcomes.count("won"), 1, outcomes)
        self.assertIn("is already a closed day", next(o for o in outcomes if o != "won"))
        self.assertEqual(ClosedDay.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action="cases.closed_day_added").count(), 1)
