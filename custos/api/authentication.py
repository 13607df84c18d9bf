"""``Authorization: Bearer <token>`` for the REST API. A request is the integration's, scoped to its school."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from custos.api import actions, tokens
from custos.api.models import ApiToken


@dataclass(frozen=True)
class Integration:
    """Stands in for ``request.user`` on API requests: never a person, never staff, never a session."""

    token: ApiToken

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None

    @property
    def school(self) -> Any:
        return self.token.school


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Integration, ApiToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        keyword, _, secret = header.partition(" ")
        secret = secret.strip()
        if keyword.lower() != self.keyword.lower() or not secret or " " in secret or len(secret) > 200:
            raise exceptions.AuthenticationFailed("Send the token as 'Authorization: Bearer <token>'.")
        token = ApiToken.objects.select_related("school").filter(secret_sha256=tokens.digest(secret)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("This token is not recognised.")
        if token.revoked_at is not None:
            when = timezone.localtime(token.revoked_at).strftime("%d/%m/%Y %H:%M")
            raise exceptions.AuthenticationFailed(f"This token was revoked at {when}; ask your ICT Manager.")
        return Integration(token), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="custos"'


class HasScope(BasePermission):
    """The view names its ``required_scope``; a token without it is refused with 403."""

    message = "This token does not have the scope this operation needs."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, ApiToken):
            raise exceptions.NotAuthenticated("Send a token as 'Authorization: Bearer <token>'.")
        scope = getattr(view, "required_scope", None)
        if scope is None or not request.auth.has_scope(scope):
            self.message = f"This token does not have the '{scope}' scope; ask your ICT Manager for one that does."
            return False
        return True


class TokenRateThrottle(BaseThrottle):
    """Per-token limit per minute, counted in the database (shared by every web process)."""

    def allow_request(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        return actions.take_request(token, limit=settings.CUSTOS_API_REQUESTS_PER_MINUTE)

    def wait(self) -> float | None:
        return 60.0
