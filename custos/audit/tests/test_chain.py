"""Audit: one append-only log, each event chained to the one before; tampering is found and named."""

import threading
from io import StringIO

from django.core.management import CommandError, call_command
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.utils import DatabaseError

from custos.audit.actions import record
from custos.audit.models import AuditEvent
from custos.test import CustosTestCase, CustosTransactionTestCase


def write_events(n: int, actor=None) -> None:
    for i in range(n):
        with transaction.atomic():
            record(actor, "test.event", None, changes={"i": i})


def tamper(sql: str, params: list) -> None:
    """Change the log behind the application's back, as someone with the database owner's rights could."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")
        else:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_change")
        cursor.execute(sql, params)


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


class AuditChainTests(CustosTestCase):
    def test_an_untouched_log_verifies(self) -> None:
        write_events(5, self.head)
        self.assertIn("Audit chain intact: 5 events verified", verify())

    def test_an_edited_event_is_found_and_named(self) -> None:
        write_events(5)
        tamper("UPDATE audit_auditevent SET changes = %s WHERE seq = 3", ['{"i": 99}'])
        with self.assertRaisesMessage(CommandError, "Audit chain broken at event #3"):
            verify()

    def test_a_deleted_event_is_found(self) -> None:
        write_events(5)
        tamper("DELETE FROM audit_auditevent WHERE seq = 2", [])
        with self.assertRaisesMessage(CommandError, "event #2 is missing or deleted"):
            verify()

    def test_deleting_the_newest_events_is_found(self) -> None:
        write_events(5)
        tamper("DELETE FROM audit_auditevent WHERE seq >= 4", [])
        with self.assertRaisesMessage(CommandError, "later events were deleted"):
            verify()

    def test_an_event_inserted_out_of_order_is_found(self) -> None:
        write_events(3)
        first = AuditEvent.objects.get(seq=1)
        # Renumber to make room, then slip a forged event in as #2.
        tamper("UPDATE audit_auditevent SET seq = seq + 10 WHERE seq >= 2", [])
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO audit_auditevent (seq, at, actor_label, action, object_type, object_id, object_repr, "
                "changes, prev_hash, hash) VALUES (%s, %s, %s, %s, '', '', '', '{}', %s, %s)",
                [2, first.at, "Mallory", "test.forged", first.hash, "f" * 64],
            )
        with self.assertRaisesMessage(CommandError, "Audit chain broken at event #2"):
            verify()

    def test_the_database_refuses_to_update_or_delete_an_event(self) -> None:
        write_events(1)
        for attempt in (
            lambda: AuditEvent.objects.update(action="rewritten"),
            lambda: AuditEvent.objects.all().delete(),
        ):
            with (
                self.subTest(),
                self.assertRaises((IntegrityError, OperationalError, DatabaseError)),
                transaction.atomic(),
            ):
                attempt()
        self.assertEqual(AuditEvent.objects.get().action, "test.event")


class AuditPageTests(CustosTestCase):
    def test_head_searches_the_log_of_their_school(self) -> None:
        with transaction.atomic():
            record(self.head, "roster.imported", self.school, school_id=self.school.pk)
            record(self.outsider, "roster.imported", self.other_school, school_id=self.other_school.pk)
        page = self.client_for(self.head).get("/audit/", {"action": "roster"})
        self.assertContains(page, "Oakfield Academy")
        self.assertNotContains(page, "Elmwood School")

    def test_executive_headteacher_sees_every_school(self) -> None:
        with transaction.atomic():
            record(self.outsider, "roster.imported", self.other_school, school_id=self.other_school.pk)
        self.assertContains(self.client_for(self.exec_head).get("/audit/"), "Elmwood School")

    def test_a_bad_date_range_is_explained(self) -> None:
        page = self.client_for(self.head).get("/audit/", {"since": "2026-05-01", "until": "2026-04-01"})
        self.assertContains(page, "must be on or before")

    def test_teacher_and_dsl_cannot_open_the_audit_log(self) -> None:
        for user in (self.teacher, self.dsl, self.contractor):
            with self.subTest(user=user.username):
                self.assertEqual(self.client_for(user).get("/audit/").status_code, 403)


class AuditOutsideTestTransactionTests(CustosTransactionTestCase):
    def test_record_outside_a_transaction_is_a_programming_error(self) -> None:
        with self.assertRaises(RuntimeError):
            record(None, "test.event")
        self.assertFalse(AuditEvent.objects.exists())

    def test_concurrent_writers_leave_one_unbroken_chain(self) -> None:
        if connection.vendor == "sqlite":
            threads_n, per_thread = 4, 10
        else:
            threads_n, per_thread = 10, 10
        errors: list[BaseException] = []

        def writer() -> None:
            try:
                write_events(per_thread)
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=writer) for _ in range(threads_n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(AuditEvent.objects.count(), threads_n * per_thread)
        self.assertIn(f"{threads_n * per_thread} events verified", verify())


class CaseEventPrivacyTests(CustosTestCase):
    def test_views_of_cases_are_hidden_from_hr_and_ict_but_shown_to_the_head(self) -> None:
        with transaction.atomic():
            record(self.dsl, "cases.viewed", self.school, school_id=self.school.pk, changes={"reason": "review"})
        self.assertNotContains(self.client_for(self.hr).get("/audit/"), "cases.viewed")
        self.assertNotContains(self.client_for(self.ict_manager).get("/audit/"), "cases.viewed")
        self.assertContains(self.client_for(self.head).get("/audit/"), "cases.viewed")
