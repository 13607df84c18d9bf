"""Thin views for the on-call rota and urgent alerts (A.2.3): check access, validate, call ``cases.oncall``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from custos.accounts import access
from custos.accounts.models import School, User
from custos.cases import forms, oncall
from custos.cases.actions import CaseError
from custos.cases.models import Alert, OnCallShift
from custos.lib.http import AuthedRequest
from custos.notify.models import Delivery

SHOWN_AHEAD = dt.timedelta(days=28)
TRUST = "trust"


def _scope(request: AuthedRequest, chosen: str) -> tuple[list[School], bool, School | None]:
    """The schools whose rota the person may see, whether they may see the Trust's fallback, and the chosen one
    (None: the Trust's fallback)."""
    schools = access.schools_where(request.user, "cases.view_rota")
    trust_view = access.can(request.user, "cases.edit_rota", None)
    if not schools and not trust_view:
        access.require(request.user, "cases.view_rota", None)
        raise Http404("No rota")
    if chosen == TRUST and trust_view:
        return schools, trust_view, None
    school = next((s for s in schools if str(s.pk) == chosen), None) or (schools[0] if schools else None)
    return schools, trust_view, school


def _rota_page(request: AuthedRequest, chosen: str, form: forms.ShiftForm | None = None, status: int = 200) -> Any:
    schools, trust_view, school = _scope(request, chosen)
    trust = school.trust if school is not None else (schools[0].trust if schools else _any_trust(request.user))
    now = timezone.now()
    shifts = OnCallShift.objects.filter(trust=trust, ends_at__gt=now, starts_at__lt=now + SHOWN_AHEAD)
    shifts = shifts.filter(school=school) if school is not None else shifts.filter(school__isnull=True)
    may_edit = access.can(request.user, "cases.edit_rota", school)
    people = User.objects.filter(pk__in=[u.pk for u in oncall.eligible_people(trust, school)])
    context = {
        "schools": schools,
        "trust_view": trust_view,
        "school": school,
        "chosen": str(school.pk) if school is not None else TRUST,
        "shifts": shifts.select_related("person").order_by("starts_at", "position"),
        "gaps": oncall.gaps_ahead(school, now) if school is not None else [],
        "may_edit": may_edit,
        "form": form or (forms.ShiftForm(people=people) if may_edit else None),
    }
    return render(request, "cases/rota.html", context, status=status)


def _any_trust(user: User) -> Any:
    from custos.cases.views import _trust_of

    return _trust_of(user)


def rota(request: AuthedRequest) -> HttpResponse:
    return _rota_page(request, request.GET.get("school", ""))


@require_POST
def rota_add(request: AuthedRequest) -> HttpResponse:
    chosen = request.POST.get("school", "")
    school = _scope(request, chosen)[2]
    access.require(request.user, "cases.edit_rota", school)
    trust = school.trust if school is not None else _any_trust(request.user)
    people = User.objects.filter(pk__in=[u.pk for u in oncall.eligible_people(trust, school)])
    form = forms.ShiftForm(request.POST, people=people)
    if form.is_valid():
        try:
            added = oncall.add_shift(trust, school=school, by=request.user, **form.cleaned_data)
        except oncall.RotaError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, f"{len(added)} shift{'s' if len(added) != 1 else ''} added to the rota.")
            return redirect(reverse("cases:rota") + f"?school={chosen}")
    return _rota_page(request, chosen, form=form, status=400)


@require_POST
def rota_remove(request: AuthedRequest, shift_id: int) -> HttpResponse:
    shift = OnCallShift.objects.filter(pk=shift_id).first()
    if shift is None or not access.can(request.user, "cases.view_rota", shift.school):
        raise Http404("No such shift")
    try:
        oncall.remove_shift(shift_id, by=request.user)
    except oncall.RotaError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Shift removed.")
    return redirect(reverse("cases:rota") + f"?school={shift.school_id or TRUST}")


@require_http_methods(["GET", "POST"])
def alert(request: AuthedRequest, alert_id: int) -> HttpResponse:
    """What an alerted person opens from their phone: content-free, with "I am dealing with it"."""
    found = get_object_or_404(Alert.objects.select_related("case__school", "acknowledged_by"), pk=alert_id)
    if not oncall.may_see_alert(request.user, found):
        raise Http404("No such alert")
    if request.method == "POST":
        try:
            oncall.acknowledge_alert(found, by=request.user)
        except CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Acknowledged: nobody else will be alerted.")
        return redirect("cases:alert", alert_id=alert_id)
    return render(request, "cases/alert.html", alert_context(request.user, found))


def alert_context(user: User, found: Alert) -> dict[str, Any]:
    steps = list(found.steps.prefetch_related("notified"))
    deliveries = list(
        Delivery.objects.filter(about=f"cases.alert:{found.pk}").select_related("recipient", "email").order_by("pk")
    )
    return {
        "alert": found,
        "case": found.case,
        "steps": steps,
        "deliveries": deliveries,
        "may_open_case": access.can(user, "cases.view_case", found.case),
        "may_acknowledge": found.acknowledged_at is None
        and (any(user in step.notified.all() for step in steps) or access.can(user, "cases.work_case", found.case)),
        "next_due": found.step_due(len(steps) + 1) if len(steps) < len(found.ladder) else None,
    }
