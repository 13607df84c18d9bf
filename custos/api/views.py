"""The REST API (issue 10): thin views that check the token's scope, validate, and call one read or action."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from custos.api import actions, queries, schema  # noqa: F401 - schema registers the bearer scheme
from custos.api.models import ApiToken, Scope
from custos.api.serializers import (
    ErrorSerializer,
    QueueCountsResponseSerializer,
    ScreenRequestSerializer,
    ScreenResponseSerializer,
    SitesResponseSerializer,
    ThirdPartyCommentsRequestSerializer,
    ThirdPartyCommentsResponseSerializer,
)
from custos.lib.screening import context_for
from custos.screening import Venue, screen
from custos.sites.models import SiteState

_ERR = ErrorSerializer


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    text = {
        400: "The input is not valid, or the policy refuses it (the clause says why)",
        401: "No token, or a token that is unknown or revoked",
        403: "The token lacks the scope",
        404: "No such site at the token's school",
        405: "Method not allowed",
        406: "Only JSON responses are offered",
        415: "Send JSON (Content-Type: application/json)",
        429: "Too many requests for this token this minute",
    }
    return {code: OpenApiResponse(_ERR, description=text[code]) for code in codes}


_READ_ERRORS = _errors(401, 403, 405, 406, 429)
_WRITE_ERRORS = _errors(400, 401, 403, 405, 406, 415, 429)


def _token(request: Request) -> ApiToken:
    assert isinstance(request.auth, ApiToken)
    return request.auth


def _scoped(scope: str) -> Any:
    def mark(view: Any) -> Any:
        view.cls.required_scope = scope
        return view

    return mark


@extend_schema(
    operation_id="screen",
    summary="Screen a text against the Social Media Policy",
    description="Returns every finding with its category, severity, the clauses it cites, its character spans and "
    "a plain-English reason. Needs the `screen` scope. Texts longer than 20,000 characters are refused.",
    request=ScreenRequestSerializer,
    responses={200: ScreenResponseSerializer, **_WRITE_ERRORS},
)
@_scoped(Scope.SCREEN)
@api_view(["POST"])
def screen_text(request: Request) -> Response:
    form = ScreenRequestSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    data = form.validated_data
    token = _token(request)
    context = context_for(
        school=token.school, author=SimpleNamespace(kind=data["author_kind"]), venue=Venue(data["venue"])
    )
    findings = [finding.as_dict() for finding in screen(data["text"], context)]
    ranks = ["info", "warn", "block", "escalate"]
    worst = max((f["severity"] for f in findings), key=ranks.index, default="clean")
    clauses = sorted({clause for f in findings for clause in f["clauses"]})
    return Response({"worst_severity": worst, "clauses": clauses, "findings": findings})


@extend_schema(
    operation_id="list_sites",
    summary="The school's official sites inventory",
    description="Approved and live sites by default (A.3.2), with host, dates and named administrators and "
    "moderators (A.5.4). Needs the `sites:read` scope.",
    parameters=[
        OpenApiParameter("state", str, enum=list(SiteState.values), required=False, description="Only this state")
    ],
    responses={200: SitesResponseSerializer, **_errors(400), **_READ_ERRORS},
)
@_scoped(Scope.SITES_READ)
@api_view(["GET"])
def list_sites(request: Request) -> Response:
    state = request.query_params.get("state")
    if state is not None and state not in SiteState.values:
        raise actions.ApiError(f"Unknown state; use one of: {', '.join(SiteState.values)}.", field="state")
    token = _token(request)
    return Response({"school": token.school.name, "sites": queries.sites_of(token.school, state)})


@extend_schema(
    operation_id="queue_counts",
    summary="Moderation queue counts per site",
    description="For each live site (and approved third-party-hosted site): items waiting for a moderator by "
    "severity, and when the oldest arrived (A.5.3, A.5.4, A.5.5). Needs the `queue:read` scope.",
    responses={200: QueueCountsResponseSerializer, **_READ_ERRORS},
)
@_scoped(Scope.QUEUE_READ)
@api_view(["GET"])
def queue_counts(request: Request) -> Response:
    token = _token(request)
    return Response({"school": token.school.name, "queues": queries.queue_counts(token.school)})


@extend_schema(
    operation_id="submit_third_party_comments",
    summary="Submit comments exported from a third-party-hosted site for screening and moderation (A.5.5)",
    description="Up to 100 comments from one of the school's approved third-party-hosted sites. Each is screened "
    "and queued for the site's moderators; escalations (A.5.6) are mailed to them at once. Sending a comment "
    "again (same `external_id`) changes nothing. Needs the `comments:submit` scope.",
    request=ThirdPartyCommentsRequestSerializer,
    responses={200: ThirdPartyCommentsResponseSerializer, **_errors(404), **_WRITE_ERRORS},
)
@_scoped(Scope.COMMENTS_SUBMIT)
@api_view(["POST"])
def submit_third_party_comments(request: Request) -> Response:
    form = ThirdPartyCommentsRequestSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    token = _token(request)
    site = queries.submittable_site(token.school, form.validated_data["site"])
    incoming = [actions.IncomingComment(**item) for item in form.validated_data["comments"]]
    results = actions.submit_third_party_comments(token, site=site, comments=incoming)
    comments = [
        {
            "id": r.comment.pk,
            "external_id": r.comment.external_id,
            "state": r.comment.state,
            "severity": r.comment.severity,
            "duplicate": r.duplicate,
            "findings": r.comment.findings,
        }
        for r in results
    ]
    received = sum(1 for r in results if not r.duplicate)
    return Response(
        {"site": site.pk, "received": received, "duplicates": len(results) - received, "comments": comments}
    )
