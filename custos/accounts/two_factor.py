"""TOTP second factor (django-otp) for the roles that can see the most."""

from __future__ import annotations

import time
from typing import Any

import segno
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.accounts.models import PRIVILEGED_ROLES


def needs_second_factor(user: Any) -> bool:
    # A superuser or Django-admin account is held to the second factor like the privileged roles (issue 15, item 8).
    if user.is_superuser or user.is_staff:
        return True
    return not user.all_current_roles().isdisjoint(PRIVILEGED_ROLES)


def is_verified(user: Any) -> bool:
    """True once this session has passed a second factor (django-otp's OTPMiddleware sets is_verified)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: Any) -> TOTPDevice:
    """The unconfirmed device a person is setting up (made once, kept until they confirm it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=5, title="Authenticator set-up code")


def was_just_used(device: TOTPDevice, token: str) -> bool:
    """True when ``token`` is a right code that already signed this person in: each code works once, so signing in
    again within its 30 seconds needs the next one."""
    try:
        value = int(token)
    except ValueError:
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return bool(totp.verify(value, device.tolerance)) and totp.t() <= device.last_t
