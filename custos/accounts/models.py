"""The Trust, its schools and its people (clause 2.1), their roles, absences, pupils and family links."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_backends
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Trust(models.Model):
    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    urn = models.CharField("URN", max_length=6, unique=True, help_text="Unique Reference Number (DfE)")
    website = models.URLField()
    logo = models.ImageField(upload_to="logos/", blank=True)
    email_domain = models.CharField(max_length=100, blank=True, help_text="e.g. oakfield.example.sch.uk")
    # Further domains the school's people have addresses at (a staff domain, a legacy one), beside email_domain.
    other_email_domains = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def email_domains(self) -> list[str]:
        return [d for d in (self.email_domain, *self.other_email_domains) if d]


class Kind(models.TextChoices):
    STAFF = "staff", "Staff member"
    PUPIL = "pupil", "Pupil"
    EXTERNAL = "external", "External member"


class StaffType(models.TextChoices):
    """Who counts as a 'staff member' (clause 2.1)."""

    TEACHING = "teaching", "Teaching staff"
    SUPPORT = "support", "Support staff"
    GOVERNOR = "governor", "Governor"
    CONTRACTOR = "contractor", "External contractor"
    TRAINEE = "trainee", "Teacher trainee or other trainee"
    VOLUNTEER = "volunteer", "Volunteer"
    OTHER = "other", "Other individual working for the school"


class User(AbstractUser):
    """Everyone who signs in: staff members (2.1), pupils and external members of school-hosted sites."""

    email = models.EmailField(unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STAFF)
    staff_type = models.CharField(max_length=12, choices=StaffType.choices, blank=True)
    job_title = models.CharField(max_length=120, blank=True, help_text="Shown beside staff posts (A.4.8)")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    employment_ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_staff_member(self) -> bool:
        return self.kind == Kind.STAFF

    def roles_at(self, school: School | None, on: dt.date | None = None) -> set[str]:
        """The roles this person holds at ``school`` (trust-wide roles count at every school)."""
        on = on or timezone.localdate()
        if school is None:
            return set(RoleAssignment.objects.current(on).filter(user=self).values_list("role", flat=True))
        cache: dict[tuple[int, dt.date], set[str]] | None = getattr(self, "_roles_cache", None)
        if cache is None:
            cache = {}
            self._roles_cache = cache
        key = (school.pk, on)
        if key not in cache:
            cache[key] = set(
                RoleAssignment.objects.current(on)
                .filter(user=self)
                .filter(Q(school=school) | Q(school__isnull=True))
                .values_list("role", flat=True)
            )
        return cache[key]

    def all_current_roles(self) -> set[str]:
        return self.roles_at(None)

    # No back door (issue 15, item 8): Django's superuser flag grants nothing here. Every answer comes from the
    # authentication backends, that is from the person's roles (accounts/access.py), as for everyone else.
    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_active and self._backends_say("has_perm", perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and self._backends_say("has_module_perms", app_label)

    def _backends_say(self, question: str, *args: object) -> bool:
        for backend in get_backends():
            try:
                if hasattr(backend, question) and getattr(backend, question)(self, *args):
                    return True
            except PermissionDenied:
                return False
        return False


class Role(models.TextChoices):
    ICT_MANAGER = "ict_manager", "ICT Manager"
    HEAD_OF_SCHOOL = "head", "Head of School/Head Teacher"
    EXECUTIVE_HEADTEACHER = "executive_head", "Executive Headteacher"
    AHT_PASTORAL = "aht_pastoral", "Assistant Head Teacher – Pastoral"
    DSL = "dsl", "Designated Safeguarding Lead"
    DEPUTY_DSL = "deputy_dsl", "Deputy Designated Safeguarding Lead"
    HR = "hr", "Human Resources"


# Roles whose holders must sign in with a second factor (TOTP).
PRIVILEGED_ROLES = frozenset(
    {Role.ICT_MANAGER, Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER, Role.DSL, Role.DEPUTY_DSL, Role.HR}
)


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def current(self, on: dt.date | None = None) -> RoleAssignmentQuerySet:
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


class RoleAssignment(models.Model):
    """A role held at one school (or, with no school, across the Trust) between two dates."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        help_text="Leave empty for a Trust-wide role",
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["school__name", "role", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="role_assignment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        where = self.school.name if self.school else "the Trust"
        return f"{self.user} — {self.get_role_display()} at {where}"


class Absence(models.Model):
    """Leave or absence of a member of staff: moderation cover is planned around these (A.1.5, A.5.4)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.user} away {self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y}"


class Pupil(models.Model):
    """A pupil on the school roster, as the MIS exports it. Legal names are need-to-know."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    upn = models.CharField("UPN", max_length=13, help_text="Unique Pupil Number")
    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_first_name = models.CharField(max_length=100, blank=True)
    preferred_last_name = models.CharField(max_length=100, blank=True)
    year_group = models.PositiveSmallIntegerField()
    date_of_birth = models.DateField()
    user = models.OneToOneField(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="pupil")
    on_roll = models.BooleanField(default=True)

    class Meta:
        ordering = ["year_group", "preferred_last_name", "preferred_first_name"]
        constraints = [models.UniqueConstraint(fields=["school", "upn"], name="pupil_upn_unique_per_school")]

    def __str__(self) -> str:
        return self.known_as

    @property
    def known_as(self) -> str:
        """The name the pupil goes by, shown to staff who do not need the legal name."""
        first = self.preferred_first_name or self.legal_first_name
        last = self.preferred_last_name or self.legal_last_name
        return f"{first} {last}"

    @property
    def legal_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}"

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class FamilyLink(models.Model):
    """A member of staff's declared family relationship with a pupil (6.2, 6.3)."""

    staff = models.ForeignKey(User, on_delete=models.CASCADE, related_name="family_links")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="family_links")
    relationship = models.CharField(max_length=60)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "pupil"], name="family_link_unique")]

    def __str__(self) -> str:
        return f"{self.staff} is {self.relationship} of {self.pupil}"


class LinkPurpose(models.TextChoices):
    FIRST_ADMINISTRATOR = "first_administrator", "First administrator (setup_trust)"
    INVITATION = "invitation", "Invitation"


class SignInLinkQuerySet(models.QuerySet["SignInLink"]):
    def usable(self, now: dt.datetime | None = None) -> SignInLinkQuerySet:
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class SignInLink(models.Model):
    """A one-time sign-in link: the person follows it once, before it expires, to choose a password (and, where
    their role needs one, enrol their second factor). Only the SHA-256 of the token is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_links")
    purpose = models.CharField(max_length=30, choices=LinkPurpose.choices)
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = SignInLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link for {self.user}"
