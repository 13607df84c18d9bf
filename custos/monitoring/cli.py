"""Terminal output for ``manage.py ingest_proxy_log``: a progress bar and the closing summary."""

from __future__ import annotations

import time
from typing import TextIO

from custos.monitoring.actions import IngestResult


class Progress:
    """A one-line progress bar on a terminal, redrawn at most ten times a second."""

    def __init__(self, out: TextIO, total_bytes: int | None) -> None:
        self.out = out
        self.total = total_bytes
        self.started = time.perf_counter()
        self._drawn = 0.0

    def __call__(self, consumed: int, lines: int) -> None:
        now = time.perf_counter()
        if now - self._drawn < 0.1:
            return
        self._drawn = now
        rate = lines / max(now - self.started, 1e-6)
        if self.total:
            share = min(consumed / self.total, 1.0)
            bar = "#" * int(share * 30)
            text = f"\r[{bar:<30}] {share:6.1%}  {lines:,} lines  {rate:,.0f} lines/s"
        else:
            text = f"\r{consumed / 1e6:,.1f} MB  {lines:,} lines  {rate:,.0f} lines/s"
        self.out.write(text)
        self.out.flush()

    def done(self) -> None:
        self.out.write("\n")
        self.out.flush()


def summary_lines(result: IngestResult) -> list[str]:
    rate = result.lines_read / result.seconds if result.seconds else 0
    lines = [
        f"Read {result.name} ({result.format}).",
        f"Lines read: {result.lines_read:,}"
        + (f" (after {result.already_read:,} read before)" if result.already_read else ""),
        f"Lines used: {result.lines_used:,} (inside contracted hours, or encyclopaedia edits)",
        f"Malformed lines skipped: {result.malformed:,}",
    ]
    lines += [f"  line {number}: {text}" for number, text in result.malformed_examples]
    lines += [
        f"Not kept: {result.uncategorised:,} to other sites, {result.unknown_person:,} not by a known staff member, "
        f"{result.outside_hours:,} outside contracted hours, {result.past_retention:,} older than the retention period",
        f"Kept: {result.days_updated:,} daily totals updated, {result.edits_found:,} encyclopaedia edits",
    ]
    if result.pending_bytes:
        lines.append(f"An incomplete last line ({result.pending_bytes:,} bytes) is left for the next run.")
    if result.note:
        lines.append(result.note)
    lines.append(f"Time taken: {result.seconds:.2f} s ({rate:,.0f} lines/s)")
    return lines
