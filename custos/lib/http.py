"""Request types for views behind sign-in (every view but sign-in itself: see LoginRequiredMiddleware)."""

from django.http import HttpRequest

from custos.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User
