"""Official school sites: the Appendix B approval form, its signatures, and the life of each site until it closes.

A ``Site`` row is the form (its fields, in Appendix B's order, plus what Appendix A asks for) *and* the site it
approves. Writes go through ``custos.sites.actions``; reads other apps need are in ``custos.sites.queries``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from custos.accounts.models import Role


class HostPlatform(models.Model):
    """A third-party host and the minimum age its terms allow (7.3, A.2.5). One list for the whole Trust, kept up to
    date by ICT Managers. Names are unique whatever their capitals: a second "facebook" with a lower age would let a
    form get round A.2.5."""

    name = models.CharField(max_length=100)
    minimum_age = models.PositiveSmallIntegerField(help_text="The youngest age the platform's terms allow (A.2.5)")
    notes = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="host_platform_name_unique_any_case",
                violation_error_message="This platform is already listed (whatever its capitals): change that entry "
                "instead (A.2.5).",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (minimum age {self.minimum_age})"


class SiteKind(models.TextChoices):
    OWN = "own", "Official school site (Appendix B)"
    PARTICIPATION = "participation", "Taking part in a site run by someone else (A.3.3)"


class SiteState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "With the ICT Manager"
    ICT_APPROVED = "ict_approved", "With the Head of School"
    RETURNED = "returned", "Returned for changes"
    REJECTED = "rejected", "Rejected"
    APPROVED = "approved", "Approved, not yet live"
    LIVE = "live", "Live"
    CLOSED = "closed", "Closed"


# The state machine, in one place: which state may follow which (A.3.2, A.3.6, A.1.6).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    SiteState.DRAFT: frozenset({SiteState.SUBMITTED}),
    SiteState.SUBMITTED: frozenset({SiteState.ICT_APPROVED, SiteState.RETURNED, SiteState.REJECTED}),
    # An edit after a signature sends the form back to the ICT Manager (SUBMITTED).
    SiteState.ICT_APPROVED: frozenset(
        {SiteState.APPROVED, SiteState.RETURNED, SiteState.REJECTED, SiteState.SUBMITTED}
    ),
    SiteState.RETURNED: frozenset({SiteState.SUBMITTED}),
    SiteState.REJECTED: frozenset(),
    SiteState.APPROVED: frozenset({SiteState.LIVE, SiteState.SUBMITTED, SiteState.CLOSED}),
    SiteState.LIVE: frozenset({SiteState.CLOSED}),
    SiteState.CLOSED: frozenset(),
}
EDITABLE_STATES = frozenset(
    {SiteState.DRAFT, SiteState.RETURNED, SiteState.SUBMITTED, SiteState.ICT_APPROVED, SiteState.APPROVED}
)
# Sites that exist (or are about to): shown in the inventory by default.
APPROVED_STATES = frozenset({SiteState.APPROVED, SiteState.LIVE})


class Hosting(models.TextChoices):
    SCHOOL = "school", "The school"
    THIRD_PARTY = "third_party", "A third party"


class Evaluation(models.TextChoices):
    MET = "met", "The site achieved its aims"
    PARTLY = "partly", "The site partly achieved its aims"
    NOT_MET = "not_met", "The site did not achieve its aims"


class Site(models.Model):
    """The Appendix B form and the official site it approves."""

    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, related_name="official_sites")
    kind = models.CharField(max_length=15, choices=SiteKind.choices, default=SiteKind.OWN)
    state = models.CharField(max_length=15, choices=SiteState.choices, default=SiteState.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_sites")
    title = models.CharField("Name of the site", max_length=200)

    # 1. Team details
    department = models.CharField(max_length=120, blank=True)
    line_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="Author's line manager",
    )
    # 2. Purpose (and 7.2, A.1.4, A.1.6, A.1.7)
    aims = models.TextField("What are the aims you propose to achieve by setting up this site?", blank=True)
    proposed_content = models.TextField("What is the proposed content of the site?", blank=True)
    reason = models.TextField("The pedagogical or business reason for the site (7.2)", blank=True)
    time_commitment = models.TextField("Expected time commitment (A.1.4)", blank=True)
    evaluation_plan = models.TextField("How will the success of the site be evaluated? (A.1.7)", blank=True)
    exit_strategy = models.TextField("Exit strategy (A.1.6)", blank=True)

    # 3. Proposed audience
    audience_pupils = models.BooleanField("Pupils of the school", default=False)
    audience_staff = models.BooleanField("Staff", default=False)
    audience_families = models.BooleanField("Pupils' family members", default=False)
    audience_other_pupils = models.BooleanField("Pupils from other schools", default=False)
    audience_external_orgs = models.BooleanField("External organisations", default=False)
    audience_public = models.BooleanField("Members of the public", default=False)
    audience_others = models.BooleanField("Others", default=False)
    audience_age_min = models.PositiveSmallIntegerField("Youngest pupil in the audience", null=True, blank=True)
    audience_age_max = models.PositiveSmallIntegerField("Oldest pupil in the audience", null=True, blank=True)
    audience_other_schools = models.TextField("Names of the other schools (audience)", blank=True)
    audience_others_details = models.TextField("Details of the others (audience)", blank=True)

    # 4. Proposed contributors (the same seven choices)
    contributors_pupils = models.BooleanField("Pupils of the school", default=False)
    contributors_staff = models.BooleanField("Staff", default=False)
    contributors_families = models.BooleanField("Pupils' family members", default=False)
    contributors_other_pupils = models.BooleanField("Pupils from other schools", default=False)
    contributors_external_orgs = models.BooleanField("External organisations", default=False)
    contributors_public = models.BooleanField("Members of the public", default=False)
    contributors_others = models.BooleanField("Others", default=False)
    contributors_age_min = models.PositiveSmallIntegerField("Youngest pupil contributing", null=True, blank=True)
    contributors_age_max = models.PositiveSmallIntegerField("Oldest pupil contributing", null=True, blank=True)
    contributors_other_schools = models.TextField("Names of the other schools (contributors)", blank=True)
    contributors_others_details = models.TextField("Details of the others (contributors)", blank=True)
    contributors_learning_disabilities = models.BooleanField(
        "Contributors include adults with learning disabilities", default=False
    )

    # 5. Administration (administrators and moderators are SiteRole rows)
    vetting_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="Who will vet external contributors?",
    )
    hosting = models.CharField("Who will host the site?", max_length=12, choices=Hosting.choices, blank=True)
    host_platform = models.ForeignKey(
        HostPlatform, null=True, blank=True, on_delete=models.PROTECT, related_name="sites", verbose_name="Host name"
    )
    address = models.URLField("Web address of the site", blank=True)
    go_live_on = models.DateField("Proposed date of going live", null=True, blank=True)
    closes_on = models.DateField("Proposed date for site closure", null=True, blank=True)
    advertising_plan = models.TextField("How do you propose to advertise for external contributors?", blank=True)
    consent_plan = models.TextField(
        "If contributors include children or adults with learning disabilities how do you propose to inform and "
        "obtain consent of parents or responsible adults?",
        blank=True,
    )
    security_measures = models.TextField(
        "What security measures will you take to prevent unwanted or unsuitable individuals from contributing or "
        "becoming 'friends' of the site?",
        blank=True,
    )
    # What Appendix A asks that the paper form forgets
    terms_of_use = models.TextField("Terms of Use (A.4.1)", blank=True)
    house_rules = models.TextField("House Rules, one per line (A.4.1)", blank=True)
    allow_text = models.BooleanField("Contributors may add their own text", default=False)
    allow_comments = models.BooleanField("Contributors may comment", default=False)
    allow_images = models.BooleanField("Contributors may upload images", default=False)
    wants_logo = models.BooleanField("Use of the school logo and brand is requested (A.3.5)", default=False)
    staff_posts_skip_premoderation = models.BooleanField(
        "Staff posts that pass screening may skip pre-moderation", default=False
    )

    # Life of the form and the site
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    live_since = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    neglected_since = models.DateTimeField(null=True, blank=True, help_text="Flagged as neglected (A.1.6)")
    rejection_reason = models.TextField(blank=True)
    evaluation = models.CharField(max_length=10, choices=Evaluation.choices, blank=True)
    evaluation_notes = models.TextField("Evaluation against the stated aims (A.1.7)", blank=True)

    class Meta:
        ordering = ["school__name", "title"]
        indexes = [models.Index(fields=["school", "state"])]
        constraints = [
            # A draft stores whatever its author has typed so far (the rule is reported on submit, with all the
            # others); once a form leaves its author, it must close after it goes live (A.1.6).
            models.CheckConstraint(
                condition=Q(state__in=["draft", "returned"])
                | Q(closes_on__isnull=True)
                | Q(go_live_on__isnull=True)
                | Q(closes_on__gt=models.F("go_live_on")),
                name="site_closes_after_go_live_once_submitted",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_participation(self) -> bool:
        return self.kind == SiteKind.PARTICIPATION

    @property
    def house_rules_list(self) -> list[str]:
        """House Rules numbered from 1, so moderators can cite "House Rule 3"."""
        return [line.strip() for line in self.house_rules.splitlines() if line.strip()]

    @property
    def is_school_hosted(self) -> bool:
        return self.kind == SiteKind.OWN and self.hosting == Hosting.SCHOOL

    @property
    def uses_logo(self) -> bool:
        """A school-hosted site always carries the school logo or brand (A.4.7); on a third-party host its use is
        what the form asks for (A.3.5). Either way the approvers' signatures cover it."""
        return self.is_school_hosted or self.wants_logo

    @property
    def pupils_involved(self) -> bool:
        return any(
            (self.audience_pupils, self.audience_other_pupils, self.contributors_pupils, self.contributors_other_pupils)
        )

    @property
    def has_external_contributors(self) -> bool:
        return any(
            (
                self.contributors_families,
                self.contributors_other_pupils,
                self.contributors_external_orgs,
                self.contributors_public,
                self.contributors_others,
            )
        )

    @property
    def youngest_age(self) -> int | None:
        ages = [a for a in (self.audience_age_min, self.contributors_age_min) if a is not None]
        return min(ages) if ages else None

    def days_to_closure(self, today: dt.date) -> int | None:
        return (self.closes_on - today).days if self.closes_on else None


class SiteRoleKind(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    MODERATOR = "moderator", "Moderator"
    PARTICIPANT = "participant", "Takes part on the school's behalf"


class SiteRole(models.Model):
    """An administrator or moderator of a site (A.3.1, A.5.4), or a person taking part for the school (A.3.3)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="site_roles")
    role = models.CharField(max_length=15, choices=SiteRoleKind.choices)
    is_cover = models.BooleanField(default=False, help_text="Named as cover during leave or turnover (A.1.5)")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["role", "user__last_name", "user__first_name"]
        constraints = [models.UniqueConstraint(fields=["site", "user", "role"], name="site_role_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.site}"


class Step(models.TextChoices):
    ICT = "ict", "ICT Manager"
    HEAD = "head", "Head of School/Headteacher"


class Decision(models.TextChoices):
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned for changes"
    REJECTED = "rejected", "Rejected"


class ExtensionState(models.TextChoices):
    WITH_ICT = "with_ict", "With the ICT Manager"
    WITH_HEAD = "with_head", "With the Head of School"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ClosureExtension(models.Model):
    """A request to move a site's closure date, which needs a fresh approval (A.1.6)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    closes_on_before = models.DateField()
    closes_on_requested = models.DateField("New closure date")
    reason = models.TextField("Why the site should stay open longer")
    state = models.CharField(max_length=10, choices=ExtensionState.choices, default=ExtensionState.WITH_ICT)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["site"],
                condition=Q(state__in=["with_ict", "with_head"]),
                name="one_open_extension_per_site",
            )
        ]

    def __str__(self) -> str:
        return f"Extend {self.site} to {self.closes_on_requested:%d/%m/%Y}"


class Signature(models.Model):
    """One approver's decision on the exact form content they saw (A.3.2, A.3.5): a signature, or a return or
    rejection with its reason. Invalidated, never deleted, when the form changes after it."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="signatures")
    extension = models.ForeignKey(
        ClosureExtension, null=True, blank=True, on_delete=models.CASCADE, related_name="signatures"
    )
    step = models.CharField(max_length=5, choices=Step.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="site_signatures")
    role = models.CharField(max_length=20, help_text="The role the approver signed in (accounts.Role)")
    signed_at = models.DateTimeField(default=timezone.now)
    content_sha256 = models.CharField(max_length=64)
    comment = models.TextField(blank=True)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidated_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["signed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.get_decision_display().lower()} {self.site} ({self.approver})"

    @property
    def is_valid(self) -> bool:
        return self.invalidated_at is None

    @property
    def role_label(self) -> str:
        """The role signed in, as people say it ("Head of School", not "head")."""
        return str(Role(self.role).label) if self.role in Role.values else self.role


class NoticeKind(models.TextChoices):
    CLOSURE_30 = "closure_30", "Closes in 30 days"
    CLOSURE_7 = "closure_7", "Closes in 7 days"
    CLOSURE_1 = "closure_1", "Closes tomorrow"
    NEGLECT = "neglect", "Neglected (A.1.6)"
    COVER = "cover", "Moderator cover needed (A.1.5, A.5.4)"


class SiteNotice(models.Model):
    """A lifecycle reminder or alert that was sent, so each goes once (``key`` says once per what)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    key = models.CharField(max_length=200)
    sent_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["site", "kind", "key"], name="site_notice_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.site}"
