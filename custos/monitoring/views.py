"""Monitoring pages (8.1): the notice every staff member reads, reports for HR and the Head, hours and domains."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from custos.accounts import access
from custos.accounts.models import Kind, School, User
from custos.lib.http import AuthedRequest
from custos.monitoring import actions, clauses, queries
from custos.monitoring.charts import bar_chart
from custos.monitoring.forms import DomainForm, ReportRequestForm, WeekHoursForm
from custos.monitoring.models import Category, DomainCategory, NoticeAcknowledgement


def index(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "monitoring.read_notice")
    schools = [s for s in School.objects.all() if access.can(request.user, "monitoring.view_reports", s)]
    hours_schools = [s for s in schools if access.can(request.user, "monitoring.set_hours", s)]
    return render(
        request,
        "monitoring/index.html",
        {
            "schools": schools,
            "hours_schools": hours_schools,
            "may_keep_domains": access.can(request.user, "monitoring.keep_domain_list"),
        },
    )


@require_http_methods(["GET", "POST"])
def notice(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "monitoring.read_notice")
    if request.method == "POST":
        actions.acknowledge_notice(request.user)
        messages.success(request, "Thank you: your acknowledgement of the monitoring notice is recorded.")
        return redirect("monitoring_notice")
    acknowledged = NoticeAcknowledgement.objects.filter(user=request.user, version=actions.NOTICE_VERSION).first()
    return render(
        request,
        "monitoring/notice.html",
        {
            "acknowledged": acknowledged,
            "version": actions.NOTICE_VERSION,
            "retention_days": actions.retention_days(),
            "categories": Category.choices,
            "clauses": clauses,
        },
    )


@require_http_methods(["GET", "POST"])
def social_report(request: AuthedRequest, school_id: int) -> HttpResponse:
    school = queries.get_school_for(request.user, school_id, "monitoring.view_reports")
    form = ReportRequestForm(request.POST or None)
    context: dict[str, object] = {"school": school, "form": form, "clauses": clauses}
    if request.method == "POST" and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        actions.record_report_opened(
            request.user, school, report="social_media_use", reason=form.cleaned_data["reason"], period=f"{start}/{end}"
        )
        report = queries.social_use_report(school, start, end)
        chart = bar_chart([(p.user.get_full_name() or p.user.username, p.requests) for p in report.people])
        context.update(report=report, chart=chart, start=start, end=end)
    return render(request, "monitoring/social_report.html", context)


@require_http_methods(["GET", "POST"])
def edits_report(request: AuthedRequest, school_id: int) -> HttpResponse:
    school = queries.get_school_for(request.user, school_id, "monitoring.view_reports")
    form = ReportRequestForm(request.POST or None)
    context: dict[str, object] = {"school": school, "form": form, "clauses": clauses}
    if request.method == "POST" and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        actions.record_report_opened(
            request.user,
            school,
            report="encyclopaedia_edits",
            reason=form.cleaned_data["reason"],
            period=f"{start}/{end}",
        )
        context.update(edits=queries.edits_report(school, start, end), start=start, end=end)
    return render(request, "monitoring/edits_report.html", context)


@require_http_methods(["GET", "POST"])
def school_hours(request: AuthedRequest, school_id: int) -> HttpResponse:
    school = queries.get_school_for(request.user, school_id, "monitoring.set_hours")
    form = WeekHoursForm(request.POST or None, week=queries.week_of_school(school))
    if request.method == "POST" and form.is_valid():
        actions.set_school_default_hours(school, form.cleaned_data["week"], by=request.user)
        messages.success(request, f"Default contracted hours for {school} saved.")
        return redirect("monitoring_school_hours", school_id=school.pk)
    staff = User.objects.filter(school=school, kind=Kind.STAFF, is_active=True).prefetch_related("contracted_hours")
    return render(request, "monitoring/school_hours.html", {"school": school, "form": form, "staff": staff})


@require_http_methods(["GET", "POST"])
def person_hours(request: AuthedRequest, school_id: int, user_id: int) -> HttpResponse:
    school = queries.get_school_for(request.user, school_id, "monitoring.set_hours")
    person = queries.get_staff_member_for(request.user, school, user_id)
    form = WeekHoursForm(request.POST or None, week=queries.week_of_user(person))
    if request.method == "POST" and form.is_valid():
        actions.set_contracted_hours(person, form.cleaned_data["week"], by=request.user)
        messages.success(request, f"Contracted hours for {person} saved.")
        return redirect("monitoring_school_hours", school_id=school.pk)
    return render(request, "monitoring/person_hours.html", {"school": school, "person": person, "form": form})


@require_http_methods(["GET", "POST"])
def domains(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "monitoring.keep_domain_list")
    form = DomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = actions.set_domain_category(form.cleaned_data["domain"], form.cleaned_data["category"], by=request.user)
        messages.success(request, f"{entry.domain} is listed as {entry.get_category_display()}.")
        return redirect("monitoring_domains")
    return render(request, "monitoring/domains.html", {"form": form, "entries": DomainCategory.objects.all()})


@require_POST
def remove_domain(request: AuthedRequest, entry_id: int) -> HttpResponse:
    access.require(request.user, "monitoring.keep_domain_list")
    entry = DomainCategory.objects.filter(pk=entry_id).first()
    if entry is None:
        raise Http404("That domain is no longer listed.")
    actions.remove_domain_category(entry, by=request.user)
    messages.success(request, f"{entry.domain} is no longer listed.")
    return redirect("monitoring_domains")
