"""Signing in with OpenID Connect (issue 10): match the person by their verified school email, never create
accounts, and accept the provider's second factor only when its ID token asserts one (``amr`` has ``mfa``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from custos.accounts.models import User
from custos.audit.actions import record
from custos.sso.models import IdpAssertedDevice
from custos.sso.providers import ProviderConfig

ASK_ICT = "Ask your school's ICT Manager to check your account."


class SignInRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SignIn:
    user: User
    device: IdpAssertedDevice | None


def _refuse(provider: ProviderConfig, issuer: str, email: str, reason: str, message: str) -> SignInRefused:
    with transaction.atomic():
        record(
            None,
            "sso.refused",
            changes={"provider": provider.name, "issuer": issuer, "email": email[:254], "reason": reason},
        )
    return SignInRefused(message)


def sign_in(provider: ProviderConfig, claims: Mapping[str, Any]) -> SignIn:
    """The person the ID token's claims name, or ``SignInRefused`` with what to tell them. Audited either way."""
    issuer = str(claims.get("iss", ""))
    email = str(claims.get("email") or "").strip()
    if not email or "@" not in email:
        raise _refuse(
            provider, issuer, email, "no email", f"{provider.label} did not tell us your email address. {ASK_ICT}"
        )
    if claims.get("email_verified") is not True:
        raise _refuse(
            provider,
            issuer,
            email,
            "email not verified",
            f"{provider.label} has not verified the email address {email}, so it cannot be used to sign in. {ASK_ICT}",
        )
    domain = email.rsplit("@", 1)[1].lower()
    if domain not in provider.domains:
        raise _refuse(
            provider,
            issuer,
            email,
            "domain not allowed",
            f"{email} is not a school email address for this Trust. Sign in with your school account.",
        )
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        raise _refuse(
            provider,
            issuer,
            email,
            "unknown email",
            f"There is no Custos account for {email}. Accounts are never made automatically: ask your school's "
            "ICT Manager to add you.",
        )
    amr = claims.get("amr") or []
    asserted_mfa = isinstance(amr, list) and "mfa" in amr
    with transaction.atomic():
        device = None
        if asserted_mfa:
            device, _ = IdpAssertedDevice.objects.get_or_create(
                user=user, issuer=issuer, defaults={"name": f"{provider.label} ({issuer})"[:64], "confirmed": True}
            )
            record(
                user,
                "sso.second_factor_asserted",
                user,
                changes={"issuer": issuer, "amr": amr},
                school_id=user.school_id,
            )
        record(
            user,
            "sso.signed_in",
            user,
            changes={"provider": provider.name, "issuer": issuer, "second_factor_asserted": asserted_mfa},
            school_id=user.school_id,
        )
    return SignIn(user, device if device is not None and device.confirmed else None)
