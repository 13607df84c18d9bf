"""The audit log under load: one unbroken chain from 50 concurrent writers; the database refuses rewrites."""

import threading
import time

import pytest
from django.db import DatabaseError, connection, transaction

from custos.audit.actions import record
from custos.audit.models import AuditEvent
from custos.audit.verify import first_break

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifty_concurrent_writers_leave_one_unbroken_chain(figure) -> None:
    writers, each = 50, 20
    errors: list[BaseException] = []
    barrier = threading.Barrier(writers)

    def write() -> None:
        try:
            barrier.wait()
            for i in range(each):
                with transaction.atomic():
                    record(None, "reliability.write", None, changes={"i": i})
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    assert errors == []
    assert AuditEvent.objects.count() == writers * each
    checked, problem = first_break()
    assert problem is None
    figure(f"{writers} writers x {each} events: {checked} chained, 0 breaks, {writers * each / elapsed:.0f} events/s")


def test_the_application_cannot_update_or_delete_audit_rows(figure) -> None:
    with transaction.atomic():
        record(None, "reliability.write", None)
    refused = 0
    for statement in (
        "UPDATE audit_auditevent SET action = 'rewritten'",
        "DELETE FROM audit_auditevent",
        *(["TRUNCATE audit_auditevent"] if connection.vendor == "postgresql" else []),
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
        refused += 1
    assert AuditEvent.objects.get().action == "reliability.write"
    figure(f"{refused} rewrite statements refused by the database ({connection.vendor})")
