"""Thin views: check access, validate, call one action in cases.actions, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from custos.accounts import access
from custos.accounts.models import User
from custos.cases import actions, forms, oncall_views, queries, reported, timings
from custos.cases.actions import CaseError
from custos.cases.business_time import bank_holidays
from custos.cases.models import Alert, Case, Escalation, Evidence
from custos.cases.types import CASE_TYPES, TargetUnit
from custos.lib import uploads
from custos.lib.http import AuthedRequest

REASON_KEY = "cases.reason.{}"


def home(request: AuthedRequest) -> HttpResponse:
    """The owners' dashboard: overdue cases first (A.2.3)."""
    access.require(request.user, "cases.list")
    form = forms.SearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = queries.dashboard(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "escalations": list(queries.escalations_for(request.user))}
    return render(request, "cases/home.html", context)


def report_index(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "cases.report")
    return render(request, "cases/report_index.html", {"kinds": forms.REPORT_KINDS.values()})


@require_http_methods(["GET", "POST"])
def report(request: AuthedRequest, kind: str) -> HttpResponse:
    access.require(request.user, "cases.report")
    report_kind = forms.REPORT_KINDS.get(kind)
    if report_kind is None:
        raise Http404("No such form")
    form = forms.ReportForm(request.POST or None, request.FILES or None, kind=report_kind, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = actions.open_case(
                case_type=form.case_type(),
                school=form.target_school(),
                reported_by=request.user,
                summary=data["summary"],
                details=form.details(),
                evidence_files=[data["evidence"]] if data.get("evidence") else (),
                linked_pupils=[data["pupil"]] if data.get("pupil") else (),
                linked_content=data.get("where", ""),
                source="report_form",
                against_head=form.against_head(),
                at_risk_now=bool(data.get("at_risk_now")),
            )
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            return redirect("cases:received", reference=case.reference)
    return render(request, "cases/report.html", {"form": form, "kind": report_kind})


def received(request: AuthedRequest, reference: str) -> HttpResponse:
    """What the reporter sees: that it arrived, and later that it was dealt with; never the case."""
    case = get_object_or_404(queries.my_reports(request.user), reference=reference)
    return render(request, "cases/received.html", {"case": case, "spec": case.spec})


def my_reports(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "cases.report")
    page = Paginator(queries.my_reports(request.user).order_by("-opened_at"), 25).get_page(request.GET.get("page"))
    return render(request, "cases/my_reports.html", {"page": page})


@require_http_methods(["GET", "POST"])
def case_detail(request: AuthedRequest, reference: str) -> HttpResponse:
    case = queries.get_case_for(request.user, reference)
    is_owner = access.can(request.user, "cases.view_without_reason", case)
    key = REASON_KEY.format(case.pk)
    if not is_owner and request.method == "POST":
        reason_form = forms.ReasonForm(request.POST)
        if reason_form.is_valid():
            request.session[key] = reason_form.cleaned_data["reason"]
            return redirect("cases:case", reference=reference)
        return render(request, "cases/reason.html", {"case": case, "form": reason_form}, status=400)
    if not is_owner and not request.session.get(key):
        return render(request, "cases/reason.html", {"case": case, "form": forms.ReasonForm()})
    actions.record_view(case, by=request.user, reason=request.session.get(key, ""))
    return render(request, "cases/case.html", _case_context(request, case))


def _case_context(request: AuthedRequest, case: Case, **bound: Any) -> dict[str, Any]:
    workers = [
        u for u in actions.role_holders(case.school, case.spec.may_edit) if access.can(u, "cases.work_case", case)
    ]
    people = User.objects.filter(pk__in=[u.pk for u in workers])
    evidence = list(case.evidence.all())
    for item in evidence:
        item.verified = item.hash_matches()  # type: ignore[attr-defined]
    show_legal = access.can(request.user, "accounts.view_pupil_legal_name", case.school)
    # Screening findings point into the words exactly as written: the first text evidence, kept on receipt.
    written = next((item.text for item in evidence if not item.is_file and item.text), case.linked_content)
    pupils = list(case.linked_pupils.all())
    site = reported.site_fact(case.linked_site_id, case.linked_site_label, request.user)
    referral_recorded = case.entries.filter(kind="referral", agency__in=case.spec.required_referral).exists()
    found = Alert.objects.filter(case=case).select_related("acknowledged_by").first()
    return {
        **(oncall_views.alert_context(request.user, found) if found is not None else {}),
        "referral_recorded": referral_recorded,
        "chronologies": [p for p in pupils if access.can(request.user, "cases.view_chronology", p)],
        "referral_overdue": not referral_recorded
        and case.referral_due_at is not None
        and case.referral_due_at <= timezone.now(),
        "case": case,
        "spec": case.spec,
        "may_work": access.can(request.user, "cases.work_case", case) and not case.is_closed,
        "may_reopen": access.can(request.user, "cases.work_case", case) and case.is_closed,
        "may_quarantine": access.can(request.user, "cases.open_quarantined", case),
        "entries": case.entries.select_related("by"),
        "evidence": evidence,
        "reported": reported.describe(
            case.details, viewer=request.user, text=written, linked_site=site, linked_site_id=case.linked_site_id
        ),
        "site": site,
        "source_ref": reported.source_ref_label(case.source_ref, case.details, case.linked_site_label),
        "people": reported.linked_people(
            pupils, list(case.linked_users.select_related("pupil")), show_legal=show_legal
        ),
        "show_legal": show_legal,
        "entry_form": bound.get("entry") or forms.EntryForm(auto_id=_ids("entry")),
        "referral_form": bound.get("referral") or forms.ReferralForm(auto_id=_ids("referral")),
        "assign_form": bound.get("assign") or forms.AssignForm(people=people, auto_id=_ids("assign")),
        "link_form": bound.get("link") or forms.LinkForm(school=case.school, viewer=request.user, auto_id=_ids("link")),
        "evidence_form": bound.get("evidence") or forms.EvidenceForm(auto_id=_ids("evidence")),
        "close_form": bound.get("close") or forms.CloseForm(case=case, auto_id=_ids("close")),
        "reopen_form": bound.get("reopen") or forms.ReopenForm(auto_id=_ids("reopen")),
    }


def _ids(action: str) -> str:
    # One page holds several forms with fields of the same name: each form's ids are its own, so labels and the
    # error summary's links point at the right field.
    return f"id_{action}_%s"


def _do_entry(case: Case, user: User, data: dict[str, Any], files: Any) -> None:
    actions.add_entry(case, by=user, kind=data["kind"], text=data["text"])


def _do_referral(case: Case, user: User, data: dict[str, Any], files: Any) -> None:
    actions.record_referral(
        case,
        by=user,
        agency=data["agency"],
        reference=data["reference"],
        referred_on=data["referred_on"],
        referred_by=data["referred_by"],
        text=data["text"],
    )


def _do_link(case: Case, user: User, data: dict[str, Any], files: Any) -> None:
    actions.link(
        case,
        by=user,
        pupils=[data["pupil"]] if data["pupil"] else [],
        users=[data["user"]] if data["user"] else [],
        content=data["content"],
    )


def _do_evidence(case: Case, user: User, data: dict[str, Any], files: Any) -> None:
    actions.add_evidence(case, by=user, text=data["text"], files=[data["file"]] if data["file"] else [])


def _do_close(case: Case, user: User, data: dict[str, Any], files: Any) -> None:
    actions.close_case(
        case,
        by=user,
        outcome=data["outcome"],
        notes=data["notes"],
        no_referral_reason=data.get("no_referral_reason", ""),
    )


def _do_reopen(case: Case, user: User, data: dict[str, Any], files: Any) -> None:
    actions.reopen_case(case, by=user, reason=data["reason"])


CASE_ACTIONS: dict[str, tuple[Callable[..., django_forms.Form], Callable[..., None], str]] = {
    "entry": (forms.EntryForm, _do_entry, "Added to the chronology."),
    "referral": (forms.ReferralForm, _do_referral, "Referral recorded."),
    "link": (
        lambda *a, case, viewer, **k: forms.LinkForm(*a, school=case.school, viewer=viewer, **k),
        _do_link,
        "Linked.",
    ),
    "evidence": (forms.EvidenceForm, _do_evidence, "Evidence added, with its SHA-256."),
    "close": (
        lambda *a, case, viewer, **k: forms.CloseForm(*a, case=case, **k),
        _do_close,
        "Case closed. It is now read-only.",
    ),
    "reopen": (forms.ReopenForm, _do_reopen, "Reopened. The reopening is in the chronology."),
}


@require_POST
def case_action(request: AuthedRequest, reference: str, action: str) -> HttpResponse:
    case = queries.get_case_for(request.user, reference)
    access.require(request.user, "cases.work_case", case)
    if action == "acknowledge":
        return _run(request, case, lambda: actions.acknowledge(case, by=request.user), "Acknowledged.")
    if action == "assign":
        people = User.objects.filter(pk__in=[u.pk for u in actions.role_holders(case.school, case.spec.may_edit)])
        form: django_forms.Form = forms.AssignForm(request.POST, people=people, auto_id=_ids(action))
        if form.is_valid():
            return _run(
                request, case, lambda: actions.assign(case, by=request.user, to=form.cleaned_data["to"]), "Assigned."
            )
        return _invalid(request, case, action, form)
    if action not in CASE_ACTIONS:
        raise Http404("No such action")
    make_form, handler, done = CASE_ACTIONS[action]
    form = (
        make_form(request.POST, request.FILES, case=case, viewer=request.user, auto_id=_ids(action))
        if action in ("link", "close")
        else make_form(request.POST, request.FILES, auto_id=_ids(action))
    )
    if not form.is_valid():
        return _invalid(request, case, action, form)
    return _run(
        request, case, lambda: handler(case, request.user, form.cleaned_data, request.FILES), done, form, action
    )


def _run(
    request: AuthedRequest,
    case: Case,
    call: Callable[[], Any],
    done: str,
    form: django_forms.Form | None = None,
    action: str = "",
) -> HttpResponse:
    try:
        call()
    except CaseError as error:
        # A conflict (closed meanwhile, someone else first) is told at the top of the reloaded case.
        if form is None or isinstance(error, actions.CaseConflict):
            messages.error(request, str(error))
            return redirect("cases:case", reference=case.reference)
        _show_error(form, error)
        return _invalid(request, case, action, form)
    messages.success(request, done)
    return redirect("cases:case", reference=case.reference)


def _invalid(request: AuthedRequest, case: Case, action: str, form: django_forms.Form) -> HttpResponse:
    case.refresh_from_db()
    context = _case_context(request, case, **{action: form})
    context["failed"] = action
    return render(request, "cases/case.html", context, status=400)


def _attachment(evidence: Evidence, content: bytes) -> HttpResponse:
    """Quarantined evidence only (A.5.6): opened on the app origin by the DSL, never given a media link."""
    return uploads.attachment(
        content,
        content_type=uploads.OCTET_STREAM,
        filename=uploads.evidence_filename(evidence),
        cache_control="no-store",
    )


def evidence_download(request: AuthedRequest, reference: str, evidence_id: int) -> HttpResponse:
    """The download is recorded here, then the file comes from the media origin by a short-lived link (issue 9)."""
    evidence = queries.get_evidence_for(request.user, reference, evidence_id)
    if evidence.quarantined:
        return redirect("cases:quarantine", reference=reference, evidence_id=evidence_id)
    if not access.can(request.user, "cases.view_without_reason", evidence.case) and not request.session.get(
        REASON_KEY.format(evidence.case_id)
    ):
        return redirect("cases:case", reference=reference)
    actions.record_download(evidence, by=request.user)
    response = redirect(uploads.evidence_url(evidence))
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def quarantine(request: AuthedRequest, reference: str, evidence_id: int) -> HttpResponse:
    """Quarantined evidence (A.5.6): only the DSL, only after a recorded reason, only as a download."""
    evidence = queries.get_evidence_for(request.user, reference, evidence_id)
    if not evidence.quarantined:
        raise Http404("Not quarantined")
    access.require(request.user, "cases.open_quarantined", evidence.case)
    form = forms.QuarantineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        content = actions.open_quarantined(evidence, by=request.user, reason=form.cleaned_data["reason"])
        return _attachment(evidence, content)
    return render(request, "cases/quarantine.html", {"case": evidence.case, "evidence": evidence, "form": form})


@require_POST
def escalation_seen(request: AuthedRequest, escalation_id: int) -> HttpResponse:
    escalation = get_object_or_404(Escalation.objects.filter(notified=request.user), pk=escalation_id)
    actions.dismiss_escalation(escalation, by=request.user)
    messages.success(request, "Marked as seen.")
    return redirect("cases:home")


def retention(request: AuthedRequest) -> HttpResponse:
    """Closed cases due for review or deletion (only those the person may open)."""
    access.require(request.user, "cases.list")
    due = queries.retention_due().filter(pk__in=queries.cases_for(request.user).values("pk"))
    page = Paginator(due, 50).get_page(request.GET.get("page"))
    return render(request, "cases/retention.html", {"page": page})


@require_http_methods(["GET", "POST"])
def delete(request: AuthedRequest, reference: str) -> HttpResponse:
    case = queries.get_case_for(request.user, reference)
    access.require(request.user, "cases.confirm_deletion", case)
    form = forms.DeletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.confirm_deletion(case, by=request.user, reason=form.cleaned_data["reason"])
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{reference} was deleted. A tombstone record remains.")
            return redirect("cases:retention")
    return render(request, "cases/delete.html", {"case": case, "form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def targets(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "cases.configure")
    trust = _trust_of(request.user)
    form = forms.TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_target(trust, by=request.user, **form.cleaned_data)
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Target saved. It applies to cases opened from now on.")
            return redirect("cases:targets")
    rows = []
    for key, spec in CASE_TYPES.items():
        amount, unit = actions.target_for(trust, key)
        rows.append((spec, amount, TargetUnit(unit).label))
    return render(request, "cases/targets.html", {"form": form, "rows": rows}, status=400 if form.errors else 200)


def _trust_of(user: User) -> Any:
    from custos.accounts.models import Trust

    if user.school is not None:
        return user.school.trust
    trust = Trust.objects.order_by("pk").first()
    if trust is None:
        raise Http404("No trust")
    return trust


def _timings_page(
    request: AuthedRequest,
    *,
    day_form: forms.SchoolDayForm | None = None,
    closed_form: forms.ClosedDayForm | None = None,
    holiday_form: forms.SchoolHolidayForm | None = None,
    hours_form: forms.OutOfHoursForm | None = None,
    status: int = 200,
) -> HttpResponse:
    trust = _trust_of(request.user)
    row = actions.case_settings_for(trust)
    initial = {
        "day_starts": row.day_starts,
        "day_ends": row.day_ends,
        "weekdays": row.weekday_numbers,
        "version": row.version,
    }
    failed = next((f for f in (day_form, closed_form, holiday_form, hours_form) if f is not None and f.errors), None)
    today = timezone.localdate()
    year_ahead = today + dt.timedelta(days=365)
    context = {
        "day_form": day_form or forms.SchoolDayForm(initial=initial),
        "closed_form": closed_form or forms.ClosedDayForm(),
        "holiday_form": holiday_form or forms.SchoolHolidayForm(),
        "hours_form": hours_form
        or forms.OutOfHoursForm(
            initial={"bank_holidays": row.bank_holidays, "alert_ack_minutes": row.alert_ack_minutes}
        ),
        "holidays": queries.school_holidays_for(trust),
        "bank_holidays": [
            (day, name)
            for day, name in bank_holidays(row.bank_holidays, today.year, year_ahead.year).items()
            if today <= day <= year_ahead
        ],
        "failed_form": failed,
        "settings_row": row,
        "closed_days": queries.closed_days_for(trust),
        "examples": timings.worked_examples(trust, timezone.localdate()),
    }
    return render(request, "cases/timings.html", context, status=status)


def _show_error(form: django_forms.Form, error: CaseError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


@require_http_methods(["GET", "POST"])
def case_timings(request: AuthedRequest) -> HttpResponse:
    """The school day and closed days that case targets count in (A.2.3), Executive Headteacher only."""
    access.require(request.user, "cases.configure")
    if request.method == "GET":
        return _timings_page(request)
    form = forms.SchoolDayForm(request.POST)
    if not form.is_valid():
        return _timings_page(request, day_form=form, status=400)
    try:
        actions.set_school_day(
            _trust_of(request.user),
            by=request.user,
            day_starts=form.cleaned_data["day_starts"],
            day_ends=form.cleaned_data["day_ends"],
            weekdays=form.cleaned_data["weekdays"],
            expected_version=form.cleaned_data["version"],
        )
    except actions.CaseConflict as conflict:
        # Keep what they typed, against the version that is there now, so saving again is a deliberate choice.
        data = request.POST.copy()
        data["version"] = str(actions.case_settings_for(_trust_of(request.user)).version)
        form = forms.SchoolDayForm(data)
        form.is_valid()
        form.add_error(None, str(conflict))
        return _timings_page(request, day_form=form, status=409)
    except CaseError as error:
        _show_error(form, error)
        return _timings_page(request, day_form=form, status=400)
    messages.success(request, "School day saved. It applies to cases opened from now on.")
    return redirect("cases:timings")


@require_POST
def closed_day_add(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "cases.configure")
    form = forms.ClosedDayForm(request.POST)
    if form.is_valid():
        try:
            row = actions.add_closed_day(_trust_of(request.user), by=request.user, **form.cleaned_data)
        except CaseError as error:
            _show_error(form, error)
        else:
            messages.success(request, f"{timings.on_day(row.day)} ({row.label}) added as a closed day.")
            return redirect("cases:timings")
    return _timings_page(request, closed_form=form, status=400)


@require_POST
def closed_day_remove(request: AuthedRequest, closed_day_id: int) -> HttpResponse:
    access.require(request.user, "cases.configure")
    try:
        actions.remove_closed_day(_trust_of(request.user), closed_day_id=closed_day_id, by=request.user)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Closed day removed. The target clock runs on that day again.")
    return redirect("cases:timings")


@require_POST
def school_holiday_add(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "cases.configure")
    form = forms.SchoolHolidayForm(request.POST)
    if form.is_valid():
        try:
            row = actions.add_school_holiday(_trust_of(request.user), by=request.user, **form.cleaned_data)
        except CaseError as error:
            _show_error(form, error)
        else:
            messages.success(
                request, f"{row.label} added: schools closed {row.first_day:%d/%m/%Y} to {row.last_day:%d/%m/%Y}."
            )
            return redirect("cases:timings")
    return _timings_page(request, holiday_form=form, status=400)


@require_POST
def school_holiday_remove(request: AuthedRequest, holiday_id: int) -> HttpResponse:
    access.require(request.user, "cases.configure")
    try:
        actions.remove_school_holiday(_trust_of(request.user), holiday_id=holiday_id, by=request.user)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Holiday removed.")
    return redirect("cases:timings")


@require_POST
def out_of_hours(request: AuthedRequest) -> HttpResponse:
    """Bank holidays and the urgent alert's acknowledgement time (A.2.3), Executive Headteacher only."""
    access.require(request.user, "cases.configure")
    form = forms.OutOfHoursForm(request.POST)
    if form.is_valid():
        try:
            actions.set_out_of_hours(_trust_of(request.user), by=request.user, **form.cleaned_data)
        except CaseError as error:
            _show_error(form, error)
        else:
            messages.success(request, "Saved. Urgent alerts raised from now on use it.")
            return redirect("cases:timings")
    return _timings_page(request, hours_form=form, status=400)
