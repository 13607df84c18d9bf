"""Staff compliance: conflict-of-interest contacts (6.4) and official posts approved before they go out (A.3.4, A.4).

Family members who are pupils (6.2, 6.3) are ``accounts.FamilyLink``; this app records them through its actions.
Every record that a decision rests on keeps the ``PolicyVersion`` in force when it was made.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ContactDeclaration(models.Model):
    """Contact through personal social media with a pupil's family member that could be a conflict of interest
    or call the staff member's objectivity into question (6.4), declared so that the AHT Pastoral knows."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_declarations")
    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, related_name="contact_declarations")
    pupil = models.ForeignKey(
        "accounts.Pupil", null=True, blank=True, on_delete=models.SET_NULL, related_name="contact_declarations"
    )
    family_member = models.CharField("Name of the family member", max_length=200)
    relationship_to_pupil = models.CharField("Their relationship to the pupil", max_length=60)
    platform = models.CharField("Where you are in contact", max_length=120, help_text="e.g. Facebook, WhatsApp group")
    nature = models.TextField("How you know them and why it could be a conflict of interest")
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-declared_at"]

    def __str__(self) -> str:
        return f"{self.staff}: contact with {self.family_member} ({self.relationship_to_pupil})"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class PostState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for approval"
    RETURNED = "returned", "Returned for changes"
    READY = "ready", "Approved: ready to post on the third-party site"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Which state may follow which (A.3.4): edits after approval go back for approval (SUBMITTED).
POST_TRANSITIONS: dict[str, frozenset[str]] = {
    PostState.DRAFT: frozenset({PostState.SUBMITTED, PostState.WITHDRAWN}),
    PostState.SUBMITTED: frozenset(
        {PostState.SUBMITTED, PostState.READY, PostState.PUBLISHED, PostState.RETURNED, PostState.WITHDRAWN}
    ),
    PostState.RETURNED: frozenset({PostState.SUBMITTED, PostState.WITHDRAWN}),
    PostState.READY: frozenset({PostState.PUBLISHED, PostState.SUBMITTED, PostState.WITHDRAWN}),
    PostState.PUBLISHED: frozenset({PostState.SUBMITTED, PostState.WITHDRAWN}),
    PostState.WITHDRAWN: frozenset(),
}
EDITABLE_POST_STATES = frozenset(
    {PostState.DRAFT, PostState.SUBMITTED, PostState.RETURNED, PostState.READY, PostState.PUBLISHED}
)


class OfficialPost(models.Model):
    """Content a member of staff contributes to an approved official site, approved by the Head of School and
    the ICT Manager before it goes out (A.3.4); it names its author and their position (A.4.8)."""

    site = models.ForeignKey("custos_sites.Site", on_delete=models.PROTECT, related_name="official_posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="official_posts")
    author_position = models.CharField(
        "Your position in the school (A.4.8)", max_length=120, help_text="Shown with the post, e.g. Head of Science"
    )
    title = models.CharField(max_length=200)
    body = models.TextField("Text of the post")
    state = models.CharField(max_length=12, choices=PostState.choices, default=PostState.DRAFT)
    content_sha256 = models.CharField(max_length=64, blank=True)
    findings = models.JSONField(default=list, blank=True, help_text="Screening findings when last submitted")
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_where = models.URLField("Address of the post on the third-party site", blank=True)
    return_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["site", "state"])]

    def __str__(self) -> str:
        return self.title


# The extension of a stored image follows what it was re-encoded as (custos/community/images.py), never the upload.
POST_IMAGE_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}


def post_image_path(instance: PostImage, filename: str) -> str:
    """A name we choose: the uploader's file name can name a pupil (A.5.2, 5.4), so only the extension is kept."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in POST_IMAGE_EXTENSIONS.values():
        extension = "bin"
    return f"official-posts/{instance.post_id}/{uuid.uuid4().hex}.{extension}"


class PostImage(models.Model):
    """An image of an official post, stored only as re-encoded by ``custos.community.images.clean_image``: no EXIF,
    GPS, XMP or other metadata survives, so a photo cannot say where a pupil lives (A.5.2, 5.4, A.4.9)."""

    post = models.ForeignKey(OfficialPost, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=post_image_path)
    # "image/jpeg" or "image/png" as re-encoded; blank only for an image stored before re-encoding began.
    content_type = models.CharField(max_length=20, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    alt_text = models.CharField("Description of the image for people who cannot see it", max_length=300)
    sha256 = models.CharField(max_length=64)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.alt_text


class ApprovalStep(models.TextChoices):
    ICT = "ict", "ICT Manager"
    HEAD = "head", "Head of School"


class PostDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned for changes"


class PostApproval(models.Model):
    """One approver's decision on one exact content of a post (A.3.4); an edit invalidates it."""

    post = models.ForeignKey(OfficialPost, on_delete=models.CASCADE, related_name="approvals")
    step = models.CharField(max_length=5, choices=ApprovalStep.choices)
    decision = models.CharField(max_length=10, choices=PostDecision.choices)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    content_sha256 = models.CharField(max_length=64)
    comment = models.TextField(blank=True)
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    invalidated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            # One live approval per step for one content: two approvers clicking at once cannot both count.
            models.UniqueConstraint(
                fields=["post", "step", "content_sha256"],
                condition=Q(invalidated_at__isnull=True, decision="approved"),
                name="one_live_approval_per_step",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.get_decision_display().lower()} {self.post}"
