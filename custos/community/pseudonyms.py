"""Pseudonyms the school controls, so pupils and other participants cannot be identified (A.5.2)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

COLOURS = (
    "Amber", "Blue", "Coral", "Copper", "Crimson", "Golden", "Green", "Indigo", "Jade", "Lilac",
    "Olive", "Orange", "Pearl", "Plum", "Ruby", "Sage", "Silver", "Teal", "Violet", "Scarlet",
)  # fmt: skip
ANIMALS = (
    "Badger", "Otter", "Heron", "Falcon", "Fox", "Hare", "Kestrel", "Lynx", "Marten", "Owl",
    "Puffin", "Robin", "Seal", "Swift", "Wren", "Beaver", "Dolphin", "Panda", "Tiger", "Gecko",
)  # fmt: skip


def generate(taken: Iterable[str]) -> str:
    """A fresh pseudonym like "Blue Heron 12" not in ``taken``."""
    used = {name.casefold() for name in taken}
    for _ in range(200):
        name = f"{secrets.choice(COLOURS)} {secrets.choice(ANIMALS)} {secrets.randbelow(90) + 10}"
        if name.casefold() not in used:
            return name
    return f"Member {secrets.token_hex(3)}"


def problem_with(pseudonym: str, real_names: Iterable[str]) -> str:
    """Why ``pseudonym`` may not be used, or "" (A.5.2: it must not give a pupil away)."""
    pseudonym = pseudonym.strip()
    if not pseudonym:
        return "Enter a pseudonym."
    if len(pseudonym) > 60:
        return "A pseudonym can be at most 60 characters."
    words = {word.casefold() for word in pseudonym.replace("-", " ").split()}
    for name in real_names:
        for part in name.replace("-", " ").split():
            if len(part) > 1 and part.casefold() in words:
                return f"A pseudonym must not contain the member's real name (A.5.2): remove “{part}”."
    return ""
