"""What the engine reports: a Finding cites the clause it enforces and says why, in plain English."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    INFO = "info"
    WARN = "warn"
    BLOCK = "block"
    ESCALATE = "escalate"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARN: 1, Severity.BLOCK: 2, Severity.ESCALATE: 3}


class Category(StrEnum):
    PERSONAL_INFORMATION = "personal_information"
    PUPIL_IDENTIFICATION = "pupil_identification"
    ABUSE = "abuse"
    HATE = "hate"
    BULLYING = "bullying"
    SAFEGUARDING = "safeguarding"
    STAFF_OFFICIAL = "staff_official"
    PERSONAL_WEBSPACE = "personal_webspace"


@dataclass(frozen=True, slots=True)
class Finding:
    category: Category
    severity: Severity
    spans: tuple[tuple[int, int], ...]
    clauses: tuple[str, ...]
    reason: str
    kind: str = ""

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": str(self.category),
            "kind": self.kind,
            "severity": str(self.severity),
            "clauses": list(self.clauses),
            "start": self.start,
            "end": self.end,
            "spans": [list(span) for span in self.spans],
            "reason": self.reason,
        }
