"""The form's content, as approvers see and sign it: which fields make up each kind of form, and their hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any, cast

from django.db import models

from custos.sites.models import Site, SiteKind, SiteRoleKind

# Appendix B's fields in its order, then what Appendix A asks that the paper form forgets.
OWN_SECTIONS: list[tuple[str, list[str]]] = [
    ("Site", ["title"]),
    ("1. Team details", ["department", "author", "line_manager"]),
    (
        "2. Purpose of setting up social media site",
        ["aims", "proposed_content", "reason", "time_commitment", "evaluation_plan", "exit_strategy"],
    ),
    (
        "3. Proposed audience of the site",
        [
            "audience_pupils",
            "audience_age_min",
            "audience_age_max",
            "audience_staff",
            "audience_families",
            "audience_other_pupils",
            "audience_other_schools",
            "audience_external_orgs",
            "audience_public",
            "audience_others",
            "audience_others_details",
        ],
    ),
    (
        "4. Proposed contributors to the site",
        [
            "contributors_pupils",
            "contributors_age_min",
            "contributors_age_max",
            "contributors_staff",
            "contributors_families",
            "contributors_other_pupils",
            "contributors_other_schools",
            "contributors_external_orgs",
            "contributors_public",
            "contributors_others",
            "contributors_others_details",
            "contributors_learning_disabilities",
        ],
    ),
    (
        "5. Administration of the site",
        [
            "administrators",
            "moderators",
            "vetting_person",
            "hosting",
            "host_platform",
            "address",
            "go_live_on",
            "closes_on",
            "advertising_plan",
            "consent_plan",
            "security_measures",
        ],
    ),
    (
        "Terms of Use, House Rules and engagement (A.4.1, A.5.1, A.3.5)",
        [
            "terms_of_use",
            "house_rules",
            "allow_text",
            "allow_comments",
            "allow_images",
            "wants_logo",
            "staff_posts_skip_premoderation",
        ],
    ),
]

PARTICIPATION_SECTIONS: list[tuple[str, list[str]]] = [
    ("Site run by someone else", ["title", "host_platform", "address"]),
    ("Team details", ["department", "author", "line_manager", "participants"]),
    ("Purpose of taking part", ["aims", "proposed_content", "reason", "time_commitment", "evaluation_plan"]),
    (
        "Pupils (7.3, A.2.5)",
        ["audience_pupils", "contributors_pupils", "audience_age_min", "audience_age_max"],
    ),
    ("Dates", ["go_live_on", "closes_on"]),
    ("The site's Terms of Use and House Rules (A.4.1)", ["terms_of_use", "wants_logo"]),
]

# Shown on the form in their place but never typed in: "Name of author of site" is the person who wrote the form
# (Site.author, already part of the signed content), so nobody can name someone else as its author.
READ_ONLY_FIELDS = frozenset({"author"})

ROLE_FIELDS = {
    "administrators": SiteRoleKind.ADMINISTRATOR,
    "moderators": SiteRoleKind.MODERATOR,
    "participants": SiteRoleKind.PARTICIPANT,
}


def sections_for(kind: str) -> list[tuple[str, list[str]]]:
    return PARTICIPATION_SECTIONS if kind == SiteKind.PARTICIPATION else OWN_SECTIONS


def model_fields_for(kind: str) -> list[str]:
    """The form's input fields stored on Site (not its people, not what is shown but never typed in)."""
    return [
        name
        for _, names in sections_for(kind)
        for name in names
        if name not in ROLE_FIELDS and name not in READ_ONLY_FIELDS
    ]


def role_fields_for(kind: str) -> list[str]:
    return [name for _, names in sections_for(kind) for name in names if name in ROLE_FIELDS]


def model_field(name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", Site._meta.get_field(name))


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def canonical_content(site: Site, roles: Mapping[str, Iterable[Any]]) -> dict[str, Any]:
    """The form's fields and its people, as plain JSON values (no state, no signatures)."""
    content: dict[str, Any] = {"kind": site.kind, "school": site.school_id, "author": site.author_id}
    for name in model_fields_for(site.kind):
        field = model_field(name)
        content[name] = _plain(getattr(site, field.attname))
    for name in role_fields_for(site.kind):
        content[name] = sorted(user.pk for user in roles.get(name, []))
    return content


def content_sha256(site: Site, roles: Mapping[str, Iterable[Any]]) -> str:
    """SHA-256 of the canonical JSON of the form content: what a signature certifies."""
    text = json.dumps(canonical_content(site, roles), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_roles(site: Site) -> dict[str, list[Any]]:
    """The site's people by form field, read from its SiteRole rows."""
    by_role: dict[str, list[Any]] = {name: [] for name in ROLE_FIELDS}
    lookup: dict[str, str] = {str(kind): name for name, kind in ROLE_FIELDS.items()}
    for role in site.roles.select_related("user"):
        by_role[lookup[role.role]].append(role.user)
    return by_role


def stored_sha256(site: Site) -> str:
    return content_sha256(site, current_roles(site))
