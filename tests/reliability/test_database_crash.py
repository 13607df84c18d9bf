"""PostgreSQL stopped with `pg_ctlcluster … stop -m immediate` under write load, five times: every write that got a
success response is there afterwards, and the app (gunicorn, two workers) recovers by itself within 30 s."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from custos.accounts.models import School, Trust
from custos.cases.models import Case
from custos.tasks.tests.test_worker import database_url
from custos.test import make_user, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
PG_CTL = shutil.which("pg_ctlcluster")
CYCLES = 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cluster_for_port(port: int) -> tuple[str, str]:
    """The (version, name) of the local PostgreSQL cluster listening on ``port`` (pg_lsclusters)."""
    listing = subprocess.run(["pg_lsclusters", "-h"], check=True, capture_output=True, text=True).stdout
    for line in listing.splitlines():
        version, name, cluster_port, *_ = line.split()
        if int(cluster_port) == port:
            return version, name
    raise LookupError(f"no local cluster on port {port}")


def cluster(action: str, *extra: str) -> None:
    version, name = cluster_for_port(int(connection.settings_dict["PORT"] or 5432))
    subprocess.run([PG_CTL, version, name, action, *extra], check=True, capture_output=True, timeout=60)


class Writer(threading.Thread):
    """Files media-enquiry reports one after another; remembers which ones the app said it saved."""

    def __init__(self, base: str, session: str) -> None:
        super().__init__(daemon=True)
        self.base, self.session = base, session
        self.stop, self.acknowledged, self.failed, self.last_success = False, list[str](), 0, 0.0
        # Cookies by hand: the app marks them Secure, which a cookie jar would not send back over loopback HTTP.
        self.opener = urllib.request.build_opener(NoRedirect())

    def run(self) -> None:
        number = 0
        url = f"{self.base}/cases/report/media-enquiry/"
        while not self.stop:
            number += 1
            summary = f"reliability write {number}"
            try:
                page = self.opener.open(
                    urllib.request.Request(url, headers={"Cookie": f"sessionid={self.session}"}), timeout=10
                )
                form = page.read().decode()
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
                csrf_cookie = re.search(r"csrftoken=([^;]+)", page.headers.get("Set-Cookie", "")).group(1)
                data = urllib.parse.urlencode(
                    {"csrfmiddlewaretoken": token, "outlet": "Gazette", "contact": "desk", "summary": summary}
                ).encode()
                request = urllib.request.Request(
                    url, data, headers={"Cookie": f"sessionid={self.session}; csrftoken={csrf_cookie}"}
                )
                saved = self.opener.open(request, timeout=10).status == 302
            except (urllib.error.URLError, OSError, AttributeError, TimeoutError):
                saved = False
            if saved:
                self.acknowledged.append(summary)
                self.last_success = time.monotonic()
            else:
                self.failed += 1
                time.sleep(0.1)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp


@pytest.mark.skipif(PG_CTL is None or os.geteuid() != 0, reason="needs pg_ctlcluster and root (CI has both)")
def test_acknowledged_writes_survive_five_immediate_stops_and_the_app_recovers(figure) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("this test stops the PostgreSQL server; it runs in the PostgreSQL pass of .ci/run")
    trust = Trust.objects.create(name="Trust")
    School.objects.create(trust=trust, name="Oak", urn="100001", website="https://oak.example/")
    teacher = make_user("teacher", school=School.objects.get())
    session = sign_in(Client(), teacher).cookies["sessionid"].value
    port = free_port()
    static_root = tempfile.mkdtemp(prefix="custos-static-")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CUSTOS_DB_CONN_MAX_AGE": "0",
        "CUSTOS_STATIC_ROOT": static_root,
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=settings.BASE_DIR, env=env, check=True
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "custos.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--timeout", "30", "--log-level", "warning"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    writer = Writer(f"http://127.0.0.1:{port}", session)
    recoveries = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            time.sleep(0.2)
        writer.start()
        time.sleep(2)
        for _ in range(CYCLES):
            cluster("stop", "-m", "immediate")
            time.sleep(1.5)
            cluster("start")
            restarted = time.monotonic()
            while writer.last_success < restarted and time.monotonic() - restarted < 30:
                time.sleep(0.1)
            recoveries.append(writer.last_success - restarted)
            time.sleep(1.5)
    finally:
        writer.stop = True
        writer.join(timeout=15)
        server.terminate()
        server.wait(timeout=15)
        version, name = cluster_for_port(int(connection.settings_dict["PORT"] or 5432))
        subprocess.run([PG_CTL, version, name, "start"], capture_output=True, timeout=60)
        connection.close()
    saved = set(Case.objects.filter(summary__startswith="reliability write").values_list("summary", flat=True))
    lost = [s for s in writer.acknowledged if s not in saved]
    figure(
        f"{CYCLES} immediate stops: {len(writer.acknowledged)} acknowledged writes, {len(lost)} lost, "
        f"{writer.failed} refused during outages, recovery max {max(recoveries):.1f} s"
    )
    assert len(writer.acknowledged) > 20
    assert lost == []
    assert all(0 <= r < 30 for r in recoveries), recoveries
