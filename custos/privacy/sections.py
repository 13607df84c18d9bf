"""The sections of a subject access export, one per app (see registry.py). Read-only; each reads its app's models."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from custos.accounts.models import Absence, FamilyLink, RoleAssignment
from custos.audit.models import AuditEvent
from custos.cases.models import Case
from custos.cases.types import CaseType
from custos.community.models import Contribution, ContributionImage, Membership, Report
from custos.mail.models import Email
from custos.monitoring.models import DailyUse, EncyclopaediaEdit, NoticeAcknowledgement
from custos.policy.models import Acknowledgement
from custos.privacy.registry import SERIOUS_HARM, THIRD_PARTY, Section, Subject, Withheld, section
from custos.sites.models import Site, SiteRole
from custos.staff.models import ContactDeclaration, OfficialPost, PostImage

# Case types whose records are withheld from the person they are about: the DSL decides what, if anything, is
# released (serious harm to the child or others; information from and about third parties).
SAFEGUARDING_TYPES = frozenset({CaseType.SAFEGUARDING, CaseType.ILLEGAL_CONTENT, CaseType.ALLEGATION})


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@section("account", "Account and roles")
def account(subject: Subject) -> Section:
    result = Section()
    user = subject.user
    if user is not None:
        result.records.append(
            {
                "username": user.username,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "kind": user.get_kind_display(),
                "staff_type": user.get_staff_type_display() if user.staff_type else "",
                "job_title": user.job_title,
                "school": user.school.name if user.school else "",
                "employment_ends_on": _when(user.employment_ends_on),
                "active": user.is_active,
                "joined": _when(user.date_joined),
                "last_sign_in": _when(user.last_login),
            }
        )
        for role in RoleAssignment.objects.filter(user=user).select_related("school"):
            result.records.append(
                {
                    "role": role.get_role_display(),
                    "where": role.school.name if role.school else "the Trust",
                    "from": _when(role.starts_on),
                    "until": _when(role.ends_on),
                }
            )
    return result


@section("pupil", "Pupil record (from the school roster)")
def pupil_record(subject: Subject) -> Section:
    result = Section()
    pupil = subject.pupil
    if pupil is not None:
        result.records.append(
            {
                "school": pupil.school.name,
                "upn": pupil.upn,
                "legal_first_name": pupil.legal_first_name,
                "legal_last_name": pupil.legal_last_name,
                "preferred_first_name": pupil.preferred_first_name,
                "preferred_last_name": pupil.preferred_last_name,
                "year_group": pupil.year_group,
                "date_of_birth": _when(pupil.date_of_birth),
                "on_roll": pupil.on_roll,
            }
        )
        for link in FamilyLink.objects.filter(pupil=pupil).select_related("staff"):
            result.records.append({"family_link_with_staff_member": str(link.staff), "relationship": link.relationship})
    return result


@section("absences", "Absences (moderation cover, A.1.5)")
def absences(subject: Subject) -> Section:
    if subject.user is None:
        return Section()
    return Section(
        records=[
            {"from": _when(a.starts_on), "until": _when(a.ends_on), "reason": a.reason}
            for a in Absence.objects.filter(user=subject.user)
        ]
    )


@section("declarations", "Declarations (6.2, 6.3, 6.4)")
def declarations(subject: Subject) -> Section:
    if subject.user is None:
        return Section()
    result = Section()
    for link in FamilyLink.objects.filter(staff=subject.user).select_related("pupil"):
        result.records.append(
            {
                "family_member_who_is_a_pupil": link.pupil.known_as,
                "relationship": link.relationship,
                "declared_at": _when(link.declared_at),
            }
        )
    for contact in ContactDeclaration.objects.filter(staff=subject.user):
        result.records.append(
            {
                "contact_with_family_member": contact.family_member,
                "relationship_to_pupil": contact.relationship_to_pupil,
                "platform": contact.platform,
                "nature": contact.nature,
                "declared_at": _when(contact.declared_at),
                "ended_at": _when(contact.ended_at),
            }
        )
    return result


@section("acknowledgements", "Policy and monitoring notices read (5.1, 8.1)")
def acknowledgements(subject: Subject) -> Section:
    if subject.user is None:
        return Section()
    records: list[dict[str, Any]] = [
        {"policy_version": a.version.label, "confirmed_at": _when(a.acknowledged_at)}
        for a in Acknowledgement.objects.filter(user=subject.user).select_related("version")
    ]
    records += [
        {"monitoring_notice_version": n.version, "read_at": _when(n.acknowledged_at)}
        for n in NoticeAcknowledgement.objects.filter(user=subject.user)
    ]
    return Section(records=records)


@section("sites", "Official sites (Appendix B)")
def sites(subject: Subject) -> Section:
    if subject.user is None:
        return Section()
    records: list[dict[str, Any]] = [
        {
            "authored_site": s.title,
            "school": s.school.name,
            "state": s.get_state_display(),
            "created": _when(s.created_at),
        }
        for s in Site.objects.filter(author=subject.user).select_related("school")
    ]
    records += [
        {"site": r.site.title, "role": r.get_role_display(), "cover": r.is_cover, "since": _when(r.added_at)}
        for r in SiteRole.objects.filter(user=subject.user).select_related("site")
    ]
    return Section(records=records)


@section("official_posts", "Official posts (A.3.4)")
def official_posts(subject: Subject) -> Section:
    if subject.user is None:
        return Section()
    result = Section()
    for post in OfficialPost.objects.filter(author=subject.user).select_related("site"):
        result.records.append(
            {
                "site": post.site.title,
                "title": post.title,
                "text": post.body,
                "position": post.author_position,
                "state": post.get_state_display(),
                "created": _when(post.created_at),
                "published": _when(post.published_at),
            }
        )
    for image in PostImage.objects.filter(post__author=subject.user):
        try:
            with image.image.open("rb") as handle:
                data = handle.read()
        except (FileNotFoundError, ValueError, OSError):
            continue
        name = image.image.name.rsplit("/", 1)[-1]
        result.files.append((f"official-posts/{image.post_id}-{image.pk}-{name}", data))
    return result


@section("community", "Community spaces: memberships, posts, comments and reports (A.5)")
def community(subject: Subject) -> Section:
    if subject.user is None:
        return Section()
    result = Section()
    for membership in Membership.objects.filter(user=subject.user).select_related("site"):
        result.records.append(
            {
                "space": membership.site.title,
                "status": membership.get_status_display(),
                "pseudonym": membership.pseudonym,
                "joined": _when(membership.created_at),
                "terms_accepted": _when(membership.terms_accepted_at),
            }
        )
    for item in Contribution.objects.filter(author=subject.user).select_related("site"):
        result.records.append(
            {
                "space": item.site.title,
                "kind": item.get_kind_display(),
                "text": item.body,
                "state": item.get_state_display(),
                "posted": _when(item.created_at),
                "decided": _when(item.decided_at),
            }
        )
    for image in ContributionImage.objects.filter(contribution__author=subject.user):
        extension = "png" if image.content_type == "image/png" else "jpg"
        result.files.append((f"community/contribution-{image.contribution_id}.{extension}", bytes(image.data)))
    for report in Report.objects.filter(reporter=subject.user):
        result.records.append({"reported_contribution": report.contribution_id, "reason": report.reason})
    return result


@section("cases", "Cases")
def cases(subject: Subject) -> Section:
    result = Section()
    about = Q(pk__in=[])
    if subject.user is not None:
        about |= Q(linked_users=subject.user)
    if subject.pupil is not None:
        about |= Q(linked_pupils=subject.pupil)
    for case in Case.objects.filter(about).distinct().order_by("opened_at"):
        if case.case_type in SAFEGUARDING_TYPES:
            result.withheld.append(Withheld("A safeguarding record is held.", f"Withheld under {SERIOUS_HARM}."))
            continue
        result.records.append(
            {
                "case": case.reference,
                "type": case.get_case_type_display(),
                "status": case.get_status_display(),
                "opened": _when(case.opened_at),
                "closed": _when(case.closed_at),
                "outcome": case.get_outcome_display() if case.outcome else "",
            }
        )
        result.withheld.append(
            Withheld(
                f"The notes and evidence of case {case.reference}.",
                f"Withheld until the case owner has removed other people's information, under {THIRD_PARTY}.",
                decided_by="the case owner",
            )
        )
    if subject.user is not None:
        for case in Case.objects.filter(reported_by=subject.user).exclude(about).order_by("opened_at"):
            result.records.append(
                {
                    "report_made": case.reference,
                    "type": case.get_case_type_display(),
                    "received": _when(case.opened_at),
                    "dealt_with": case.status == "closed",
                }
            )
    return result


@section("monitoring", "Internet monitoring (8.1, 6.13, 6.11)")
def monitoring(subject: Subject) -> Section:
    if subject.user is None:
        return Section()
    records: list[dict[str, Any]] = [
        {
            "day": _when(d.day),
            "category": d.get_category_display(),
            "requests_in_contracted_hours": d.requests,
            "first": _when(d.first_at),
            "last": _when(d.last_at),
        }
        for d in DailyUse.objects.filter(user=subject.user).order_by("day", "category")
    ]
    records += [
        {"encyclopaedia_edit_at": _when(e.at), "site": e.host, "article": e.article}
        for e in EncyclopaediaEdit.objects.filter(user=subject.user).order_by("at")
    ]
    return Section(records=records)


@section("audit", "Audit log: what they did, and what was done to their records")
def audit(subject: Subject) -> Section:
    about = Q(pk__in=[])
    if subject.user is not None:
        about |= Q(actor=subject.user) | Q(object_type="accounts.user", object_id=str(subject.user.pk))
    if subject.pupil is not None:
        about |= Q(object_type="accounts.pupil", object_id=str(subject.pupil.pk))
    return Section(
        records=[
            {
                "at": _when(e.at),
                "by": e.actor_label,
                "action": e.action,
                "object": e.object_repr,
                "changes": e.changes,
            }
            for e in AuditEvent.objects.filter(about).order_by("seq")
        ]
    )


@section("emails", "Emails sent to them")
def emails(subject: Subject) -> Section:
    if subject.user is None:
        return Section()
    return Section(
        records=[
            {"to": m.to, "subject": m.subject, "body": m.body, "queued": _when(m.created_at), "sent": _when(m.sent_at)}
            for m in Email.objects.filter(Q(recipient=subject.user) | Q(to__iexact=subject.user.email)).order_by(
                "created_at"
            )
        ]
    )
