"""A second factor the identity provider proved (OpenID Connect ``amr`` contains ``mfa``), for django-otp."""

from __future__ import annotations

from django.db import models
from django_otp.models import Device


class IdpAssertedDevice(Device):
    """Stands for "the identity provider checked a second factor". It never accepts a code typed in here: a
    session is only marked verified with it right after a sign-in whose ID token asserted MFA."""

    issuer: models.CharField[str, str] = models.CharField(max_length=300)

    class Meta(Device.Meta):
        verbose_name = "second factor asserted by an identity provider"
        constraints = [models.UniqueConstraint(fields=["user", "issuer"], name="idp_device_once_per_issuer")]

    def verify_token(self, token: object) -> bool:
        return False

    def is_interactive(self) -> bool:
        return False
