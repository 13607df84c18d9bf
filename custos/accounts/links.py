"""One-time sign-in links (issue 15): the first administrator's from ``setup_trust``, and invitations. A link works
once, for 24 hours; only the SHA-256 of its token is stored, and issuing a new one revokes the person's older ones."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from custos.accounts.models import Kind, LinkPurpose, School, SignInLink, User
from custos.audit.actions import record
from custos.mail.actions import queue_email

LINK_HOURS = 24


class LinkNotUsable(Exception):
    """The link was used already, has expired, was replaced by a newer one, or never existed."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('welcome', args=[token])}"


def issue_link(user: User, *, purpose: str, by: Any, hours: int = LINK_HOURS) -> str:
    """A new one-time link for ``user`` (returned as its token, shown once); their earlier unused links stop
    working. Call inside the transaction that makes the change the link is for."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        SignInLink.objects.usable(now).filter(user=user).update(revoked_at=now)
        link = SignInLink.objects.create(
            user=user,
            purpose=purpose,
            token_sha256=_digest(token),
            created_by=by if getattr(by, "pk", None) else None,
            expires_at=now + dt.timedelta(hours=hours),
        )
        record(
            by,
            "sign_in_link.issued",
            user,
            school_id=user.school_id,
            changes={"link": link.pk, "purpose": purpose, "expires_at": link.expires_at},
        )
    return token


def usable_link(token: str) -> SignInLink | None:
    """The link ``token`` names, if it still works (for showing the page; using it is ``use_link``)."""
    if not token or len(token) > 100:
        return None
    return (
        SignInLink.objects.usable()
        .select_related("user")
        .filter(token_sha256=_digest(token), user__is_active=True)
        .first()
    )


def use_link(token: str, *, password: str) -> User:
    """Set the person's password through their link and spend it, or ``LinkNotUsable``. The conditional UPDATE lets
    exactly one of two uses at once through."""
    now = timezone.now()
    with transaction.atomic():
        link = usable_link(token)
        if link is None:
            raise LinkNotUsable
        spent = SignInLink.objects.usable(now).filter(pk=link.pk).update(used_at=now)
        if not spent:
            raise LinkNotUsable
        user = link.user
        user.set_password(password)
        user.save(update_fields=["password"])
        record(user, "sign_in_link.used", user, school_id=user.school_id, changes={"link": link.pk})
    return user


class NotInvited(Exception):
    """The person was not added; the message says why (someone else may have added them a moment ago)."""


def invite_staff_member(
    school: School, *, first_name: str, last_name: str, email: str, staff_type: str, job_title: str, by: User
) -> User:
    """Add a member of staff (2.1) at ``school`` and email them a one-time link to choose their password, all in
    one transaction, audited. Two people inviting the same address at once: the unique address lets one through;
    the other is told, and nothing of theirs is written."""
    address = email.strip().lower()
    if User.objects.filter(email__iexact=address).exists():
        raise NotInvited(f"{address} already has a Custos account: nothing changed.")
    try:
        with transaction.atomic():
            person = User.objects.create_user(
                username=address,
                email=address,
                password=None,
                first_name=first_name,
                last_name=last_name,
                job_title=job_title,
                kind=Kind.STAFF,
                staff_type=staff_type,
                school=school,
            )
            record(by, "user.created", person, changes={"email": address, "staff_type": staff_type})
            token = issue_link(person, purpose=LinkPurpose.INVITATION, by=by)
            queue_email(
                person,
                "staff_invitation",
                {"school": school, "invited_by": by.get_full_name() or by.get_username(), "link": link_url(token)},
            )
    except IntegrityError:
        raise NotInvited(
            f"{address} was added by someone else a moment ago: nothing of yours was saved. Check the list."
        ) from None
    return person
