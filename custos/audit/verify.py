"""Walk the audit chain and find the first event that is not what was written."""

from __future__ import annotations

from dataclasses import dataclass

from custos.audit.models import GENESIS_HASH, AuditEvent, ChainHead


@dataclass(frozen=True)
class Break:
    seq: int
    problem: str


def first_break(batch_size: int = 2000) -> tuple[int, Break | None]:
    """Return how many events were checked and the first break in the chain, if any."""
    expected_seq, expected_prev = 1, GENESIS_HASH
    checked = 0
    last_seq = 0
    queryset = AuditEvent.objects.order_by("seq")
    for event in queryset.iterator(chunk_size=batch_size):
        checked += 1
        if event.seq != expected_seq:
            missing = "missing or deleted" if event.seq > expected_seq else "out of order"
            return checked, Break(expected_seq, f"event #{expected_seq} is {missing} (found #{event.seq} next)")
        if event.prev_hash != expected_prev:
            return checked, Break(event.seq, "does not follow the event before it (inserted or re-chained)")
        if event.compute_hash() != event.hash:
            return checked, Break(event.seq, "its content no longer matches its hash (edited)")
        expected_seq, expected_prev = event.seq + 1, event.hash
        last_seq = event.seq
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != last_seq or head.hash != expected_prev):
        return checked, Break(last_seq + 1, f"the chain should end at #{head.seq}; later events were deleted")
    return checked, None
