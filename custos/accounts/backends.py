"""Sign in with a username or an email address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from custos.accounts.models import User


class UsernameOrEmailBackend(ModelBackend):
    """The sign-in page asks for an "email address or username". Staff usernames are their email addresses; pupils'
    are not (``pupil.<upn>``), so an address is looked up (case-insensitively; addresses are unique) and the
    password is then checked exactly as for a username, with the same timing whether or not it exists."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username and "@" in username:
            found = User.objects.filter(email__iexact=username.strip()).values_list("username", flat=True).first()
            if found:
                username = found
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        # ModelBackend gives a superuser every model permission; here the flag gives nothing (issue 15, item 8).
        if getattr(user_obj, "is_superuser", False):
            return set()
        return super().get_all_permissions(user_obj, obj)


def account_name(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """What django-axes counts failed sign-ins against (``AXES_USERNAME_CALLABLE``): the account, however it was
    named, so alternating between the address and the username does not double the attempts allowed."""
    typed = (credentials or {}).get("username") or (request.POST.get("username", "") if request is not None else "")
    typed = str(typed or "").strip()
    if "@" in typed:
        found = User.objects.filter(email__iexact=typed).values_list("username", flat=True).first()
        if found:
            return str(found)
    return typed
