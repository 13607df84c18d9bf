"""Thin views over custos.sites.actions: check access, read the form, call one action, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from custos.accounts import access
from custos.accounts.models import School
from custos.lib.http import AuthedRequest
from custos.sites import actions, queries
from custos.sites.content import content_sha256, current_roles
from custos.sites.forms import (
    CloseForm,
    CoverForm,
    DecisionForm,
    ExtensionDecisionForm,
    ExtensionForm,
    PlatformForm,
    site_form,
)
from custos.sites.models import ClosureExtension, HostPlatform, Site, SiteKind, SiteState


def index(request: AuthedRequest) -> HttpResponse:
    user = request.user
    access.require(user, "policy.read")
    mine = (
        Site.objects.filter(Q(author=user) | Q(roles__user=user))
        .select_related("school", "host_platform")
        .distinct()
        .order_by("-updated_at")
    )
    context = {
        "sites": mine,
        "may_draft": user.school is not None and access.can(user, "sites.draft_site", user.school),
        "inventory_schools": [s for s in School.objects.all() if access.can(user, "sites.view_inventory", s)],
        "may_trust": access.can(user, "sites.view_trust_inventory"),
    }
    return render(request, "sites/index.html", context)


@require_http_methods(["GET", "POST"])
def new(request: AuthedRequest, kind: str = SiteKind.OWN) -> HttpResponse:
    school = request.user.school
    if school is None or not access.can(request.user, "sites.draft_site", school):
        return render(request, "403.html", status=403)
    return _form_page(request, None, school, kind)


@require_http_methods(["GET", "POST"])
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    site = queries.get_site_for(request.user, pk, "sites.edit_site")
    return _form_page(request, site, site.school, site.kind)


def _form_page(request: AuthedRequest, site: Site | None, school: School, kind: str) -> HttpResponse:
    initial = {"seen_sha256": content_sha256(site, current_roles(site))} if site else {}
    form = site_form(kind, request.POST or None, school=school, instance=site, initial=initial, author=request.user)
    submit = "submit" in request.POST
    if request.method == "POST" and not form.is_valid():
        if submit:
            form.report_policy_errors(timezone.localdate())
        form.add_error(None, NOTHING_SAVED)
    elif request.method == "POST":
        try:
            saved = actions.save_form(
                site,
                by=request.user,
                school=school,
                kind=kind,
                fields=form.model_values(),
                roles=form.role_values(),
                submit=submit,
                seen_sha256=form.cleaned_data.get("seen_sha256") or "",
            )
        except actions.SubmissionRefused as refused:
            for field, errors in refused.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        except actions.SiteError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _saved_message(saved))
            return redirect("sites:detail", saved.pk)
    return render(request, "sites/form.html", {"form": form, "site": site, "kind": kind, "school": school})


NOTHING_SAVED = (
    "Nothing was saved: some answers could not be stored as they are. Correct those marked below, then save "
    "or submit again."
)


def _saved_message(site: Site) -> str:
    if site.state == SiteState.SUBMITTED:
        return "Saved and sent to the ICT Manager for approval (A.3.6)."
    return "Saved. Submit it to the ICT Manager when it is ready."


def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    site = queries.get_site_for(request.user, pk)
    return _detail_page(request, site)


def _detail_page(request: AuthedRequest, site: Site, decision_form: DecisionForm | None = None) -> HttpResponse:
    """The site page; ``decision_form`` is a bound decision that was refused, shown again with its errors."""
    user = request.user
    step = actions.step_for(site)
    may_decide = step is not None and access.can(user, f"sites.decide_as_{step}", site)
    if may_decide and decision_form is None:
        decision_form = DecisionForm(initial={"seen_sha256": content_sha256(site, current_roles(site))})
    open_extension = site.extensions.filter(state__in=["with_ict", "with_head"]).first()
    ext_step = {"with_ict": "ict", "with_head": "head"}.get(open_extension.state) if open_extension else None
    return render(
        request,
        "sites/detail.html",
        {
            "site": site,
            "form": site_form(site.kind, school=site.school, instance=site),
            "signatures": site.signatures.select_related("approver", "extension"),
            "step": step,
            "decision_form": decision_form if may_decide else None,
            "may_edit": access.can(user, "sites.edit_site", site),
            "may_manage": access.can(user, "sites.manage_site", site),
            "open_extension": open_extension,
            "extension_form": ExtensionDecisionForm()
            if ext_step and access.can(user, f"sites.decide_as_{ext_step}", site)
            else None,
        },
    )


@require_POST
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    site = queries.get_site_for(request.user, pk)
    step = actions.step_for(site)
    if step is None or not access.can(request.user, f"sites.decide_as_{step}", site):
        messages.error(request, "This form is not waiting for your decision.")
        return redirect("sites:detail", site.pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        if "seen_sha256" in form.errors:
            messages.error(request, "The page was out of date. Read the form again before you decide.")
            return redirect("sites:detail", site.pk)
        # The standard error summary, which takes focus, and the error beside its field; what was typed is kept.
        return _detail_page(request, site, form)
    try:
        signature = actions.decide(
            site,
            by=request.user,
            step=step,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
            seen_sha256=form.cleaned_data["seen_sha256"],
        )
    except actions.Conflict as conflict:
        messages.error(request, str(conflict))
    except actions.SiteError as error:
        form.add_error(None, str(error))
        return _detail_page(request, site, form)
    else:
        messages.success(request, f"Your decision is recorded: {signature.get_decision_display().lower()}.")
    return redirect("sites:detail", site.pk)


def printable(request: AuthedRequest, pk: int) -> HttpResponse:
    site = queries.get_site_for(request.user, pk)
    return render(
        request,
        "sites/print.html",
        {
            "site": site,
            "form": site_form(site.kind, school=site.school, instance=site),
            "roles": current_roles(site),
            "sha": content_sha256(site, current_roles(site)),
            "ict": site.signatures.filter(step="ict", extension=None, decision="approved", invalidated_at=None)
            .select_related("approver")
            .last(),
            "head": site.signatures.filter(step="head", extension=None, decision="approved", invalidated_at=None)
            .select_related("approver")
            .last(),
            "printed_at": timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
def close(request: AuthedRequest, pk: int) -> HttpResponse:
    site = queries.get_site_for(request.user, pk, "sites.manage_site")
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if site.state == SiteState.CLOSED:
                actions.record_evaluation(site, by=request.user, **form.cleaned_data)
            else:
                actions.close_site(site, by=request.user, **form.cleaned_data)
        except actions.SiteError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Closed, with its evaluation recorded (A.1.7)."
                if site.state != SiteState.CLOSED
                else "Evaluation recorded (A.1.7).",
            )
            return redirect("sites:detail", site.pk)
    return render(request, "sites/close.html", {"site": site, "form": form})


@require_http_methods(["GET", "POST"])
def cover(request: AuthedRequest, pk: int) -> HttpResponse:
    site = queries.get_site_for(request.user, pk, "sites.manage_site")
    form = CoverForm(request.POST or None, school=site.school)
    if request.method == "POST" and form.is_valid():
        try:
            actions.name_cover(site, by=request.user, user=form.cleaned_data["user"])
        except actions.SiteError as error:
            form.add_error("user", str(error))
        else:
            messages.success(request, f"{form.cleaned_data['user']} is now a cover moderator (A.5.4).")
            return redirect("sites:detail", site.pk)
    moderators = queries.moderators_of(site)
    today = timezone.localdate()
    available = set(
        queries.available_on(moderators, site.school, today, today + dt.timedelta(days=7)).values_list("pk", flat=True)
    )
    return render(
        request, "sites/cover.html", {"site": site, "form": form, "moderators": moderators, "available": available}
    )


@require_http_methods(["GET", "POST"])
def extend(request: AuthedRequest, pk: int) -> HttpResponse:
    site = queries.get_site_for(request.user, pk, "sites.manage_site")
    form = ExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_extension(
                site,
                by=request.user,
                closes_on=form.cleaned_data["closes_on_requested"],
                reason=form.cleaned_data["reason"],
            )
        except actions.SiteError as error:
            form.add_error("closes_on_requested", str(error))
        else:
            messages.success(
                request, "Extension requested: it needs the ICT Manager's and the Head's approval (A.1.6)."
            )
            return redirect("sites:detail", site.pk)
    return render(request, "sites/extend.html", {"site": site, "form": form})


@require_POST
def decide_extension(request: AuthedRequest, pk: int) -> HttpResponse:
    extension = get_object_or_404(ClosureExtension, pk=pk)
    site = queries.get_site_for(request.user, extension.site_id)
    form = ExtensionDecisionForm(request.POST)
    if form.is_valid():
        try:
            actions.decide_extension(extension, by=request.user, **form.cleaned_data)
        except actions.SiteError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Your decision on the extension is recorded.")
    else:
        messages.error(request, "Choose approve, return or reject.")
    return redirect("sites:detail", site.pk)


def school_inventory(request: AuthedRequest, school_id: int) -> HttpResponse:
    school = get_object_or_404(School, pk=school_id)
    access.require(request.user, "sites.view_inventory", school)
    return _inventory(request, [school], f"Official sites at {school.name}")


def trust_inventory(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "sites.view_trust_inventory")
    return _inventory(request, list(School.objects.all()), "Official sites across the Trust")


def _inventory(request: AuthedRequest, schools: list[School], title: str) -> HttpResponse:
    sites = queries.inventory(schools)
    state = request.GET.get("state", "")
    if state in SiteState.values:
        sites = sites.filter(state=state)
    return render(
        request, "sites/inventory.html", {"sites": sites, "title": title, "states": SiteState.choices, "state": state}
    )


def platforms(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "sites.view_platforms")
    return render(
        request,
        "sites/platforms.html",
        {
            "platforms": HostPlatform.objects.select_related("updated_by"),
            "may_manage": access.can(request.user, "sites.manage_platforms"),
        },
    )


@require_http_methods(["GET", "POST"])
def platform_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    access.require(request.user, "sites.manage_platforms")
    platform = get_object_or_404(HostPlatform, pk=pk) if pk else None
    form = PlatformForm(request.POST or None, instance=platform)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_platform(platform, by=request.user, **form.cleaned_data)
        except actions.SiteError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, "Saved.")
            return redirect("sites:platforms")
    return render(request, "sites/platform_form.html", {"form": form, "platform": platform})
