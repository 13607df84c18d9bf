"""Thin views for OpenID Connect sign-in: send the person to their provider, then take them back in."""

from __future__ import annotations

from authlib.integrations.base_client.errors import OAuthError
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET
from django_otp import login as otp_login
from requests import RequestException

from custos.sso import actions, providers

_NEXT = "custos_sso_next"


class NotConfigured(Exception):
    pass


def _provider(name: str) -> providers.ProviderConfig:
    provider = providers.get(name)
    if provider is None:
        raise NotConfigured
    return provider


def _back_to_sign_in(request: HttpRequest) -> HttpResponse:
    # An old bookmark or a provider taken out of the configuration: back to the sign-in page, saying so.
    messages.error(request, "That way of signing in is not set up here. Sign in below, or ask your ICT Manager.")
    return redirect("login")


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "sso/refused.html", {"message": message}, status=status)


@login_not_required
@require_GET
def start(request: HttpRequest, name: str) -> HttpResponse:
    try:
        provider = _provider(name)
    except NotConfigured:
        return _back_to_sign_in(request)
    wanted = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure())
    request.session[_NEXT] = wanted if safe else ""
    callback = request.build_absolute_uri(reverse("sso:callback", args=[provider.name]))
    try:
        return providers.client_for(provider).authorize_redirect(request, callback)
    except (OAuthError, RequestException, ValueError):
        return _refused(request, f"{provider.label} cannot be reached just now. Try again, or sign in here.", 503)


@login_not_required
@require_GET
def callback(request: HttpRequest, name: str) -> HttpResponse:
    try:
        provider = _provider(name)
    except NotConfigured:
        return _back_to_sign_in(request)
    if "error" in request.GET:
        return _refused(request, f"{provider.label} did not sign you in ({request.GET['error'][:100]}).")
    try:
        token = providers.client_for(provider).authorize_access_token(request)
    except (OAuthError, RequestException, ValueError, KeyError):
        return _refused(request, "That sign-in link has expired or was not started here. Please start again.", 400)
    try:
        signed_in = actions.sign_in(provider, token.get("userinfo") or {})
    except actions.SignInRefused as refused:
        return _refused(request, refused.message)
    wanted = request.session.pop(_NEXT, "")
    login(request, signed_in.user, backend="custos.accounts.backends.UsernameOrEmailBackend")
    if signed_in.device is not None:
        otp_login(request, signed_in.device)
    return redirect(wanted or settings.LOGIN_REDIRECT_URL)
