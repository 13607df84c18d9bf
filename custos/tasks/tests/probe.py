"""Tasks that exist only for the worker's own tests."""

from pathlib import Path

from custos.tasks.registry import task


@task(max_attempts=3)
def touch_file(*, path: str, first_run_sleeps: float = 0.0) -> None:
    """Write 'started'; on the first run only, sleep (long enough to be killed); then write 'finished'."""
    target = Path(path)
    earlier = target.read_text() if target.exists() else ""
    with target.open("a") as out:
        out.write("started\n")
    if "started" not in earlier and first_run_sleeps:
        import time

        time.sleep(first_run_sleeps)
    with target.open("a") as out:
        out.write("finished\n")


@task(max_attempts=2)
def always_fails(*, reason: str) -> None:
    raise RuntimeError(reason)
