from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from custos.accounts.models import Kind, Role, School, StaffType, User
from custos.mail.actions import queue_email


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label="Email address or username",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email address or username and password do not match an account. "
        "Check them and try again.",
        "inactive": "This account has been closed. Ask your school's ICT Manager if you need it again.",
    }


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset mail goes through the background worker like every other message."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        link = f"{context['protocol']}://{context['domain']}{path}"
        queue_email(user, "password_reset", {"link": link, "user": user})


class TokenForm(forms.Form):
    token = forms.CharField(
        label="6-digit code from your authenticator app",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("The code is 6 digits, like 123456.")
        return token


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Roster CSV exported from your MIS",
        help_text="Columns: UPN, Legal Forename, Legal Surname, Preferred Forename, Preferred Surname, Year, DOB.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 5 MB; a roster export is much smaller.")
        return upload


class RosterConfirmForm(forms.Form):
    """The second step of a roster import: apply exactly the plan that was previewed (its digest)."""

    digest = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    understood = forms.BooleanField(
        required=False,
        label="I have checked the pupils listed as leaving: they have left the school",
    )

    def __init__(self, *args: Any, many_leaving: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.many_leaving = many_leaving

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.many_leaving and not cleaned.get("understood"):
            self.add_error(
                "understood",
                "Tick the box to confirm that so many pupils really have left: a partial export (one year group, "
                "a test file) would mark everyone else as left.",
            )
        return cleaned


# Roles held at one school; the Executive Headteacher and HR are Trust-wide roles (RoleAssignment.school empty).
SCHOOL_ROLES = [(value, label) for value, label in Role.choices if value not in {Role.EXECUTIVE_HEADTEACHER, Role.HR}]


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name()} ({obj.email})"


class AssignRoleForm(forms.Form):
    """Give a member of the school's staff (or of the Trust's central team) a role at the school (issue 15)."""

    person = PersonField(queryset=User.objects.none(), label="Person")
    role = forms.ChoiceField(choices=SCHOOL_ROLES, label="Role")
    starts_on = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Until (optional)", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, school: School, by: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"starts_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.by = by
        person = self.fields["person"]
        assert isinstance(person, forms.ModelChoiceField)
        person.queryset = (
            User.objects.filter(kind=Kind.STAFF, is_active=True)
            .filter(Q(school=school) | Q(school__isnull=True))
            .order_by("last_name", "first_name")
        )

    def clean_person(self) -> User:
        person: User = self.cleaned_data["person"]
        if person.pk == self.by.pk:
            raise forms.ValidationError("Someone else must give you a role: nobody assigns a role to themselves.")
        return person

    def clean_starts_on(self) -> dt.date:
        starts_on: dt.date = self.cleaned_data["starts_on"]
        if starts_on < timezone.localdate():
            raise forms.ValidationError("A role starts today or later: it cannot be given for days already past.")
        return starts_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The last day must be on or after the first day.")
        return cleaned


class EndRoleForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    last_day = forms.DateField(label="Last day in the role", widget=forms.DateInput(attrs={"type": "date"}))

    def clean_last_day(self) -> dt.date:
        last_day: dt.date = self.cleaned_data["last_day"]
        if last_day < timezone.localdate():
            raise forms.ValidationError("The last day is today or later: a role cannot end in the past.")
        return last_day


class InviteStaffForm(forms.Form):
    """A new member of staff (2.1): they get a one-time link by email to choose their password."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(label="Email address", max_length=254, help_text="Their sign-in, usually the school one")
    staff_type = forms.ChoiceField(label="Staff type (2.1)", choices=StaffType.choices)
    job_title = forms.CharField(max_length=120, required=False, help_text="Shown beside their posts (A.4.8)")
