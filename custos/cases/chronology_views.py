"""A pupil's chronology (A.2.3): DSL and deputies only, a reason each session, every opening audited."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from custos.accounts import access
from custos.accounts.models import Pupil
from custos.cases import actions, chronology, forms
from custos.lib.http import AuthedRequest

REASON_KEY = "cases.chronology.reason.{}"


def _pupil_for(request: AuthedRequest, pupil_id: int) -> Pupil:
    pupil = Pupil.objects.select_related("school").filter(pk=pupil_id).first()
    if pupil is None or not access.can(request.user, "cases.view_chronology", pupil):
        raise Http404("No such pupil")
    return pupil


@require_http_methods(["GET", "POST"])
def pupil_chronology(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = _pupil_for(request, pupil_id)
    key = REASON_KEY.format(pupil.pk)
    if request.method == "POST":
        reason_form = forms.ChronologyReasonForm(request.POST)
        if reason_form.is_valid() and len(reason_form.cleaned_data["reason"].strip()) >= actions.MIN_REASON_CHARS:
            request.session[key] = reason_form.cleaned_data["reason"]
            return redirect("cases:chronology", pupil_id=pupil.pk)
        if reason_form.is_valid():
            reason_form.add_error("reason", "Say in a few words why you need this pupil's whole chronology.")
        return render(request, "cases/chronology_reason.html", {"pupil": pupil, "form": reason_form}, status=400)
    if not request.session.get(key):
        return render(request, "cases/chronology_reason.html", {"pupil": pupil, "form": forms.ChronologyReasonForm()})
    actions.record_chronology_view(pupil, by=request.user, reason=request.session[key])
    filters = forms.ChronologyFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    kinds = frozenset(chosen.get("kind") or (k for k, _ in chronology.LineKind.CHOICES))
    lines = chronology.lines_for(
        request.user,
        pupil,
        kinds=kinds,
        case_type=chosen.get("case_type") or "",
        since=chosen.get("since"),
        until=chosen.get("until"),
    )
    context = {
        "pupil": pupil,
        "lines": lines,
        "filters": filters,
        "printing": request.GET.get("print") == "1",
        "show_legal": access.can(request.user, "accounts.view_pupil_legal_name", pupil.school),
    }
    return render(request, "cases/chronology_print.html" if context["printing"] else "cases/chronology.html", context)
