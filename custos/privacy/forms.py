from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from custos.lib.widgets import DatePicker
from custos.privacy.models import CorrectableField


class SarForm(forms.Form):
    person = forms.CharField(
        label="The person's email address, username or UPN",
        max_length=254,
        help_text="Staff and external members by email or username; pupils by their UPN.",
    )
    received_on = forms.DateField(
        label="Date the request was received",
        widget=DatePicker(),
        help_text="The one-month time limit runs from this day.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()

    def clean_received_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date the request was received cannot be in the future.")
        return day


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label="Which detail is wrong?")
    value = forms.CharField(
        label="What it should be", max_length=254, error_messages={"required": "Enter what the detail should be."}
    )
    reason = forms.CharField(
        label="Anything the person correcting it should know (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )

    def __init__(self, *args: Any, fields: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["field"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [(f, CorrectableField(f).label) for f in fields]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=[("apply", "Correct it"), ("decline", "Do not correct it")], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note to the person (required when not correcting)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )
