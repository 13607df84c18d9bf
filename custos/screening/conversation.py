"""Conversations, not only messages: grooming builds over time (A.2.2, A.2.3).

``screen_conversation(texts, context)`` scores one member's recent messages in a space together and returns a
``ConversationFinding`` when the pattern crosses the threshold though no single message does; it names the
messages that formed it, so the moderator sees them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from custos.screening.context import DEFAULT_CONTEXT, ScreeningContext
from custos.screening.engine import screen
from custos.screening.findings import Category, Severity

CONVERSATION_KINDS = ("grooming", "sexual_content_minors")


@dataclass(frozen=True, slots=True)
class ConversationFinding:
    category: Category
    severity: Severity
    kind: str
    clauses: tuple[str, ...]
    reason: str
    score: float
    message_indices: tuple[int, ...]  # positions in ``texts`` of the messages that formed the pattern

    def as_dict(self) -> dict[str, object]:
        return {
            "category": str(self.category),
            "severity": str(self.severity),
            "kind": self.kind,
            "clauses": list(self.clauses),
            "reason": self.reason,
            "score": round(self.score, 3),
            "messages": list(self.message_indices),
        }


def screen_conversation(texts: Sequence[str], context: ScreeningContext = DEFAULT_CONTEXT) -> list[ConversationFinding]:
    """Findings on the conversation as a whole, only where no single message already raised the same kind."""

    single = [{f.kind for f in screen(text, context) if f.category is Category.SAFEGUARDING} for text in texts]
    joined = "\n".join(texts)
    findings = []
    for finding in screen(joined, context):
        if finding.category is not Category.SAFEGUARDING or finding.kind not in CONVERSATION_KINDS:
            continue
        if any(finding.kind in kinds for kinds in single):
            continue
        indices = _messages_under(texts, finding.spans)
        findings.append(
            ConversationFinding(
                finding.category,
                Severity.ESCALATE,
                finding.kind,
                finding.clauses,
                f"Over {len(texts)} messages together: {finding.reason}",
                1.0,
                indices,
            )
        )
    return findings


def _messages_under(texts: Sequence[str], spans: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    starts, position = [], 0
    for text in texts:
        starts.append(position)
        position += len(text) + 1
    found = set()
    for start, end in spans:
        for index, begin in enumerate(starts):
            if begin <= start < begin + len(texts[index]) + 1 or begin < end <= begin + len(texts[index]) + 1:
                found.add(index)
    return tuple(sorted(found))
