from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.urls import reverse

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
