from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

from django.db import transaction

from custos.audit.actions import record
from custos.policy.models import Clause, PolicyVersion
from custos.policy.parser import parse_policy

DEFAULT_POLICY = Path(__file__).resolve().parent / "data" / "social-media-policy.md"


def import_policy(markdown: str, *, label: str, by: Any, make_current: bool = True) -> tuple[PolicyVersion, bool]:
    """Import a policy version; the same text imported again returns the existing version (idempotent)."""
    parsed = parse_policy(markdown)  # raises PolicyFormatError before anything is written
    digest = hashlib.sha256(markdown.encode("utf-8")).hexdigest()
    with transaction.atomic():
        existing = PolicyVersion.objects.filter(sha256=digest).first()
        if existing is not None:
            return existing, False
        if PolicyVersion.objects.filter(label=label).exists():
            raise ValueError(f"A different policy is already imported as version {label}.")
        if make_current:
            PolicyVersion.objects.filter(is_current=True).update(is_current=False)
        version = PolicyVersion.objects.create(
            title=parsed.title or "Social Media Policy",
            label=label,
            source=markdown,
            sha256=digest,
            is_current=make_current,
            form={
                "title": parsed.form_title,
                "intro": parsed.form_intro,
                "sections": [dataclasses.asdict(s) for s in parsed.form_sections],
            },
        )
        Clause.objects.bulk_create(
            Clause(
                version=version,
                number=c.number,
                section=c.section,
                section_title=c.section_title,
                text=c.text,
                position=i,
            )
            for i, c in enumerate(parsed.clauses)
        )
        record(by, "policy.imported", version, changes={"label": label, "clauses": len(parsed.clauses)})
    return version, True


def current_version() -> PolicyVersion | None:
    return PolicyVersion.objects.filter(is_current=True).first()
