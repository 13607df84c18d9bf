"""What Custos holds about a person, gathered section by section for a subject access request (UK GDPR Art. 15).

Each app's data is one section: a function ``(subject) -> Section`` registered with ``@section``. A new app adds
its section in ``sections.py`` (one place), reading its own models. A section lists what it withholds, and why,
without revealing the withheld content (DPA 2018 Schedule 2 Part 3 para. 16; Schedule 3 Part 3 para. 7).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from custos.accounts.models import Pupil, User

SERIOUS_HARM = "DPA 2018 Sch. 3 Part 3 para. 7 (serious harm)"
THIRD_PARTY = "DPA 2018 Sch. 2 Part 3 para. 16 (information about other people)"


@dataclass(frozen=True)
class Subject:
    """The person a request is about: a user account, a pupil's roster record, or both."""

    user: User | None
    pupil: Pupil | None

    @property
    def label(self) -> str:
        if self.pupil is not None:
            return self.pupil.known_as
        return str(self.user) if self.user is not None else ""


@dataclass(frozen=True)
class Withheld:
    what: str
    reason: str
    decided_by: str = "the Designated Safeguarding Lead"

    def as_dict(self) -> dict[str, str]:
        return {"what": self.what, "reason": self.reason, "decided_by": self.decided_by}


@dataclass
class Section:
    records: list[dict[str, Any]] = field(default_factory=list)
    files: list[tuple[str, bytes]] = field(default_factory=list)
    withheld: list[Withheld] = field(default_factory=list)


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    func: Callable[[Subject], Section]


_SECTIONS: dict[str, SectionSpec] = {}


def section(key: str, title: str) -> Callable[[Callable[[Subject], Section]], Callable[[Subject], Section]]:
    def register(func: Callable[[Subject], Section]) -> Callable[[Subject], Section]:
        _SECTIONS[key] = SectionSpec(key, title, func)
        return func

    return register


def all_sections() -> list[SectionSpec]:
    from custos.privacy import sections  # noqa: F401 - registers the sections

    return list(_SECTIONS.values())
