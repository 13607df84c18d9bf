import importlib
import signal
import threading

from django.core.management.base import BaseCommand, CommandParser

from custos.tasks import worker


class Command(BaseCommand):
    help = "Run background tasks (mail, screening, reminders). Several workers may run at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due now, then exit.")
        parser.add_argument("--stop-after", type=float, default=None, help="Exit after this many seconds.")
        parser.add_argument(
            "--import", dest="modules", action="append", default=[], help="Also load tasks from this module."
        )

    def handle(
        self, *args: object, once: bool, stop_after: float | None, modules: list[str], **options: object
    ) -> None:
        for module in modules:
            importlib.import_module(module)
        if once:
            self.stdout.write(f"Ran {worker.run_once()} task(s).")
        else:
            # Ctrl-C or SIGTERM: finish the task in hand, then stop quietly (no traceback, no task cut short).
            stop = threading.Event()
            for name in ("SIGINT", "SIGTERM"):
                signal.signal(getattr(signal, name), lambda signum, frame: stop.set())
            worker.loop(stop_after=stop_after, stopping=stop.is_set)
