#!/usr/bin/env python3
"""Custos in two commands, on a machine with nothing but Python 3.11+:

python3 bootstrap.py demo    install everything, migrate, seed the demo trust, start app + worker on :8000
python3 bootstrap.py test    install what the tests need and run the whole suite (extra args go to pytest)
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("CUSTOS_VENV", ROOT / ".venv"))
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def install(requirements: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script is what runs on an older Python first
        sys.exit("Custos needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say(f"Creating a virtual environment in {VENV}")
        venv.create(VENV, with_pip=True)
    lock = ROOT / "requirements" / requirements
    stamp = VENV / f".installed-{requirements}-{hashlib.sha256(lock.read_bytes()).hexdigest()[:16]}"
    if stamp.exists():
        return
    say(f"Installing pinned dependencies from requirements/{requirements}")
    subprocess.run(
        [
            str(PYTHON),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
            "--require-hashes",
            "-r",
            str(lock),
        ],
        check=True,
    )
    stamp.touch()


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], check=True, cwd=ROOT, env=env)


def _stop_on_any_signal() -> None:
    """Ctrl-C, SIGTERM and a closed terminal (SIGHUP) all end in the same orderly stop of the children."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)


def _stop(running: list[subprocess.Popen[bytes]], timeout: float) -> None:
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):  # stopping already: a second signal must not cut it short
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    for process in running:
        if process.poll() is None:
            process.terminate()
    for process in running:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_listening(host: str, port: int, server: subprocess.Popen[bytes], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def demo() -> None:
    install("base.txt")
    port = int(os.environ.get("CUSTOS_DEMO_PORT", "8000"))
    address = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "CUSTOS_DEBUG": os.environ.get("CUSTOS_DEBUG", "true")}
    manage("migrate", "--no-input", "-v", "0", env=env)
    manage("import_policy", env=env)
    manage("seed_demo", env=env)
    say("Starting the background worker and the app")
    _stop_on_any_signal()
    running: list[subprocess.Popen[bytes]] = []
    try:
        # Their own session: Ctrl-C in the terminal reaches only this script, which stops them in order (no
        # traceback from a child interrupted mid-step).
        # The worker says only what goes wrong; the mail it prints is the mail of what you do.
        worker_env = {**env, "CUSTOS_LOG_LEVEL": os.environ.get("CUSTOS_LOG_LEVEL", "WARNING")}
        running.append(
            subprocess.Popen([str(PYTHON), "manage.py", "run_worker"], cwd=ROOT, env=worker_env, start_new_session=True)
        )
        server_command = [str(PYTHON), "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
        server = subprocess.Popen(server_command, cwd=ROOT, env=env, start_new_session=True)
        running.append(server)
        if _wait_until_listening("127.0.0.1", port, server):
            print(
                f"\n    Custos is running at  {address}\n"
                "    Sign in as head@oakfield.example.sch.uk with the password Custos-demo-2026\n"
                "    (README.md lists every demo sign-in). Press Ctrl-C to stop.\n",
                flush=True,
            )
        while all(process.poll() is None for process in running):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        _stop(running, timeout=10)
        say("Stopped.")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def production() -> None:
    """Gunicorn plus the task workers: the embedded worker, or Celery workers and beat (CUSTOS_TASK_BACKEND)."""
    install("base.txt")
    env = dict(os.environ)
    manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    manage("migrate", "--no-input", env=env)
    manage("collectstatic", "--no-input", "-v", "0", env=env)
    manage("import_policy", env=env)
    bind = env.get("CUSTOS_BIND", "127.0.0.1:8000")
    web_workers = env.get("CUSTOS_WEB_WORKERS", "4")
    task_workers = int(env.get("CUSTOS_TASK_WORKERS", "2"))
    processes = [
        [
            str(PYTHON),
            "-m",
            "gunicorn",
            "custos.wsgi",
            "--workers",
            web_workers,
            "--bind",
            bind,
            "--access-logfile",
            "-",
        ]
    ]
    if env.get("CUSTOS_TASK_BACKEND") == "celery":
        processes.append([str(PYTHON), "-m", "celery", "-A", "custos", "worker", "--concurrency", str(task_workers)])
        processes.append([str(PYTHON), "-m", "celery", "-A", "custos", "beat"])
    else:
        processes += [[str(PYTHON), "manage.py", "run_worker"] for _ in range(task_workers)]
    say(f"Starting gunicorn on {bind} and {task_workers} task worker(s) (Ctrl-C or SIGTERM stops them all)")
    running = [subprocess.Popen(command, cwd=ROOT, env=env) for command in processes]
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while all(process.poll() is None for process in running):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        _stop(running, timeout=30)


def test(pytest_args: list[str]) -> int:
    install("test.txt")
    return subprocess.run([str(PYTHON), "-m", "pytest", *pytest_args], cwd=ROOT).returncode


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "demo":
        demo()
        return 0
    if command == "test":
        return test(sys.argv[2:])
    if command == "production":
        production()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
