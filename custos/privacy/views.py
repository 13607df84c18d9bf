"""Data-protection rights pages: the privacy notice, retention, my details and corrections, subject access."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from custos.accounts import access
from custos.accounts.models import Pupil, Role
from custos.lib.http import AuthedRequest
from custos.privacy import actions, forms, queries
from custos.privacy.models import CorrectionRequest
from custos.privacy.retention import CLAUSE as RETENTION_CLAUSE
from custos.privacy.retention import archive_days


@login_not_required
def notice(request: HttpRequest) -> HttpResponse:
    """Public, like any privacy notice: people are told what is held before they ever sign in (UK GDPR Art. 13)."""
    return render(request, "privacy/notice.html")


def retention(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "privacy.view_retention")
    # Module paths, settings and task names are for the ICT Manager, who runs them; everyone else reads the rules.
    internals = access.holds_role_anywhere(request.user, Role.ICT_MANAGER)
    rows = queries.retention_rows()
    if not internals:
        rows = [queries.in_plain_words(row) for row in rows]
    return render(request, "privacy/retention.html", {"rows": rows, "internals": internals})


@require_http_methods(["GET", "POST"])
def my_details(request: AuthedRequest) -> HttpResponse:
    person = request.user
    access.require(person, "privacy.request_correction")
    allowed = actions.CORRECTABLE.get(person.kind, ())
    form = forms.CorrectionForm(request.POST or None, fields=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_correction(
                person,
                field=form.cleaned_data["field"],
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
            )
        except actions.PrivacyError as error:
            form.add_error("value", str(error))
        else:
            messages.success(request, "Your request has been sent. You will get an email with the decision.")
            return redirect("privacy:my_details")
    context = {
        "form": form,
        "pupil": Pupil.objects.filter(user=person).select_related("school").first(),
        "requests": CorrectionRequest.objects.filter(person=person).select_related("decided_by")[:20],
    }
    return render(request, "privacy/my_details.html", context, status=400 if form.errors else 200)


def corrections(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "privacy.list_corrections")
    return render(request, "privacy/corrections.html", {"items": queries.corrections_to_decide(request.user)})


@require_http_methods(["GET", "POST"])
def decide_correction(request: AuthedRequest, pk: int) -> HttpResponse:
    correction = queries.get_correction_for(request.user, pk)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.decide_correction(
                correction,
                by=request.user,
                apply=form.cleaned_data["decision"] == "apply",
                note=form.cleaned_data["note"],
            )
        except actions.PrivacyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Decision recorded; the person has been told.")
            return redirect("privacy:corrections")
    return render(
        request, "privacy/decide.html", {"correction": correction, "form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def sars(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "privacy.list_sars")
    form = forms.SarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subject = queries.find_subject(request.user, form.cleaned_data["person"])
        if subject is None:
            form.add_error("person", "Nobody you may run a request for has that email address, username or UPN.")
        else:
            try:
                sar = actions.request_export(subject, by=request.user, received_on=form.cleaned_data["received_on"])
            except actions.PrivacyError as error:
                form.add_error(None, str(error))
            else:
                return redirect("privacy:sar", pk=sar.pk)
    page = Paginator(queries.sars_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "privacy/sars.html", {"form": form, "page": page}, status=400 if form.errors else 200)


def sar(request: AuthedRequest, pk: int) -> HttpResponse:
    context = {
        "sar": queries.get_sar_for(request.user, pk),
        "archive_days": archive_days(),
        "retention_clause": RETENTION_CLAUSE,
    }
    return render(request, "privacy/sar.html", context)


@require_http_methods(["POST"])
def download(request: AuthedRequest, pk: int) -> HttpResponse:
    sar = queries.get_sar_for(request.user, pk, with_archive=True)
    try:
        data = actions.record_download(sar, by=request.user)
    except actions.PrivacyError as error:
        messages.error(request, str(error))
        return redirect("privacy:sar", pk=sar.pk)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{sar.pk}.zip"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
