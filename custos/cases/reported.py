"""What was reported, in plain English for the safeguarding lead (A.2.3, A.5.6).

A case's ``details`` are written by whoever opened it: the staff report forms (keys are the questions asked),
moderation escalations of a school-hosted site's contribution and third-party comments
(``custos.moderation.escalation``: ids, ISO timestamps, screening findings). The stored JSON stays exactly as
received; this module only decides how a person reads it: sites by name, times in UK local time, who escalated
it, screening findings as sentences, internal ids left out, and never a Python repr.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import dateformat, timezone

from custos.accounts import access
from custos.accounts.models import Kind, Pupil, User
from custos.cases.pupils import year_label

# Keys that only join records inside Custos: the case shows the site by name and the words exactly as written.
INTERNAL_KEYS = frozenset({"site_id", "contribution_id", "external_comment_id"})

KNOWN_LABELS = {
    "kind": "What it was",
    "written_at": "Written",
    "posted_at": "Posted on the platform",
    "received_at": "Received from the platform",
    "escalated_by": "Escalated by",
    "host_platform": "Platform",
    "external_id": "The platform's id for it",
    "author_name": "Author, as the platform names them",
    "author_kind": "Author is",
    "url": "Web address",
    "screening_reasons": "Screening reasons",
}

# custos.screening.findings.Category and Severity, in words (the case page must read without knowing the engine).
CATEGORY_WORDS = {
    "personal_information": "Personal information",
    "pupil_identification": "Identifies a pupil",
    "abuse": "Abusive language",
    "hate": "Hate speech",
    "bullying": "Bullying",
    "safeguarding": "Safeguarding concern",
    "staff_official": "Staff account used for official business",
    "personal_webspace": "Personal web space",
}
SEVERITY_WORDS = {
    "info": "For information",
    "warn": "Warning",
    "block": "Would be blocked",
    "escalate": "Escalated to safeguarding",
}
# Coded values of the keys Custos itself writes; what a person typed is never translated.
CODED_VALUES: dict[str, dict[str, str]] = {
    "kind": {"post": "A post", "comment": "A comment"},
    "author_kind": {
        "external": "An external member of the public",
        "staff": "A member of staff",
        "pupil": "A pupil",
    },
}
# The report form stores a ticked box as str(True).
VALUE_WORDS = {"True": "Yes", "False": "No"}
# Custos's own references (``community.contribution:10``) only join records: the page says what the thing was
# and where, never its id.
INTERNAL_SOURCE_REFS = frozenset({"community.contribution", "api.external_comment"})
KIND_WORDS: dict[str, str] = {
    Kind.STAFF: "Member of staff",
    Kind.PUPIL: "Pupil",
    Kind.EXTERNAL: "External member",
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    url: str = ""


@dataclass(frozen=True)
class FindingView:
    category: str
    severity: str
    clauses: tuple[str, ...]
    reason: str
    matched: tuple[str, ...]


@dataclass(frozen=True)
class LinkedPerson:
    kind: str
    name: str
    notes: tuple[str, ...] = ()


@dataclass
class Reported:
    facts: list[Fact] = field(default_factory=list)
    findings: list[FindingView] = field(default_factory=list)


def when(moment: dt.datetime) -> str:
    """``Tue 24 Nov 2026, 02:18`` in the school's time zone."""
    return dateformat.format(timezone.localtime(moment), "D j M Y, H:i")


def on_date(day: dt.date) -> str:
    return dateformat.format(day, "D j M Y")


def humanise_key(key: str) -> str:
    """Report-form keys are already the questions asked; identifiers (``host_platform``) become words."""
    if re.fullmatch(r"[a-z0-9_]+", key):
        return key.replace("_", " ").strip().capitalize()
    return key


def humanise(value: Any) -> str:
    """Any JSON value as words: dates in UK style, lists and mappings spelled out, never a Python repr."""
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "; ".join(humanise(item) for item in value) or "None"
    if isinstance(value, dict):
        return "; ".join(f"{humanise_key(str(k))}: {humanise(v)}" for k, v in value.items()) or "None"
    text = str(value)
    if text in VALUE_WORDS:
        return VALUE_WORDS[text]
    if _ISO_DATETIME.match(text):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        return when(moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC))
    if _ISO_DATE.match(text):
        try:
            return on_date(dt.date.fromisoformat(text))
        except ValueError:
            return text
    return text


def source_ref_label(ref: str, details: Any = None, site_title: str = "") -> str:
    """Where a case came from, in words: ``community.contribution:10`` with ``details["kind"] == "post"`` on the
    site “Year 8 Science” reads ``a post on “Year 8 Science”``. Another system's own reference is shown as given."""
    prefix, _, number = ref.partition(":")
    if prefix not in INTERNAL_SOURCE_REFS or not number:
        return ref
    facts = details if isinstance(details, dict) else {}
    where = f"“{site_title}”" if site_title else ""
    if prefix == "community.contribution":
        what = CODED_VALUES["kind"].get(str(facts.get("kind")), "A contribution").lower()
        return f"{what} on {where or 'a school-hosted site'}"
    platform = str(facts.get("host_platform") or "") or "a third-party platform"
    return f"a comment on {where}, received from {platform}" if where else f"a comment received from {platform}"


def _matched(text: str, finding: dict[str, Any]) -> tuple[str, ...]:
    spans = finding.get("spans") or [[finding.get("start", 0), finding.get("end", 0)]]
    words = []
    for span in spans:
        try:
            start, end = max(0, int(span[0])), min(len(text), int(span[1]))
        except (TypeError, ValueError, IndexError):
            continue
        if start < end:
            words.append(text[start:end])
    return tuple(words)


def finding_views(findings: Any, text: str) -> list[FindingView]:
    """Screening findings (``custos.screening.findings.Finding.as_dict``) with the words they matched in ``text``,
    the words exactly as written."""
    if not isinstance(findings, list):
        return []
    out = []
    for finding in findings:
        if not isinstance(finding, dict):
            continue
        category = str(finding.get("category", ""))
        severity = str(finding.get("severity", ""))
        clauses = finding.get("clauses") or []
        out.append(
            FindingView(
                category=CATEGORY_WORDS.get(category, humanise_key(category) or "Unclassified"),
                severity=SEVERITY_WORDS.get(severity, humanise_key(severity) or "Not given"),
                clauses=tuple(str(c) for c in clauses) if isinstance(clauses, list) else (str(clauses),),
                reason=str(finding.get("reason", "")),
                matched=_matched(text, finding),
            )
        )
    return out


def site_fact(site_id: Any, label: str, viewer: User) -> Fact | None:
    """The site by its name and school, linked when ``viewer`` may open it (``sites.view_site``)."""
    from custos.sites.models import Site

    if site_id in (None, ""):
        return Fact("Where it came from", label) if label else None
    site = Site.objects.filter(pk=site_id).select_related("school").first() if str(site_id).isdigit() else None
    if site is None:
        return Fact("Where it came from", f"{label or 'A site'} (no longer in Custos)")
    url = reverse("sites:detail", args=[site.pk]) if access.can(viewer, "sites.view_site", site) else ""
    return Fact("Where it came from", f"“{site.title}”, {site.school.name}", url)


def _escalated_by(value: Any) -> str:
    if value in (None, ""):
        return "Screening, automatically"
    person = User.objects.filter(pk=value).first() if str(value).isdigit() else None
    return (person.get_full_name() or person.get_username()) if person is not None else "A user no longer in Custos"


def _position(key: str) -> int:
    """Known keys, then the report form's questions in the order it asks them, then the rest: PostgreSQL's
    jsonb does not keep the order the keys were written in."""
    from custos.cases.forms import ReportForm

    order = [*KNOWN_LABELS, *(str(field.label) for field in ReportForm.base_fields.values())]
    return order.index(key) if key in order else len(order)


def describe(
    details: Any,
    *,
    viewer: User,
    text: str = "",
    linked_site: Fact | None = None,
    linked_site_id: int | None = None,
) -> Reported:
    """The case's ``details`` as facts and findings; ``text`` is the content exactly as written (what screening
    findings' spans point into); ``linked_site`` is the case's linked site, already looked up."""
    reported = Reported()
    if not isinstance(details, dict):
        if details not in (None, "", {}, []):
            reported.facts.append(Fact("Details", humanise(details)))
        return reported
    if "site_id" in details:
        same = str(details["site_id"]) == str(linked_site_id) and linked_site is not None
        origin = linked_site if same else site_fact(details["site_id"], "", viewer)
        if origin is not None:
            reported.facts.append(origin)
    findings = details.get("findings")
    reported.findings = finding_views(findings, text)
    for key, value in sorted(details.items(), key=lambda item: _position(item[0])):
        if key in INTERNAL_KEYS or key == "findings":
            continue
        if key == "screening_reasons" and reported.findings:
            continue  # the same reasons, already listed finding by finding
        if key == "escalated_by":
            reported.facts.append(Fact(KNOWN_LABELS[key], _escalated_by(value)))
            continue
        coded = CODED_VALUES.get(key, {}).get(str(value))
        reported.facts.append(Fact(KNOWN_LABELS.get(key) or humanise_key(str(key)), coded or humanise(value)))
    return reported


def linked_people(pupils: list[Pupil], users: list[User], *, show_legal: bool) -> list[LinkedPerson]:
    """Pupils and users linked to a case, each labelled by what they are; a pupil's own account is not listed
    again beside their roster record. Legal names and dates of birth only when ``show_legal``."""
    people = []
    for pupil in pupils:
        notes = [year_label(pupil.year_group)]
        if show_legal and pupil.legal_name != pupil.known_as:
            notes.insert(0, f"legal name {pupil.legal_name}")
        people.append(LinkedPerson("Pupil", pupil.known_as, tuple(notes)))
    accounts_listed = {pupil.user_id for pupil in pupils if pupil.user_id}
    for user in users:
        if user.pk in accounts_listed:
            continue
        record = getattr(user, "pupil", None) if user.kind == Kind.PUPIL else None
        if record is not None:
            people.append(LinkedPerson("Pupil", record.known_as, (year_label(record.year_group),)))
            continue
        role = (str(user.job_title),) if user.kind == Kind.STAFF and user.job_title else ()
        name = user.get_full_name() or user.get_username()
        people.append(LinkedPerson(KIND_WORDS.get(str(user.kind), "Person"), name, role))
    return people
