"""The same tasks on Celery with a real Redis broker: run once, again after kill -9, never twice."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from custos.tasks.models import JobState
from custos.tasks.registry import enqueue
from custos.tasks.tests.probe import touch_file
from custos.tasks.tests.test_worker import database_url, probe_job, wait_for
from custos.test import CustosTransactionTestCase

REDIS = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS is None, reason="redis-server is not installed (.ci/run installs it)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CeleryTests(CustosTransactionTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.redis_dir = tempfile.TemporaryDirectory()
        cls.port = free_port()
        cls.redis = subprocess.Popen(
            [REDIS, "--port", str(cls.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            cwd=cls.redis_dir.name,
        )
        cls.broker = f"redis://127.0.0.1:{cls.port}/0"
        assert wait_for(lambda: socket.socket().connect_ex(("127.0.0.1", cls.port)) == 0, 10)
        from custos.tasks.celery_backend import use_broker

        use_broker(cls.broker)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.redis.kill()
        cls.redis.wait(timeout=10)
        cls.redis_dir.cleanup()
        super().tearDownClass()

    def setUp(self) -> None:
        super().setUp()
        self.tmp = tempfile.TemporaryDirectory()
        self.workers: list[subprocess.Popen] = []
        redis.Redis(port=self.port).flushall()

    def tearDown(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
        self.tmp.cleanup()
        super().tearDown()

    def start_celery(self) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CUSTOS_TASK_BACKEND": "celery",
            "CUSTOS_CELERY_BROKER_URL": self.broker,
            "CUSTOS_TASK_LEASE_SECONDS": "2",
            "CUSTOS_CELERY_VISIBILITY_TIMEOUT": "3",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "custos", "worker", "--pool=solo", "--concurrency=1",
             "--without-mingle", "--without-gossip", "-I", "custos.tasks.tests.probe", "--loglevel=WARNING"],
            cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.workers.append(process)
        return process

    def enqueue_touch(self, path: Path, sleeps: float = 0.0) -> None:
        with override_settings(CUSTOS_TASK_BACKEND="celery"), transaction.atomic():
            enqueue(touch_file, path=str(path), first_run_sleeps=sleeps)

    def test_a_task_runs_on_celery_and_a_duplicate_message_does_not_run_it_twice(self) -> None:
        path = Path(self.tmp.name) / "out"
        self.enqueue_touch(path)
        from custos.tasks.celery_backend import dispatch

        dispatch(probe_job().pk)  # the same job sent a second time
        self.start_celery()
        self.assertTrue(wait_for(lambda: probe_job().state == JobState.DONE, 30))
        time.sleep(1)
        self.assertEqual(path.read_text(), "started\nfinished\n")

    def test_a_task_whose_celery_worker_was_killed_runs_again(self) -> None:
        path = Path(self.tmp.name) / "out"
        self.enqueue_touch(path, sleeps=30)
        first = self.start_celery()
        self.assertTrue(wait_for(lambda: path.exists() and "started" in path.read_text(), 30))
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        self.start_celery()
        from custos.tasks.celery_backend import sweep

        # Redelivery after the visibility timeout, or the sweep (Celery beat's job, configured like the workers)
        # after the lease: either way.
        with self.settings(CUSTOS_TASK_LEASE_SECONDS=2):
            self.assertTrue(wait_for(lambda: sweep() >= 0 and probe_job().state == JobState.DONE, 40))
        self.assertEqual(path.read_text(), "started\nstarted\nfinished\n")
        self.assertEqual(probe_job().attempts, 2)
