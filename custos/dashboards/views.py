"""The dashboard (one page, the panels the person may see) and the lists behind its figures."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from custos.accounts import access
from custos.accounts.models import School
from custos.cases.types import CASE_TYPES
from custos.community.models import SEVERITY_LABELS
from custos.dashboards import figures
from custos.dashboards.exports import csv_response
from custos.lib.http import AuthedRequest


def dashboard(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "dashboards.view")
    return render(request, "dashboards/dashboard.html", {"panels": figures.panels_for(request.user)})


def export(request: AuthedRequest, key: str) -> HttpResponse:
    access.require(request.user, "dashboards.view")
    panel = figures.panel_for(request.user, key)
    if panel is None:
        raise Http404("No such figure")
    return csv_response(key, panel.headers, ([cell.text for cell in row] for row in panel.rows))


def sites(request: AuthedRequest) -> HttpResponse:
    schools = list(School.objects.all())
    if not figures.site_schools(request.user, schools):
        access.require(request.user, "sites.view_inventory", None)
    school, group = request.GET.get("school", ""), request.GET.get("group", "")
    rows = figures.sites_list(request.user, schools, school=school, group=group)
    if request.GET.get("format") == "csv":
        return csv_response(
            "sites",
            ["School", "Site", "State", "Author", "Goes live", "Closes"],
            (
                [s.school.name, s.title, s.get_state_display(), s.author, s.go_live_on or "", s.closes_on or ""]
                for s in rows
            ),
        )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {"page": page, "group": figures.site_group_label(group), "query": request.GET}
    return render(request, "dashboards/sites.html", context)


def moderation(request: AuthedRequest, site_pk: int) -> HttpResponse:
    site = figures.moderation_site_for(request.user, list(School.objects.all()), site_pk)
    rows = figures.moderation_list(site)
    if request.GET.get("format") == "csv":
        return csv_response(
            f"moderation-{site.pk}",
            ["Item", "Kind", "Severity", "Waiting since"],
            ([c.pk, c.get_kind_display(), SEVERITY_LABELS.get(c.severity_rank, ""), c.created_at] for c in rows),
        )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    may_moderate = access.can(request.user, "moderation.view_queue", site)
    context = {"site": site, "page": page, "severity": SEVERITY_LABELS, "may_moderate": may_moderate}
    return render(request, "dashboards/moderation.html", context)


def cases(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "cases.list")
    case_type, status = request.GET.get("case_type", ""), request.GET.get("status", "")
    rows = figures.cases_list(request.user, case_type=case_type, status=status)
    if request.GET.get("format") == "csv":
        return csv_response(
            "cases",
            ["Reference", "School", "Type", "Status", "Opened", "Acknowledge by", "Closed"],
            (
                [
                    c.reference,
                    c.school.name,
                    c.get_case_type_display(),
                    c.get_status_display(),
                    c.opened_at,
                    c.due_at,
                    c.closed_at or "",
                ]
                for c in rows
            ),
        )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    spec = CASE_TYPES.get(case_type)
    context = {"page": page, "spec": spec, "status": status, "query": request.GET}
    return render(request, "dashboards/cases.html", context)
