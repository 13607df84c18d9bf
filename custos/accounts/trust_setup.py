"""Setting up a new trust from an empty database (``manage.py setup_trust``, issue 15 item 1): the trust, its
schools and the first administrator, who gets a one-time sign-in link. Running it again with the same
configuration changes nothing; a configuration that clashes with what is stored changes nothing either."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from custos.accounts.actions import assign_role
from custos.accounts.links import issue_link, link_url
from custos.accounts.models import Kind, LinkPurpose, Role, RoleAssignment, School, SignInLink, StaffType, Trust, User
from custos.accounts.trust_config import SchoolSpec, TrustConfigError, TrustSpec
from custos.audit.actions import record
from custos.community.images import CleanImage, clean_image


@dataclass
class SetupResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    administrator: User | None = None
    link: str = ""
    # The administrator has not used their link and it no longer works: ``--new-link`` gives them another.
    link_expired: bool = False

    @property
    def changed_nothing(self) -> bool:
        return not (self.created or self.updated or self.link)


def _clashes(spec: TrustSpec) -> list[str]:
    problems = []
    other_trust = Trust.objects.exclude(name=spec.name).first()
    if other_trust is not None:
        problems.append(
            f"[trust]: this Custos already holds the trust {other_trust.name!r}; setup_trust sets up one trust "
            "(check the name, or use the schools pages to add schools)"
        )
    for number, school in enumerate(spec.schools, start=1):
        stored = School.objects.filter(urn=school.urn).select_related("trust").first()
        if stored is not None and stored.trust.name != spec.name:
            problems.append(f"[[school]] {number} ({school.name}): urn {school.urn} belongs to {stored.trust.name}")
    person = User.objects.filter(email__iexact=spec.administrator.email).first()
    if person is not None and (person.kind != Kind.STAFF or not person.is_active):
        problems.append(
            f"[administrator]: {spec.administrator.email} belongs to an account that is not an active member of staff"
        )
    return problems


def _clean_logo(school: SchoolSpec) -> CleanImage | None:
    if school.logo is None:
        return None
    with school.logo.open("rb") as handle:
        return clean_image(handle)


def _stored_logo(school: School) -> bytes | None:
    if not school.logo:
        return None
    try:
        with school.logo.open("rb") as handle:
            return handle.read()
    except OSError:
        return None


def _school(trust: Trust, spec: SchoolSpec, result: SetupResult) -> School:
    school = School.objects.filter(urn=spec.urn).first()
    details = {
        "name": spec.name,
        "website": spec.website,
        "email_domain": spec.email_domains[0],
        "other_email_domains": list(spec.email_domains[1:]),
    }
    if school is None:
        school = School.objects.create(trust=trust, urn=spec.urn, **details)
        record(None, "school.created", school, changes={"urn": spec.urn, **details})
        result.created.append(f"school {spec.name} ({spec.urn})")
    else:
        changed = {k: v for k, v in details.items() if getattr(school, k) != v}
        if changed:
            for key, value in changed.items():
                setattr(school, key, value)
            school.save(update_fields=list(changed))
            record(None, "school.updated", school, changes=changed)
            result.updated.append(f"school {spec.name} ({spec.urn}): {', '.join(changed)}")
    logo = _clean_logo(spec)
    if logo is not None and logo.data != _stored_logo(school):
        extension = "png" if logo.content_type == "image/png" else "jpg"
        school.logo.save(f"{spec.urn}.{extension}", ContentFile(logo.data))
        record(None, "school.logo_changed", school, changes={"source": spec.logo.name if spec.logo else ""})
        result.updated.append(f"school {spec.name} ({spec.urn}): logo")
    return school


def set_up_trust(spec: TrustSpec, *, new_link: bool = False) -> SetupResult:
    """Create or bring into line the trust, its schools and the first administrator (ICT Manager at every school
    in ``spec``), all or nothing. A sign-in link is issued when the administrator is created, or with ``new_link``.
    Raises ``TrustConfigError`` naming each clash with what is stored; nothing is written then."""
    result = SetupResult()
    try:
        with transaction.atomic():
            problems = _clashes(spec)
            if problems:
                raise TrustConfigError(problems)
            trust = Trust.objects.filter(name=spec.name).first()
            if trust is None:
                trust = Trust.objects.create(name=spec.name, website=spec.website)
                record(None, "trust.created", trust, changes={"name": spec.name, "website": spec.website})
                result.created.append(f"trust {spec.name}")
            elif trust.website != spec.website:
                trust.website = spec.website
                trust.save(update_fields=["website"])
                record(None, "trust.updated", trust, changes={"website": spec.website})
                result.updated.append(f"trust {spec.name}: website")
            schools = [_school(trust, school, result) for school in spec.schools]
            admin = spec.administrator
            person = User.objects.filter(email__iexact=admin.email).first()
            if person is None:
                home = next((s for s in schools if s.urn == admin.school_urn), None)
                person = User.objects.create_user(
                    username=admin.email,
                    email=admin.email,
                    password=None,  # unusable until they choose one through their link
                    first_name=admin.first_name,
                    last_name=admin.last_name,
                    job_title=admin.job_title,
                    kind=Kind.STAFF,
                    staff_type=StaffType.SUPPORT,
                    school=home,
                )
                record(None, "user.created", person, changes={"email": admin.email, "by": "setup_trust"})
                result.created.append(f"administrator {person.get_full_name()} <{admin.email}>")
                new_link = True
            today = timezone.localdate()
            for school in schools:
                held = RoleAssignment.objects.current(today).filter(user=person, role=Role.ICT_MANAGER, school=school)
                if not held.exists():
                    assign_role(person, Role.ICT_MANAGER, school=school, starts_on=today, by=None)
                    result.created.append(f"ICT Manager role at {school.name} for {person.get_full_name()}")
            if new_link:
                result.link = link_url(issue_link(person, purpose=LinkPurpose.FIRST_ADMINISTRATOR, by=None))
            elif not person.has_usable_password() and not SignInLink.objects.usable().filter(user=person).exists():
                result.link_expired = True
            result.administrator = person
    except IntegrityError:
        raise TrustConfigError(
            ["Someone else changed the schools or people at the same moment: nothing was written. Run it again."]
        ) from None
    return result
