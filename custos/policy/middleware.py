from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from custos.policy.queries import needs_acknowledgement

# What a member of staff may reach before confirming the policy: the policy itself (any version, its clauses and
# what changed), signing out, the second factor and static files. Everything else waits (sections 5 and 6), except
# safeguarding: reporting a concern and working a case are never held up by reading (A.2.3, A.5.6). A new starter
# who sees a child at risk on day one reports it, and the DSL keeps working cases the day a new version comes out.
_OPEN_PATHS = ("/policy/",)
_OPEN_PREFIXES = (
    "/cases/",
    "/policy/versions/",
    "/policy/clause/",
    "/policy/acknowledge/",
    "/account/logout/",
    "/account/two-factor/",
    "/static/",
    "/health/",
)


class PolicyAcknowledgementRequiredMiddleware:
    """Staff (2.1, contractors included) confirm they have read the version in force before anything else:
    new starters on their first sign-in, everyone again when a new version is published. Pupils and external
    members are not asked. One query per signed-in staff request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and request.path not in _OPEN_PATHS
            and not request.path.startswith(_OPEN_PREFIXES)
            and needs_acknowledgement(request.user) is not None
        ):
            return redirect(f"{reverse('policy_acknowledge')}?next={request.get_full_path()}")
        return self.get_response(request)
