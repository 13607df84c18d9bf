"""The demo runs with DEBUG on; the school staff trying it should still see the pages they would see for real."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.views import defaults


class PlainNotFoundMiddleware:
    """With DEBUG on, Django answers a view's ``Http404`` with its yellow technical page listing every URL pattern.
    Someone opening another school's case in the demo should get the ordinary "Page not found" page instead, as
    in production (where DEBUG is off, ``handler404`` already does this). Unknown URLs keep Django's page for
    developers: they never reach a view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        return None
