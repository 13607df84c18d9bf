"""Thin task adapter over notify.actions.deliver (idempotent: a sent delivery is never sent again)."""

from custos.tasks.registry import task


@task(max_attempts=40, lease_seconds=60)
def send_delivery(*, delivery_id: int) -> None:
    from custos.notify.actions import deliver  # actions imports this module to enqueue

    deliver(delivery_id)
