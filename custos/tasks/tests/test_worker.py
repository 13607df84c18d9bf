"""Background work: enqueued with the change that asks for it, run at least once, again after a crash."""

import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from custos.tasks import worker
from custos.tasks.models import Job, JobState
from custos.tasks.registry import enqueue
from custos.tasks.tests.probe import always_fails, touch_file
from custos.test import CustosTestCase, CustosTransactionTestCase


def probe_job() -> Job:
    return Job.objects.get(name=touch_file.task_name)


class EnqueueTests(CustosTestCase):
    def test_a_rolled_back_change_leaves_no_task_behind(self) -> None:
        try:
            with transaction.atomic():
                enqueue(touch_file, path="/nonexistent")
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
        self.assertFalse(Job.objects.exists())

    def test_an_unregistered_function_cannot_be_enqueued(self) -> None:
        with self.assertRaises(ValueError):
            enqueue(print, x=1)

    def test_a_due_task_runs_once_and_is_done(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "out"
            enqueue(touch_file, path=str(path))
            self.assertEqual(worker.run_once(), 1)
            self.assertEqual(path.read_text(), "started\nfinished\n")
        job = probe_job()
        self.assertEqual((job.state, job.attempts), (JobState.DONE, 1))
        self.assertEqual(worker.run_once(), 0)

    def test_a_failing_task_is_retried_later_then_marked_failed(self) -> None:
        enqueue(always_fails, reason="SMTP is down")
        self.assertEqual(worker.run_once(), 1)
        job = Job.objects.get(name=always_fails.task_name)
        self.assertEqual(job.state, JobState.PENDING)
        self.assertIn("SMTP is down", job.last_error)
        self.assertEqual(worker.run_once(), 0)  # backing off
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
            self.assertEqual(worker.run_once(), 1)
        job.refresh_from_db()
        self.assertEqual((job.state, job.attempts), (JobState.FAILED, 2))

    def test_a_job_whose_lease_expired_is_claimed_again_and_the_old_worker_cannot_finish_it(self) -> None:
        enqueue(touch_file, path="/nonexistent")
        first = worker.claim("worker-a")
        assert first is not None
        self.assertIsNone(worker.claim("worker-b"))  # leased to worker-a
        later = timezone.now() + dt.timedelta(seconds=settings.CUSTOS_TASK_LEASE_SECONDS + 1)
        second = worker.claim("worker-b", now=later)
        self.assertIsNotNone(second)
        # worker-a comes back late: its outcome is not written over worker-b's claim.
        Job.objects.filter(pk=first.pk, locked_by="worker-a", attempts=first.attempts).update(state=JobState.DONE)
        job = probe_job()
        self.assertEqual((job.state, job.locked_by, job.attempts), (JobState.RUNNING, "worker-b", 2))


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker() -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CUSTOS_TASK_LEASE_SECONDS": "2",
        "CUSTOS_TASK_POLL_SECONDS": "0.1",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_worker",
            "--import",
            "custos.tasks.tests.probe",
            "--stop-after",
            "60",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


class KilledWorkerTests(CustosTransactionTestCase):
    def test_a_task_whose_worker_was_killed_runs_again_on_another_worker(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "out"
            with transaction.atomic():
                enqueue(touch_file, path=str(path), first_run_sleeps=30)
            first = start_worker()
            try:
                self.assertTrue(wait_for(lambda: path.exists() and "started" in path.read_text()))
                first.send_signal(signal.SIGKILL)
                first.wait(timeout=10)
            finally:
                if first.poll() is None:
                    first.kill()
            self.assertEqual(probe_job().state, JobState.RUNNING)  # the dead worker's lease
            second = start_worker()
            try:
                self.assertTrue(wait_for(lambda: probe_job().state == JobState.DONE))
            finally:
                second.kill()
                second.wait(timeout=10)
            self.assertEqual(path.read_text(), "started\nstarted\nfinished\n")
            self.assertEqual(probe_job().attempts, 2)
