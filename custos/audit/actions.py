"""The one way to write to the audit log. Call it inside the transaction that makes the change."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from custos.audit.models import AuditEvent, ChainHead

SYSTEM_LABEL = "Custos (automatic)"


def _plain(value: Any) -> Any:
    """What JSON will give back after a round trip, so the stored event hashes the same when read again."""
    return json.loads(json.dumps(value, default=str))


def _to_millisecond(moment: dt.datetime) -> dt.datetime:
    """Django's JSON serialiser (backups) keeps milliseconds; so does the chain, so a restored event still hashes."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def record(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    changes: dict[str, Any] | None = None,
    school_id: int | None = None,
) -> AuditEvent:
    """Append one event to the chain. ``actor`` is a user, or ``None`` for the system itself."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the transaction that makes the change")
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
    if school_id is None and obj is not None:
        school_id = getattr(obj, "school_id", None)
    event = AuditEvent(
        seq=head.seq + 1,
        at=_to_millisecond(timezone.now()),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(actor.get_full_name() or actor.get_username()) if getattr(actor, "pk", None) else SYSTEM_LABEL,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        school_id=school_id,
        changes=_plain(changes or {}),
        prev_hash=head.hash,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    head.seq, head.hash = event.seq, event.hash
    head.save(update_fields=["seq", "hash"])
    return event


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """``{"field": [old, new]}`` for the fields that changed."""
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
