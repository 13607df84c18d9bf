"""Every write of the staff app: declarations (6.2–6.4), leaving (6.7) and official posts (A.3.4, A.4).

Each function is atomic and writes its audit event in the same transaction; mail is queued in it too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from custos.accounts.models import FamilyLink, Kind, Pupil, Role, User
from custos.audit.actions import record
from custos.community.images import CleanImage
from custos.mail.actions import queue_email
from custos.policy.actions import current_version
from custos.staff import screening
from custos.staff.models import (
    EDITABLE_POST_STATES,
    POST_IMAGE_EXTENSIONS,
    POST_TRANSITIONS,
    ApprovalStep,
    ContactDeclaration,
    OfficialPost,
    PostApproval,
    PostDecision,
    PostImage,
    PostState,
)


class StaffActionError(Exception):
    """Refused, with a reason the person can act on (and the clause)."""


def _link(name: str, *args: Any) -> str:
    return settings.SITE_URL + reverse(name, args=args)


# --- Declarations: family members who are pupils (6.2, 6.3) and conflict-of-interest contacts (6.4) -----------


def declare_family_member(staff: User, *, pupil: Pupil, relationship: str) -> FamilyLink:
    if staff.kind != Kind.STAFF:
        raise StaffActionError("Only staff members declare family members who are pupils (6.2).")
    relationship = relationship.strip()
    if not relationship:
        raise StaffActionError("Say how the pupil is related to you, e.g. son, niece (6.3).")
    with transaction.atomic():
        if FamilyLink.objects.filter(staff=staff, pupil=pupil).exists():
            raise StaffActionError(f"You have already declared {pupil.known_as} as a family member.")
        try:
            with transaction.atomic():
                link = FamilyLink.objects.create(staff=staff, pupil=pupil, relationship=relationship)
        except IntegrityError:
            raise StaffActionError(f"You have already declared {pupil.known_as} as a family member.") from None
        record(
            staff,
            "staff.family_member_declared",
            link,
            changes={"pupil": pupil.pk, "relationship": relationship, "clauses": ["6.2", "6.3"]},
            school_id=pupil.school_id,
        )
    return link


def withdraw_family_member(link: FamilyLink, *, by: User) -> None:
    with transaction.atomic():
        deleted, _ = FamilyLink.objects.filter(pk=link.pk).delete()
        if deleted:
            record(
                by,
                "staff.family_member_withdrawn",
                None,
                changes={"staff": link.staff_id, "pupil": link.pupil_id, "relationship": link.relationship},
                school_id=link.pupil.school_id,
            )


def declare_contact(staff: User, **fields: Any) -> ContactDeclaration:
    school = staff.school
    if staff.kind != Kind.STAFF or school is None:
        raise StaffActionError("Only staff members of a school declare contacts with pupils' families (6.4).")
    pupil: Pupil | None = fields.get("pupil")
    if pupil is not None and pupil.school.trust_id != school.trust_id:
        raise StaffActionError("That pupil is not at a school of the Trust.")
    with transaction.atomic():
        declaration = ContactDeclaration.objects.create(
            staff=staff, school=pupil.school if pupil else school, policy_version=current_version(), **fields
        )
        record(
            staff,
            "staff.contact_declared",
            declaration,
            changes={"pupil": pupil.pk if pupil else None, "platform": declaration.platform, "clauses": ["6.4"]},
        )
    return declaration


def end_contact(declaration: ContactDeclaration, *, by: User, note: str = "") -> None:
    with transaction.atomic():
        won = ContactDeclaration.objects.filter(pk=declaration.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), ended_note=note[:200]
        )
        if not won:
            raise StaffActionError("This contact was already marked as ended.")
        record(by, "staff.contact_ended", declaration, changes={"note": note[:200], "clauses": ["6.4"]})


# --- Leaving (6.7) ---------------------------------------------------------------------------------------------


def record_leaving_date(user: User, ends_on: dt.date, *, by: User) -> None:
    """Record when ``user`` leaves and remind them, by email, that 6.7 still applies after they go."""
    if user.kind != Kind.STAFF:
        raise StaffActionError("Leaving dates are recorded for staff members only (6.7).")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = locked.employment_ends_on
        if before == ends_on:
            return
        User.objects.filter(pk=user.pk).update(employment_ends_on=ends_on)
        user.employment_ends_on = ends_on
        record(
            by,
            "staff.leaving_date_recorded",
            user,
            changes={"employment_ends_on": [before, ends_on], "clauses": ["6.7"]},
            school_id=user.school_id,
        )
        queue_email(user, "staff_leaving_reminder", {"ends_on": ends_on, "policy_link": _link("clause", "6.7")})


# --- Official posts (A.3.4, A.4.2–A.4.10) ----------------------------------------------------------------------


def _check(post: OfficialPost, to: str) -> None:
    if to not in POST_TRANSITIONS[post.state]:
        raise StaffActionError(
            f"This post is {post.get_state_display().lower()}: it cannot become {PostState(to).label.lower()}."
        )


def _move(post: OfficialPost, to: str, **fields: Any) -> None:
    """Change state only if nobody else changed it first (conditional UPDATE): exactly one of two wins."""
    _check(post, to)
    fields["updated_at"] = timezone.now()
    won = OfficialPost.objects.filter(pk=post.pk, state=post.state).update(state=to, **fields)
    if not won:
        raise StaffActionError("Someone else acted on this post at the same moment. Reload the page to see it.")
    post.state = to
    for name, value in fields.items():
        setattr(post, name, value)


def content_hash(post: OfficialPost) -> str:
    digest = hashlib.sha256()
    for part in (post.title, post.body, post.author_position):
        digest.update(part.encode("utf-8") + b"\x00")
    for image in post.images.order_by("pk"):
        digest.update(f"{image.sha256}:{image.alt_text}".encode() + b"\x00")
    return digest.hexdigest()


def check_post(post: OfficialPost) -> list[dict[str, Any]]:
    """What the screening check finds in the post's text now, as rows for a page; stores nothing (A.4)."""
    text = f"{post.title}\n{post.body}"
    return screening.as_rows(screening.screen_post(text, site=post.site, author=post.author), text)


def _approvers(post: OfficialPost) -> dict[str, list[User]]:
    from custos.sites.queries import approvers_of

    return approvers_of(post.site)


def _notify_approvers(post: OfficialPost) -> None:
    people = {person for group in _approvers(post).values() for person in group if person.pk != post.author_id}
    for person in people:
        queue_email(
            person,
            "staff_post_to_approve",
            {"post": post, "site": post.site, "link": _link("staff_post", post.pk)},
        )


def _require_position(position: str) -> str:
    position = position.strip()
    if not position:
        raise StaffActionError("Give your position in the school: official posts must show it (A.4.8).")
    return position


def start_post(site: Any, *, author: User, title: str, body: str, author_position: str) -> OfficialPost:
    from custos.sites.queries import postable_sites

    if not postable_sites(site.school).filter(pk=site.pk).exists():
        raise StaffActionError("Posts can be drafted only for approved official sites (A.3.2, A.3.4).")
    with transaction.atomic():
        post = OfficialPost.objects.create(
            site=site, author=author, title=title, body=body, author_position=_require_position(author_position)
        )
        post.content_sha256 = content_hash(post)
        post.save(update_fields=["content_sha256"])
        record(author, "staff.post_drafted", post, changes={"site": site.pk}, school_id=site.school_id)
    return post


def _after_edit(post: OfficialPost, *, by: User, what: str) -> None:
    """Any change to the content: a post that was submitted or approved goes back for approval (A.3.4)."""
    new_hash = content_hash(post)
    if new_hash == post.content_sha256:
        return
    was = post.state
    OfficialPost.objects.filter(pk=post.pk).update(content_sha256=new_hash, updated_at=timezone.now())
    post.content_sha256 = new_hash
    if was in (PostState.SUBMITTED, PostState.READY, PostState.PUBLISHED):
        PostApproval.objects.filter(post=post, invalidated_at__isnull=True).update(invalidated_at=timezone.now())
        _move(post, PostState.SUBMITTED, approved_at=None, published_at=None, findings=check_post(post))
        _notify_approvers(post)
    record(by, "staff.post_edited", post, changes={"what": what, "from_state": was, "state": post.state})


def edit_post(post: OfficialPost, *, by: User, title: str, body: str, author_position: str) -> None:
    with transaction.atomic():
        locked = OfficialPost.objects.select_for_update(of=("self",)).select_related("site__school").get(pk=post.pk)
        if locked.state not in EDITABLE_POST_STATES:
            raise StaffActionError(f"A {locked.get_state_display().lower()} post cannot be edited.")
        locked.title, locked.body = title, body
        locked.author_position = _require_position(author_position)
        locked.save(update_fields=["title", "body", "author_position"])
        _after_edit(locked, by=by, what="text")
    post.refresh_from_db()


def add_image(post: OfficialPost, *, image: CleanImage, alt_text: str, by: User) -> PostImage:
    """Store ``image`` as re-encoded by ``clean_image`` (never the upload itself): no EXIF, GPS or XMP metadata is
    kept, so a photo cannot say where a pupil lives (A.5.2, 5.4, A.4.9). The post goes back for approval (A.3.4)."""
    extension = POST_IMAGE_EXTENSIONS.get(image.content_type) if isinstance(image, CleanImage) else None
    if extension is None:
        raise StaffActionError("Only images checked and re-encoded as JPEG or PNG can be added (A.5.2).")
    with transaction.atomic():
        locked = OfficialPost.objects.select_for_update(of=("self",)).select_related("site__school").get(pk=post.pk)
        if locked.state not in EDITABLE_POST_STATES:
            raise StaffActionError(f"A {locked.get_state_display().lower()} post cannot be edited.")
        stored = PostImage(
            post=locked,
            alt_text=alt_text.strip(),
            sha256=hashlib.sha256(image.data).hexdigest(),
            content_type=image.content_type,
            width=image.width,
            height=image.height,
        )
        stored.image.save(f"image.{extension}", ContentFile(image.data), save=False)
        stored.save()
        _after_edit(locked, by=by, what="image added")
    post.refresh_from_db()
    return stored


def remove_image(image: PostImage, *, by: User) -> None:
    with transaction.atomic():
        locked = (
            OfficialPost.objects.select_for_update(of=("self",)).select_related("site__school").get(pk=image.post_id)
        )
        if locked.state not in EDITABLE_POST_STATES:
            raise StaffActionError(f"A {locked.get_state_display().lower()} post cannot be edited.")
        PostImage.objects.filter(pk=image.pk).delete()
        _after_edit(locked, by=by, what="image removed")


def submit_post(post: OfficialPost, *, by: User) -> list[dict[str, Any]]:
    """Send the post to the Head of School and ICT Manager (A.3.4). Serious findings must be fixed first (A.4)."""
    with transaction.atomic():
        locked = (
            OfficialPost.objects.select_for_update(of=("self",))
            .select_related("site__school", "author")
            .get(pk=post.pk)
        )
        if locked.state not in (PostState.DRAFT, PostState.RETURNED):
            raise StaffActionError(f"This post is {locked.get_state_display().lower()}: it cannot be sent again.")
        findings = check_post(locked)
        must_change = [f for f in findings if f["blocking"]]
        if must_change:
            clauses = sorted({c for f in must_change for c in f["clauses"]})
            raise StaffActionError(
                f"Change what the check marks 'Must change' (listed under \"What the check found\" on this page) "
                f"before sending the post ({', '.join(clauses)})."
            )
        _move(
            locked,
            PostState.SUBMITTED,
            findings=findings,
            submitted_at=timezone.now(),
            policy_version=current_version(),
            return_reason="",
        )
        record(by, "staff.post_submitted", locked, changes={"findings": len(findings), "clauses": ["A.3.4"]})
        _notify_approvers(locked)
    post.refresh_from_db()
    return findings


def steps_for(user: User, post: OfficialPost) -> list[str]:
    """The approval steps ``user`` may take on ``post``: never on their own post (A.3.4)."""
    if user.pk == post.author_id or not user.is_active or user.kind != Kind.STAFF:
        return []
    approvers = _approvers(post)
    return [step for step in (ApprovalStep.ICT, ApprovalStep.HEAD) if user in approvers[step]]


def live_approvals(post: OfficialPost) -> list[PostApproval]:
    """The approvals that count for the post's current content (an edit or a return ends them) (A.3.4)."""
    return list(
        PostApproval.objects.filter(
            post=post,
            content_sha256=post.content_sha256,
            invalidated_at__isnull=True,
            decision=PostDecision.APPROVED,
        ).select_related("approver")
    )


def open_steps_for(user: User, post: OfficialPost, live: list[PostApproval]) -> list[str]:
    """The steps ``user`` may still decide on now: none once they have approved one step (a second person must
    approve the other), and never a step someone has already signed for this content (A.3.4)."""
    if post.state != PostState.SUBMITTED or any(a.approver_id == user.pk for a in live):
        return []
    signed = {a.step for a in live}
    return [step for step in steps_for(user, post) if step not in signed]


def when(moment: dt.datetime) -> str:
    return dateformat.format(timezone.localtime(moment), "j M Y, H:i")


def _already_signed(signed: PostApproval, by: User) -> str:
    if signed.approver_id == by.pk:
        return f"You already approved this step on {when(signed.decided_at)}."
    return (
        f"This step has already been approved by someone else ({signed.approver}, {when(signed.decided_at)}): "
        "there is nothing more to do for it (A.3.4)."
    )


def approve_post(post: OfficialPost, *, by: User, step: str, seen_sha256: str, comment: str = "") -> None:
    """Approve the exact content ``by`` saw. With both the ICT Manager's and the Head's approval, a post for a
    school-hosted site is published; one for a third-party site is ready to be posted (A.3.4)."""
    with transaction.atomic():
        locked = OfficialPost.objects.select_for_update(of=("self",)).select_related("site__school").get(pk=post.pk)
        if by.pk == locked.author_id:
            raise StaffActionError("You cannot approve your own post: another approver must (A.3.4).")
        if step not in steps_for(by, locked):
            raise StaffActionError("Only the school's ICT Manager and Head of School approve official posts (A.3.4).")
        if locked.state != PostState.SUBMITTED:
            raise StaffActionError(f"This post is {locked.get_state_display().lower()}: there is nothing to approve.")
        if seen_sha256 != locked.content_sha256:
            raise StaffActionError("The post changed while you were reading it. Read the new version, then decide.")
        live = PostApproval.objects.filter(
            post=locked, content_sha256=locked.content_sha256, invalidated_at__isnull=True
        )
        signed = live.filter(step=step, decision=PostDecision.APPROVED).select_related("approver").first()
        if signed is not None:
            raise StaffActionError(_already_signed(signed, by))
        if live.filter(approver=by, decision=PostDecision.APPROVED).exists():
            raise StaffActionError("You have approved the other step: a second person must approve this one (A.3.4).")
        try:
            with transaction.atomic():
                PostApproval.objects.create(
                    post=locked,
                    step=step,
                    decision=PostDecision.APPROVED,
                    approver=by,
                    content_sha256=locked.content_sha256,
                    comment=comment,
                    policy_version=current_version(),
                )
        except IntegrityError:
            # Only reachable if another approval slipped past the row lock: still one wins, the other is told.
            raise StaffActionError("This step has already been approved by someone else.") from None
        record(by, "staff.post_approved", locked, changes={"step": step, "clauses": ["A.3.4"]})
        approved_steps = set(live.filter(decision=PostDecision.APPROVED).values_list("step", flat=True))
        if approved_steps >= {ApprovalStep.ICT, ApprovalStep.HEAD}:
            now = timezone.now()
            if screening.venue_of(locked.site) == screening.Venue.SCHOOL_SITE:
                _move(locked, PostState.PUBLISHED, approved_at=now, published_at=now)
                record(by, "staff.post_published", locked, changes={"site": locked.site_id, "clauses": ["A.3.4"]})
            else:
                _move(locked, PostState.READY, approved_at=now)
            queue_email(locked.author, "staff_post_decided", {"post": locked, "link": _link("staff_post", locked.pk)})
    post.refresh_from_db()


def return_post(post: OfficialPost, *, by: User, step: str, reason: str) -> None:
    reason = reason.strip()
    if not reason:
        raise StaffActionError("Say what needs to change, so the author can put it right (A.3.4).")
    with transaction.atomic():
        locked = OfficialPost.objects.select_for_update(of=("self",)).select_related("site__school").get(pk=post.pk)
        if step not in steps_for(by, locked):
            raise StaffActionError("Only the school's ICT Manager and Head of School approve official posts (A.3.4).")
        if locked.state != PostState.SUBMITTED:
            raise StaffActionError(f"This post is {locked.get_state_display().lower()}: it cannot be returned now.")
        PostApproval.objects.filter(post=locked, invalidated_at__isnull=True).update(invalidated_at=timezone.now())
        PostApproval.objects.create(
            post=locked,
            step=step,
            decision=PostDecision.RETURNED,
            approver=by,
            content_sha256=locked.content_sha256,
            comment=reason,
            policy_version=current_version(),
        )
        _move(locked, PostState.RETURNED, return_reason=reason)
        record(by, "staff.post_returned", locked, changes={"step": step, "reason": reason, "clauses": ["A.3.4"]})
        queue_email(locked.author, "staff_post_decided", {"post": locked, "link": _link("staff_post", locked.pk)})
    post.refresh_from_db()


def record_posted(post: OfficialPost, *, by: User, where: str) -> None:
    """For a third-party site: who posted the approved text where, and when (A.3.4)."""
    with transaction.atomic():
        locked = OfficialPost.objects.select_for_update().get(pk=post.pk)
        if locked.state != PostState.READY:
            raise StaffActionError(
                f"This post is {locked.get_state_display().lower()}: only approved posts are posted."
            )
        _move(locked, PostState.PUBLISHED, published_at=timezone.now(), posted_by=by, posted_where=where)
        record(by, "staff.post_posted", locked, changes={"where": where, "clauses": ["A.3.4"]})
    post.refresh_from_db()


def withdraw_post(post: OfficialPost, *, by: User) -> None:
    with transaction.atomic():
        locked = OfficialPost.objects.select_for_update().get(pk=post.pk)
        _move(locked, PostState.WITHDRAWN)
        record(by, "staff.post_withdrawn", locked)
    post.refresh_from_db()


def holds_approver_role(user: User, school: Any) -> bool:
    return not user.roles_at(school).isdisjoint({Role.ICT_MANAGER, Role.HEAD_OF_SCHOOL, Role.EXECUTIVE_HEADTEACHER})
