import csv

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from custos.accounts import access
from custos.accounts.models import Kind, School
from custos.lib.http import AuthedRequest
from custos.policy import actions, forms, queries
from custos.policy.diff import diff_clauses, summary
from custos.policy.models import Acknowledgement, Clause, PolicyReview, PolicyVersion


def policy(request: HttpRequest, label: str | None = None) -> HttpResponse:
    if label is None and getattr(request.user, "kind", "") != Kind.STAFF:
        return redirect("community:rules")  # the policy is written for staff: members read it in plain words (A.2.2)
    access.require(request.user, "policy.read")
    versions = PolicyVersion.objects.all()
    version = get_object_or_404(versions, label=label) if label else versions.filter(is_current=True).first()
    if version is None:
        raise Http404("No policy has been imported yet.")
    clauses = list(version.clauses.all())
    sections: list[tuple[str, str, list[Clause]]] = []
    for clause in clauses:
        if not sections or sections[-1][0] != clause.section:
            sections.append((clause.section, clause.section_title, []))
        sections[-1][2].append(clause)
    return render(request, "policy/policy.html", {"version": version, "sections": sections, "versions": versions})


def clause(request: HttpRequest, number: str) -> HttpResponse:
    access.require(request.user, "policy.read")
    found = get_object_or_404(Clause, version__is_current=True, number=number)
    return render(request, "policy/clause.html", {"clause": found})


# --- Acknowledgement (sections 5 and 6), its report, and the policy's review (10.1) ----------------------------


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def _sections(version: PolicyVersion) -> list[tuple[str, str, list[Clause]]]:
    sections: list[tuple[str, str, list[Clause]]] = []
    for item in version.clauses.all():
        if not sections or sections[-1][0] != item.section:
            sections.append((item.section, item.section_title, []))
        sections[-1][2].append(item)
    return sections


@require_http_methods(["GET", "POST"])
def acknowledge(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "policy.read")
    version = actions.current_version()
    if version is None:
        raise Http404("No policy has been imported yet.")
    mine = Acknowledgement.objects.filter(user=request.user).select_related("version")
    done = next((a for a in mine if a.version_id == version.pk), None)
    previous = next((a.version for a in mine if a.version_id != version.pk), None)
    form = forms.AcknowledgeForm(request.POST or None, initial={"version": version.pk})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["version"] != version.pk:
            form.add_error(None, f"A new version ({version.label}) came into force while you were reading: read it.")
        else:
            actions.acknowledge(request.user, version)
            messages.success(request, f"Thank you: you confirmed you have read version {version.label}.")
            return redirect(_safe_next(request))
    context = {
        "version": version,
        "done": done,
        "previous": previous,
        "sections": _sections(version),
        "form": form,
        "next": _safe_next(request),
    }
    return render(request, "policy/acknowledge.html", context)


def acknowledgements(request: AuthedRequest) -> HttpResponse:
    schools = queries.acknowledgement_schools(request.user)
    if not schools:
        access.require(request.user, "policy.view_acknowledgements", None)
        raise Http404
    school = _chosen_school(request, schools)
    version = actions.current_version()
    rows = queries.acknowledgement_rows(school, version) if version else []
    status = request.GET.get("status", "")
    if status in ("done", "waiting"):
        rows = [r for r in rows if (r.acknowledged_at is not None) == (status == "done")]
    if request.GET.get("format") == "csv":
        return _acknowledgements_csv(school, version, rows)
    context = {
        "schools": schools,
        "school": school,
        "version": version,
        "rows": rows,
        "status": status,
        "waiting_count": sum(1 for r in rows if r.acknowledged_at is None),
    }
    return render(request, "policy/acknowledgements.html", context)


def _chosen_school(request: HttpRequest, schools: list[School]) -> School:
    wanted = request.GET.get("school") or request.POST.get("school") or ""
    for school in schools:
        if str(school.pk) == wanted:
            return school
    if wanted:
        raise Http404("No such school in your report.")
    own = getattr(request.user, "school_id", None)
    return next((school for school in schools if school.pk == own), schools[0])


def _acknowledgements_csv(
    school: School, version: PolicyVersion | None, rows: list[queries.AcknowledgementRow]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    label = version.label if version else "none"
    response["Content-Disposition"] = f'attachment; filename="acknowledgements-{school.urn}-{label}.csv"'
    writer = csv.writer(response)
    writer.writerow(["School", "Name", "Username", "Staff type", "Job title", "Policy version", "Read on"])
    for row in rows:
        person = row.user
        read_on = row.acknowledged_at.astimezone().strftime("%Y-%m-%d %H:%M") if row.acknowledged_at else "not yet"
        values = [
            school.name,
            person.get_full_name(),
            person.username,
            person.get_staff_type_display(),
            person.job_title,
            label,
            read_on,
        ]
        # A cell starting with = + - @ would run as a formula in a spreadsheet: prefix it so it stays text.
        writer.writerow([f"'{v}" if v[:1] in ("=", "+", "-", "@") else v for v in values])
    return response


@require_POST
def send_reminders(request: AuthedRequest) -> HttpResponse:
    schools = queries.acknowledgement_schools(request.user)
    if not schools:
        raise Http404
    school = _chosen_school(request, schools)
    access.require(request.user, "policy.view_acknowledgements", school)
    try:
        count = actions.send_acknowledgement_reminders(school, by=request.user)
    except actions.PolicyActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Reminder sent to {count} member{'s' if count != 1 else ''} of staff at {school}.")
    return redirect(f"{reverse('policy_acknowledgements')}?school={school.pk}")


def version_changes(request: AuthedRequest, label: str, other: str) -> HttpResponse:
    """What changed between two versions, clause by clause, with a word-level diff (10.1)."""
    access.require(request.user, "policy.read")
    old = get_object_or_404(PolicyVersion, label=label)
    new = get_object_or_404(PolicyVersion, label=other)
    diffs = diff_clauses(old.clauses.values_list("number", "text"), new.clauses.values_list("number", "text"))
    show_all = request.GET.get("all") == "1"
    context = {
        "old": old,
        "new": new,
        "diffs": diffs if show_all else [d for d in diffs if d.change != "unchanged"],
        "summary": summary(diffs),
        "show_all": show_all,
    }
    return render(request, "policy/changes.html", context)


def _review_for(user: object, pk: int) -> PolicyReview:
    access.require(user, "policy.manage_review")
    return get_object_or_404(PolicyReview.objects.select_related("under_review", "draft"), pk=pk)


@require_http_methods(["GET", "POST"])
def reviews(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "policy.manage_review")
    form = forms.ReviewOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = actions.open_review(by=request.user, **form.cleaned_data)
        except actions.PolicyActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Review opened (10.1).")
            return redirect("policy_review", review.pk)
    all_reviews = PolicyReview.objects.select_related("under_review", "draft")
    return render(request, "policy/reviews.html", {"reviews": all_reviews, "form": form})


@require_http_methods(["GET", "POST"])
def review(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _review_for(request.user, pk)
    note_form = forms.ConsultationNoteForm(prefix="note")
    draft_form = forms.DraftForm(prefix="draft", initial={"markdown": (found.draft or found.under_review).source})
    close_form = forms.CloseReviewForm(prefix="close")
    error = ""
    if request.method == "POST":
        step = request.POST.get("step")
        bound: django_forms.Form | None = None
        try:
            if step == "note":
                bound = note_form = forms.ConsultationNoteForm(request.POST, prefix="note")
                if note_form.is_valid():
                    actions.add_consultation_note(found, by=request.user, **note_form.cleaned_data)
                    messages.success(request, "Consultation note added (10.1).")
                    return redirect("policy_review", found.pk)
            elif step == "draft":
                bound = draft_form = forms.DraftForm(request.POST, prefix="draft")
                if draft_form.is_valid():
                    actions.attach_draft(found, by=request.user, **draft_form.cleaned_data)
                    messages.success(request, "Draft attached. Check the changes below before publishing.")
                    return redirect("policy_review", found.pk)
            elif step == "publish":
                version = actions.publish_review(found, by=request.user)
                messages.success(
                    request, f"Version {version.label} is now in force. Every member of staff will be asked to read it."
                )
                return redirect("policy_review", found.pk)
            elif step == "close":
                bound = close_form = forms.CloseReviewForm(request.POST, prefix="close")
                if close_form.is_valid():
                    actions.close_review(found, by=request.user, reason=close_form.cleaned_data["reason"])
                    messages.success(request, "Review closed without a new version.")
                    return redirect("policy_review", found.pk)
            else:
                error = "Choose one of the actions on this page."
        except actions.PolicyActionError as exc:
            if bound is not None:
                bound.add_error(None, str(exc))
            else:
                error = str(exc)
        found.refresh_from_db()
    diffs = []
    if found.draft is not None:
        diffs = diff_clauses(
            found.under_review.clauses.values_list("number", "text"), found.draft.clauses.values_list("number", "text")
        )
    context = {
        "review": found,
        "notes": found.notes.select_related("written_by"),
        "note_form": note_form,
        "draft_form": draft_form,
        "close_form": close_form,
        "error": error,
        "diffs": [d for d in diffs if d.change != "unchanged"],
        "summary": summary(diffs) if diffs else None,
    }
    return render(request, "policy/review.html", context)
