from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from custos.accounts.two_factor import is_verified, needs_second_factor

# Pages a privileged person may reach before proving their second factor.
_OPEN_PREFIXES = ("/account/two-factor/", "/account/logout/", "/static/")


class SecondFactorRequiredMiddleware:
    """ICT Managers, Heads, Executive Headteachers, DSLs and HR reach nothing until they pass TOTP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and needs_second_factor(user)
            and not is_verified(user)
        ):
            return redirect(f"{reverse('two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
