"""'Waiting for me': each app registers what needs a person's action; the home page lists them all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WaitingItem:
    title: str
    url: str
    clause: str = ""
    due: dt.datetime | None = None
    urgent: bool = False
    since: dt.datetime | None = None  # when it started waiting, for items the policy sets no deadline for


Provider = Callable[[Any], Iterable[WaitingItem]]
_PROVIDERS: list[Provider] = []


def provider(func: Provider) -> Provider:
    _PROVIDERS.append(func)
    return func


def waiting_for(user: Any) -> list[WaitingItem]:
    items = [item for source in _PROVIDERS for item in source(user)]
    far_future = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(
        items, key=lambda item: (not item.urgent, item.due or far_future, item.since or far_future, item.title)
    )
