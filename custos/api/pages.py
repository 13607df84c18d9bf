"""The API's pages: integration tokens (the ICT Manager's) and the readable API description."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.generators import SchemaGenerator

from custos.accounts import access
from custos.api import actions, queries
from custos.api.forms import TokenForm
from custos.lib.http import AuthedRequest


@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request: AuthedRequest) -> HttpResponse:
    schools = access.schools_where(request.user, "api.manage_tokens")
    if not schools:
        return render(request, "403.html", status=403)
    form = TokenForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.create_token(
                school=form.cleaned_data["school"],
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                by=request.user,
            )
        except actions.ApiError as refused:
            form.add_error(refused.field or None, refused.message)
        else:
            # Shown once, in this response only (never_cache): only its SHA-256 is kept.
            return render(request, "api/token_created.html", {"token": created.token, "secret": created.secret})
    return render(request, "api/tokens.html", {"form": form, "tokens": queries.tokens_for(request.user)})


@require_POST
def revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = queries.get_token_for(request.user, pk)
    try:
        actions.revoke_token(token, by=request.user)
    except actions.AlreadyRevoked as lost:
        messages.error(request, lost.message)
    else:
        messages.success(request, f"“{token.name}” is revoked: it stops working at once.")
    return redirect("api:tokens")


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "id": operation.get("operationId", ""),
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": operation.get("parameters", []),
                    "request": _ref_name(body),
                    "responses": [
                        {"status": status, "description": r.get("description", ""), "schema": _response_ref(r)}
                        for status, r in operation.get("responses", {}).items()
                    ],
                }
            )
    return found


def _ref_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    return str(schema.get("$ref", "")).rsplit("/", 1)[-1]


def _response_ref(response: dict[str, Any]) -> str:
    return _ref_name(response.get("content", {}).get("application/json", {}).get("schema"))


def _components(schema: dict[str, Any]) -> list[dict[str, Any]]:
    shapes = []
    for name, component in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(component.get("required", []))
        fields = []
        for field, spec in component.get("properties", {}).items():
            kind = spec.get("type") or _ref_name(spec) or _ref_name((spec.get("allOf") or [{}])[0]) or "enum"
            if kind == "array":
                kind = f"list of {spec.get('items', {}).get('type') or _ref_name(spec.get('items'))}"
            limits = [
                f"{k} {spec[k]}" for k in ("maxLength", "minItems", "maxItems", "minimum", "maximum") if k in spec
            ]
            fields.append(
                {
                    "name": field,
                    "type": kind,
                    "required": field in required,
                    "description": spec.get("description", ""),
                    "enum": spec.get("enum", []),
                    "limits": ", ".join(limits),
                }
            )
        shapes.append({"name": name, "enum": component.get("enum", []), "fields": fields})
    return shapes


@login_not_required
def docs(request: HttpRequest) -> HttpResponse:
    """The OpenAPI description, rendered as a plain page (no third-party script: the CSP stays strict)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    context = {
        "info": schema.get("info", {}),
        "operations": _operations(schema),
        "components": _components(schema),
    }
    return render(request, "api/docs.html", context)
