from __future__ import annotations

import os
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from custos.monitoring.actions import IngestConflict, ingest
from custos.monitoring.cli import Progress, summary_lines
from custos.monitoring.parsing import LogFormatError, open_log


class Command(BaseCommand):
    help = "Read a proxy access log (Squid native or CSV; a path, '-' for stdin, gzip welcome) into monitoring (8.1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The log file, or - for standard input; .gz files are read as they are")
        parser.add_argument("--format", choices=["squid", "csv"], default="squid", dest="fmt")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar even on a terminal")

    def handle(self, *args: Any, path: str, fmt: str, no_progress: bool, **options: Any) -> None:
        try:
            stream = open_log(path)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from None
        total = os.path.getsize(path) if path != "-" and not hasattr(stream, "fileobj") else None
        progress = Progress(cast(TextIO, self.stderr._out), total) if not no_progress and self.stderr.isatty() else None
        try:
            with stream:
                result = ingest(stream, fmt=fmt, name=path, progress=progress)
        except (LogFormatError, IngestConflict) as error:
            raise CommandError(str(error)) from None
        finally:
            if progress is not None:
                progress.done()
        for line in summary_lines(result):
            self.stdout.write(line)
