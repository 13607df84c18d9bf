from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.accounts import access, actions, links, queries, two_factor
from custos.accounts.actions import RosterChanged, RosterPlan, confirm_roster_import, preview_roster_import
from custos.accounts.forms import (
    AssignRoleForm,
    EndRoleForm,
    InviteStaffForm,
    QueuedPasswordResetForm,
    RosterConfirmForm,
    RosterUploadForm,
    SignInForm,
    TokenForm,
)
from custos.accounts.models import Pupil, Role, RoleAssignment, School
from custos.audit.actions import record
from custos.lib.http import AuthedRequest


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Signing out says so: on a shared school computer the next person should see the account was closed."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if signed_in:
            messages.info(request, "You have signed out.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("password_reset_done")


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


@require_http_methods(["GET", "POST"])
def second_factor(request: AuthedRequest) -> HttpResponse:
    """Set up (first time) or check the TOTP code of a person whose role needs it."""
    user = request.user
    if two_factor.is_verified(user):
        return redirect(_safe_next(request))
    device = two_factor.confirmed_device(user) or two_factor.pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # Lock the device so one code sent many times at once is accepted once (django-otp records last_t).
            locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            accepted = locked.verify_is_allowed()[0] and locked.verify_token(form.cleaned_data["token"])
            if accepted and not locked.confirmed:
                locked.confirmed = True
                locked.save(update_fields=["confirmed"])
                record(user, "two_factor.enrolled", user, school_id=user.school_id)
        if accepted:
            otp_login(request, locked)
            return redirect(_safe_next(request))
        if two_factor.was_just_used(locked, form.cleaned_data["token"]):
            form.add_error(
                "token",
                "That code has just been used to sign you in, and each code works only once. Wait for your "
                "authenticator app to show the next code (they change every 30 seconds), then type that one.",
            )
        else:
            form.add_error("token", "That code was not accepted. Codes change every 30 seconds: try the current one.")
    context = {
        "form": form,
        "setting_up": not device.confirmed,
        "qr": two_factor.qr_svg(device) if not device.confirmed else "",
        "next": _safe_next(request),
    }
    return render(request, "accounts/two_factor.html", context)


# The session came through a one-time sign-in link (invitations: enrolment of a second factor happens there).
ARRIVED_BY_LINK = "custos_arrived_by_link"


@login_not_required
@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest, token: str) -> HttpResponse:
    """A one-time sign-in link: choose a password, then (where the role needs it) set up the authenticator app."""
    link = links.usable_link(token)
    if link is None:
        return render(request, "accounts/welcome.html", {"usable": False}, status=410)
    form = SetPasswordForm(link.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = links.use_link(token, password=form.cleaned_data["new_password1"])
        except links.LinkNotUsable:
            return render(request, "accounts/welcome.html", {"usable": False}, status=410)
        login(request, user, backend="custos.accounts.backends.UsernameOrEmailBackend")
        request.session[ARRIVED_BY_LINK] = True
        return redirect("two_factor" if two_factor.needs_second_factor(user) else "home")
    return render(request, "accounts/welcome.html", {"usable": True, "form": form, "person": link.user})


def roster(request: AuthedRequest, school_id: int) -> HttpResponse:
    school = get_object_or_404(School, pk=school_id)
    access.require(request.user, "accounts.view_roster", school)
    show_legal = access.can(request.user, "accounts.view_pupil_legal_name", school)
    pupils = (
        Pupil.objects.filter(school=school, on_roll=True)
        .select_related("user")
        .order_by("year_group", "preferred_last_name", "legal_last_name")
    )
    year = request.GET.get("year", "")
    if year.isdigit():
        pupils = pupils.filter(year_group=int(year))
    may_reopen = access.can(request.user, "accounts.reopen_pupil_account", school)
    listed = list(pupils)
    return render(
        request,
        "accounts/pupil_roster.html",
        {
            "school": school,
            "pupils": listed,
            "may_reopen": may_reopen,
            "closed_accounts": may_reopen and any(p.user is not None and not p.user.is_active for p in listed),
            "show_legal": show_legal,
            "year": year,
            "years": [("0", "Reception"), *((str(y), f"Year {y}") for y in range(1, 14))],
            "may_import": access.can(request.user, "accounts.import_roster", school),
        },
    )


def reopen_pupil_account(request: AuthedRequest, school_id: int, pupil_id: int) -> HttpResponse:
    """Reopen the closed account of a pupil back on roll (A.5.7); their places in spaces are not given back."""
    school = get_object_or_404(School, pk=school_id)
    access.require(request.user, "accounts.reopen_pupil_account", school)
    pupil = get_object_or_404(Pupil, pk=pupil_id, school=school)
    if request.method != "POST":  # after the access check: an outsider learns nothing from a 405
        return HttpResponseNotAllowed(["POST"])
    try:
        actions.reopen_pupil_account(pupil, by=request.user)
    except actions.AccountNotReopened as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{pupil.known_as}'s account is open again: they can sign in. "
            "They will need to be invited to spaces again.",
        )
    target = reverse("roster", args=[school.pk])
    year = request.POST.get("year", "")
    return HttpResponseRedirect(f"{target}?year={year}" if year.isdigit() else target)


def _preview_key(school: School) -> str:
    return f"roster_preview:{school.pk}"


def _remember_preview(request: AuthedRequest, school: School, data: bytes, plan: RosterPlan) -> None:
    """The uploaded file stays server-side, in this person's session, until they confirm or upload another."""
    request.session[_preview_key(school)] = {"data": base64.b64encode(data).decode(), "digest": plan.digest}


def _previewed_file(request: AuthedRequest, school: School, digest: str) -> bytes | None:
    stored = request.session.get(_preview_key(school))
    if not stored or stored.get("digest") != digest:
        return None
    return base64.b64decode(stored["data"])


def _render_preview(request: AuthedRequest, plan: RosterPlan, form: RosterConfirmForm | None = None) -> HttpResponse:
    return render(
        request,
        "accounts/roster_import_preview.html",
        {
            "school": plan.school,
            "plan": plan,
            "form": form or RosterConfirmForm(initial={"digest": plan.digest}, many_leaving=plan.many_leaving),
            "show_legal": access.can(request.user, "accounts.view_pupil_legal_name", plan.school),
        },
    )


@require_http_methods(["GET", "POST"])
def roster_import(request: AuthedRequest, school_id: int) -> HttpResponse:
    """Upload an MIS export and see what it would change; nothing is written until the person confirms."""
    school = get_object_or_404(School, pk=school_id)
    access.require(request.user, "accounts.import_roster", school)
    if request.method == "POST" and "digest" in request.POST:
        return _roster_confirm(request, school)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        plan = preview_roster_import(school, data)
        if plan.ok:
            _remember_preview(request, school, data, plan)
            return _render_preview(request, plan)
    return render(request, "accounts/roster_upload.html", {"school": school, "form": form, "plan": plan})


def _roster_confirm(request: AuthedRequest, school: School) -> HttpResponse:
    again = reverse("roster_import", args=[school.pk])
    digest = request.POST.get("digest", "")
    data = _previewed_file(request, school, digest)
    if data is None:
        messages.error(request, "That preview has expired or was replaced by a newer upload. Nothing was imported.")
        return HttpResponseRedirect(again)
    plan = preview_roster_import(school, data)
    form = RosterConfirmForm(request.POST, many_leaving=plan.many_leaving)
    if not form.is_valid():
        return _render_preview(request, plan, form)
    try:
        plan = confirm_roster_import(school, data, digest=form.cleaned_data["digest"], by=request.user)
    except RosterChanged as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(again)
    finally:
        request.session.pop(_preview_key(school), None)
    messages.success(
        request,
        f"Roster imported: {len(plan.added)} added, {len(plan.updated)} updated, {plan.unchanged} unchanged, "
        f"{len(plan.leavers)} marked as left.",
    )
    return HttpResponseRedirect(reverse("roster", args=[school.pk]))


@require_http_methods(["GET", "POST"])
def school_roles(request: AuthedRequest, school_id: int) -> HttpResponse:
    """Who holds each role at the school, with dates; assign and end roles (issue 15, item 4)."""
    school = get_object_or_404(School, pk=school_id)
    access.require(request.user, "accounts.manage_roles", school)
    action = request.POST.get("action", "")
    assign = AssignRoleForm(request.POST if action == "assign" else None, school=school, by=request.user)
    end = EndRoleForm(request.POST if action == "end" else None)
    here = reverse("school_roles", args=[school.pk])
    try:
        if action == "assign" and assign.is_valid():
            data = assign.cleaned_data
            actions.assign_role(
                data["person"], data["role"], school=school, starts_on=data["starts_on"], ends_on=data["ends_on"],
                by=request.user,
            )  # fmt: skip
            messages.success(request, f"{data['person']} is now {dict(Role.choices)[data['role']]} at {school.name}.")
            return HttpResponseRedirect(here)
        if action == "end" and end.is_valid():
            assignment = get_object_or_404(RoleAssignment, pk=end.cleaned_data["assignment"], school=school)
            ended = actions.end_role(assignment, last_day=end.cleaned_data["last_day"], by=request.user)
            messages.success(
                request, f"{ended.user} stops being {ended.get_role_display()} after {ended.ends_on:%d/%m/%Y}."
            )
            return HttpResponseRedirect(here)
    except actions.RoleNotChanged as refused:
        messages.error(request, str(refused))
        return HttpResponseRedirect(here)
    context = {
        "school": school,
        "holders": queries.role_holders(school),
        "staff_by_type": queries.staff_by_type(school),
        "assign": assign,
        "end_errors": end.errors if action == "end" else {},
        "today": timezone.localdate(),
        "required_roles": [str(role) for role in actions.REQUIRED_ROLES],
    }
    return render(request, "accounts/school_roles.html", context, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def staff_directory(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The school's staff (2.1); add a person, who is invited by a one-time link by email (issue 15, item 3)."""
    school = get_object_or_404(School, pk=school_id)
    access.require(request.user, "accounts.manage_staff", school)
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = links.invite_staff_member(school, **form.cleaned_data, by=request.user)
        except links.NotInvited as refused:
            form.add_error("email", str(refused))
        else:
            messages.success(request, f"{person} was added and invited by email to {person.email}.")
            return HttpResponseRedirect(reverse("staff_directory", args=[school.pk]))
    context = {"school": school, "people": queries.staff_directory(school), "form": form}
    return render(request, "accounts/staff_directory.html", context, status=400 if form.errors else 200)
