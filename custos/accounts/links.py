"""One-time sign-in links (issue 15): the first administrator's from ``setup_trust``, and invitations. A link works
once, for 24 hours; only the SHA-256 of its token is stored, and issuing a new one revokes the person's older ones."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from custos.accounts.models import SignInLink, User
from custos.audit.actions import record

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
