"""Screening findings shown in the text a moderator reads (A.5.4): plain segments, escaped by the template.

No HTML is built here and nothing is marked safe: the template wraps the marked segments in ``<mark>``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Segment:
    text: str
    findings: tuple[int, ...] = ()  # 1-based numbers of the findings covering this text

    @property
    def marked(self) -> bool:
        return bool(self.findings)

    @property
    def label(self) -> str:
        return ", ".join(str(n) for n in self.findings)


def segments(text: str, findings: list[dict[str, Any]]) -> list[Segment]:
    """Split ``text`` at every span boundary; spans are (start, end) offsets into the original text."""
    covers: list[tuple[int, int, int]] = []
    for number, finding in enumerate(findings, start=1):
        for span in finding.get("spans") or [[finding.get("start", 0), finding.get("end", 0)]]:
            start, end = max(0, int(span[0])), min(len(text), int(span[1]))
            if start < end:
                covers.append((start, end, number))
    cuts = sorted({0, len(text), *(c[0] for c in covers), *(c[1] for c in covers)})
    out: list[Segment] = []
    for start, end in itertools.pairwise(cuts):
        numbers = tuple(sorted({n for s, e, n in covers if s <= start and end <= e}))
        if out and out[-1].findings == numbers:
            out[-1] = Segment(out[-1].text + text[start:end], numbers)
        else:
            out.append(Segment(text[start:end], numbers))
    return out
