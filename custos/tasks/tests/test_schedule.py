"""Periodic tasks are enqueued once per interval, however many workers tick at once."""

import datetime as dt
import threading

from django.db import connection
from django.utils import timezone

from custos.tasks import registry, schedule
from custos.tasks.models import Job
from custos.test import CustosTestCase, CustosTransactionTestCase


@registry.task(every=dt.timedelta(minutes=5))
def every_five_minutes() -> None:
    pass


class ScheduleTests(CustosTestCase):
    def test_a_periodic_task_is_enqueued_once_per_interval(self) -> None:
        now = timezone.now()
        self.assertIn(every_five_minutes.task_name, schedule.tick(now))
        self.assertNotIn(every_five_minutes.task_name, schedule.tick(now + dt.timedelta(minutes=4)))
        self.assertIn(every_five_minutes.task_name, schedule.tick(now + dt.timedelta(minutes=5)))
        self.assertEqual(Job.objects.filter(name=every_five_minutes.task_name).count(), 2)


class ConcurrentScheduleTests(CustosTransactionTestCase):
    def test_workers_ticking_at_the_same_moment_enqueue_it_once(self) -> None:
        now = timezone.now()
        schedule.tick(now)  # creates the schedule rows
        later = now + dt.timedelta(minutes=5)
        barrier = threading.Barrier(4)

        def tick() -> None:
            try:
                barrier.wait()
                schedule.tick(later)
            finally:
                connection.close()

        threads = [threading.Thread(target=tick) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(Job.objects.filter(name=every_five_minutes.task_name).count(), 2)
