"""Learning from moderators (A.5.4; issue 14): a moderator's decision that screening was wrong, kept as a labelled
example so a trust can retrain screening on its own words (``python -m custos.screening.train --extra FILE``).

- Approving an item screening flagged (``warn`` or ``block``): the concerns of its findings were wrong, so the
  text is an example of nothing to flag (``labels == []``) and ``negative_for`` names those concerns.
- Escalating an item screening found clean: the moderator names the concern screening missed (``labels``).

Recorded inside the decision's transaction, audited, and kept with the item: deleted with it (3.2).
``export_lines`` writes them as JSON Lines for ``manage.py export_screening_feedback``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from custos.accounts.models import Kind, User
from custos.api.models import ExternalComment
from custos.audit.actions import record
from custos.community.models import SEVERITY_RANKS, Contribution
from custos.moderation.models import ExampleForm, ScreeningExample, Voice

# The concerns screening's models are trained for: the values of ``custos.screening.concerns.Concern``.
CONCERN_LABELS: dict[str, str] = {
    "hate": "Hate (a protected group attacked)",
    "bullying": "Bullying or harassment",
    "self_harm": "Self-harm or suicidal thoughts",
    "abuse_disclosure": "A child disclosing abuse, neglect or exploitation",
    "grooming": "Grooming",
    "sexual_minors": "Sexual content involving young people",
    "radicalisation": "Radicalisation or extremism",
    "weapons": "Weapons or threats of violence",
    "offensive": "Offensive language",
}
CONCERNS = tuple(CONCERN_LABELS)

# Findings' categories and safeguarding kinds, as the concern they are evidence of. Personal information, pupils'
# names and the staff checks are rules, not learned concerns: approving them teaches the models nothing.
_BY_CATEGORY = {"hate": "hate", "bullying": "bullying", "abuse": "offensive"}
_BY_SAFEGUARDING_KIND = {
    "self_harm": "self_harm",
    "abuse_disclosure": "abuse_disclosure",
    "grooming": "grooming",
    "sexual_content_minors": "sexual_minors",
    "radicalisation": "radicalisation",
    "weapons": "weapons",
}


def concern_of(finding: dict[str, Any]) -> str | None:
    """The concern a stored finding is evidence of, or None for a rule that is not a learned concern."""
    named = finding.get("concern")
    if isinstance(named, str) and named in CONCERN_LABELS:
        return named
    category = finding.get("category")
    if category == "safeguarding":
        return _BY_SAFEGUARDING_KIND.get(str(finding.get("kind", "")))
    return _BY_CATEGORY.get(str(category))


def flagged_concerns(findings: Sequence[dict[str, Any]]) -> list[str]:
    """The concerns of the findings that flagged the item (``warn`` and above; ``info`` flags nothing)."""
    found = {
        concern
        for f in findings or []
        if SEVERITY_RANKS.get(str(f.get("severity", "")), 0) >= SEVERITY_RANKS["warn"]
        and (concern := concern_of(f)) is not None
    }
    return sorted(found, key=CONCERNS.index)


def _voice_of_user(user: User, at: dt.datetime) -> str:
    if user.kind == Kind.STAFF:
        return Voice.STAFF
    if user.kind == Kind.PUPIL:
        pupil = getattr(user, "pupil", None)
        age = pupil.age_on(timezone.localdate(at)) if pupil is not None else None
        return _pupil_voice(age)
    return Voice.PUBLIC


def _pupil_voice(age: int | None) -> str:
    """Unknown ages count as 11–13, the middle of the ages Custos's spaces serve."""
    if age is not None and age <= 10:
        return Voice.PUPIL_8_10
    if age is not None and age >= 14:
        return Voice.PUPIL_14_16
    return Voice.PUPIL_11_13


def voice_of(item: Contribution | ExternalComment) -> str:
    if isinstance(item, Contribution):
        return _voice_of_user(item.author, item.created_at)
    return {Kind.STAFF: Voice.STAFF, Kind.PUPIL: Voice.PUPIL_11_13}.get(item.author_kind, Voice.PUBLIC)  # type: ignore[call-overload]


def _keep(
    item: Contribution | ExternalComment, *, by: User, form: str, labels: list[str], negative_for: list[str]
) -> ScreeningExample:
    example = ScreeningExample.objects.create(
        contribution=item if isinstance(item, Contribution) else None,
        comment=item if isinstance(item, ExternalComment) else None,
        text=item.body,
        labels=labels,
        negative_for=negative_for,
        voice=voice_of(item),
        form=form,
        moderator=by,
    )
    record(
        by,
        "moderation.screening_example",
        item,
        school_id=item.site.school_id,
        changes={"example": f"fb-{example.pk}", "form": form, "labels": labels, "negative_for": negative_for},
    )
    return example


def after_approval(item: Contribution | ExternalComment, *, by: User) -> ScreeningExample | None:
    """A moderator approved (or kept) an item screening flagged: inside the decision's transaction, keep it as an
    example of nothing to flag for its findings' concerns. Nothing is kept when they are rules only."""
    if not item.body or item.severity_rank < SEVERITY_RANKS["warn"]:
        return None
    negative_for = flagged_concerns(item.findings)
    if not negative_for:
        return None
    return _keep(item, by=by, form=ExampleForm.APPROVED, labels=[], negative_for=negative_for)


def after_escalation(item: Contribution | ExternalComment, *, by: User, concern: str) -> ScreeningExample | None:
    """A moderator escalated an item screening found clean, naming the concern it missed: inside the decision's
    transaction, keep it as an example of that concern."""
    if not item.body or item.severity_rank >= SEVERITY_RANKS["warn"] or concern not in CONCERN_LABELS:
        return None
    return _keep(item, by=by, form=ExampleForm.ESCALATED, labels=[concern], negative_for=[])


def needs_concern(item: Contribution | ExternalComment) -> bool:
    """Escalating an item screening found clean needs the moderator to say what kind of concern it is."""
    return item.severity_rank < SEVERITY_RANKS["warn"]


def as_line(example: ScreeningExample) -> str:
    """One JSON Lines row, in the shape ``custos.screening.train --extra`` reads."""
    return json.dumps(
        {
            "id": f"fb-{example.pk}",
            "group": f"fb-{example.pk}",
            "text": example.text,
            "labels": list(example.labels),
            "voice": example.voice,
            "form": example.form,
            "negative_for": list(example.negative_for),
        },
        ensure_ascii=False,
    )


def export_lines(since: dt.date | None = None) -> Iterator[str]:
    """Every example kept, oldest first; from the start of ``since`` (the school's time zone) when given."""
    examples = ScreeningExample.objects.order_by("pk")
    if since is not None:
        start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        examples = examples.filter(created_at__gte=start)
    for example in examples.iterator(chunk_size=1000):
        yield as_line(example)


def export(write: Callable[[str], object], *, since: dt.date | None = None, destination: str) -> int:
    """Write every example (from ``since``) as JSON Lines through ``write``; audited with how many and where."""
    with transaction.atomic():
        count = 0
        for line in export_lines(since):
            write(line + "\n")
            count += 1
        record(
            None,
            "moderation.screening_examples_exported",
            changes={"count": count, "since": since.isoformat() if since else None, "to": destination},
        )
    return count
