from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from custos.accounts import access
from custos.audit import queries
from custos.audit.forms import AuditSearchForm
from custos.audit.wording import readable


def audit_log(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "audit.search")
    form = AuditSearchForm(request.GET or None)
    events = queries.events_visible_to(request.user)
    if form.is_valid():
        events = queries.search(events, **form.cleaned_data)
    elif form.is_bound:
        events = events.none()
    page = Paginator(events.order_by("-seq"), 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"form": form, "page": page, "rows": readable(list(page))})
