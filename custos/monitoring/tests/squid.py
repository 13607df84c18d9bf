"""A real Squid on loopback with basic-auth users, and an origin server it forwards to (tests only).

Host names such as www.facebook.com resolve to 127.0.0.1 through a temporary ``hosts_file``: nothing leaves the
machine. Squid writes its native access.log, exactly as a school's proxy would.
"""

from __future__ import annotations

import base64
import http.client
import http.server
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType

SQUID = shutil.which("squid") or ("/usr/sbin/squid" if os.path.exists("/usr/sbin/squid") else None)
NCSA_AUTH = "/usr/lib/squid/basic_ncsa_auth"
FIXTURE = Path(__file__).parent / "data" / "squid_access.log"
HOSTS = ["www.facebook.com", "static.xx.fbcdn.net", "www.youtube.com", "en.wikipedia.org", "www.bbc.co.uk"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Origin(http.server.BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = f"origin saw {self.command} {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


class RealSquid:
    """``with RealSquid({"teacher": "pw"}) as squid: squid.get(...)``; then ``squid.access_log`` is Squid's own log."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users
        self.dir = Path(tempfile.mkdtemp(prefix="custos-squid-"))
        self.port = free_port()
        self.access_log = self.dir / "access.log"

    def __enter__(self) -> RealSquid:
        assert SQUID is not None
        os.chmod(self.dir, 0o777)  # noqa: S103 - squid drops to its own user when started as root
        self.origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
        self.origin_port = self.origin.server_address[1]
        threading.Thread(target=self.origin.serve_forever, daemon=True).start()
        passwords = self.dir / "htpasswd"
        lines = []
        for user, password in self.users.items():
            hashed = subprocess.run(
                ["openssl", "passwd", "-apr1", password],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            lines.append(f"{user}:{hashed}\n")
        passwords.write_text("".join(lines))
        (self.dir / "hosts").write_text("".join(f"127.0.0.1 {host}\n" for host in HOSTS))
        conf = self.dir / "squid.conf"
        conf.write_text(
            f"""
http_port 127.0.0.1:{self.port}
visible_hostname custos-test-squid
auth_param basic program {NCSA_AUTH} {passwords}
auth_param basic realm custos-test
acl auth proxy_auth REQUIRED
http_access allow auth
http_access deny all
hosts_file {self.dir / "hosts"}
dns_nameservers 127.0.0.1
access_log stdio:{self.access_log} squid
cache_log {self.dir / "cache.log"}
cache_store_log none
pid_filename {self.dir / "squid.pid"}
coredump_dir {self.dir}
cache deny all
strip_query_terms off
shutdown_lifetime 0 seconds
logfile_rotate 0
"""
        )
        for path in self.dir.iterdir():
            os.chmod(path, 0o644)
        self.process = subprocess.Popen(
            [SQUID, "-N", "-f", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("squid exited: " + self.process.stderr.read().decode(errors="replace"))  # type: ignore[union-attr]
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.__exit__(None, None, None)
        raise RuntimeError("squid did not start listening within 20 s")

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if getattr(self, "process", None) is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if hasattr(self, "origin"):
            self.origin.shutdown()
            self.origin.server_close()

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def _auth(self, user: str, password: str) -> dict[str, str]:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Proxy-Authorization": f"Basic {token}"}

    def request(self, user: str, password: str, method: str, host: str, path: str, body: bytes = b"") -> int:
        """An HTTP request through the proxy, as a browser configured with it sends one."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        url = f"http://{host}:{self.origin_port}{path}"
        connection.request(method, url, body=body or None, headers=self._auth(user, password))
        status = connection.getresponse().status
        connection.close()
        return status

    def connect(self, user: str, password: str, host: str) -> int:
        """An HTTPS-style CONNECT tunnel through the proxy (the usual line for HTTPS without inspection)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.set_tunnel(host, self.origin_port, headers=self._auth(user, password))
        try:
            connection.connect()
            status = 200
        except OSError as error:
            status = int(str(error).split()[1]) if str(error).startswith("Tunnel connection failed") else 0
        connection.close()
        return status


HOSTILE_TITLE = "<script>alert('x')</script>"


def browse(squid: RealSquid) -> None:
    """What the personas do through the proxy: the same steps for the live test and the recorded fixture."""
    squid.request("teacher", "teacher-pw", "GET", "www.facebook.com", "/home")
    squid.connect("teacher", "teacher-pw", "www.youtube.com")
    squid.connect("teacher", "teacher-pw", "static.xx.fbcdn.net")
    squid.request(
        "teacher",
        "teacher-pw",
        "POST",
        "en.wikipedia.org",
        "/w/index.php?title=Oakfield_Academy&action=submit",
        b"wpTextbox1=Oakfield+is+great",
    )
    squid.request(
        "teacher", "teacher-pw", "POST", "en.wikipedia.org", f"/w/index.php?title={HOSTILE_TITLE}&action=submit"
    )
    squid.request("teacher", "wrong-password", "GET", "www.facebook.com", "/stolen-name")
    squid.request("pupil", "pupil-pw", "GET", "www.facebook.com", "/")
    squid.request("teacher", "teacher-pw", "GET", "www.bbc.co.uk", "/news?q='%20OR%201=1;--")


ONE_MEGABYTE_LINE = (
    b"1795500000.000 1 10.0.0.5 TCP_MISS/200 1 GET http://www.facebook.com/"
    + b"A" * 1_048_576
    + b" x teacher HIER_DIRECT/1.2.3.4 text/html\n"
)


def fixture_with_a_one_megabyte_line() -> bytes:
    """The recorded log with a 1 MB line inserted before its cut-off last line."""
    data = FIXTURE.read_bytes()
    cut = data.rfind(b"\n") + 1
    return data[:cut] + ONE_MEGABYTE_LINE + data[cut:]


def record_fixture() -> None:
    squid = RealSquid({"teacher": "teacher-pw", "pupil": "pupil-pw"})
    with squid:
        browse(squid)
    # The 1 MB line is added by the test (see ONE_MEGABYTE_LINE), to keep the repository small.
    hostile = (
        b"\x00\x01\xff\xfe\x1b[2J binary junk \x07\n"
        + b"'; DROP TABLE monitoring_dailyuse; -- <img src=x onerror=alert(1)>\n"
        + b"\n"
        + b"1795500001.000      5 10.0.0.5 TCP_MISS/200 99 GET http://www.faceb"
    )
    FIXTURE.parent.mkdir(exist_ok=True)
    FIXTURE.write_bytes(squid.access_log.read_bytes() + hostile)
    squid.cleanup()


if __name__ == "__main__":
    record_fixture()
