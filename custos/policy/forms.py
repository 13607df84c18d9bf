from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from custos.lib.widgets import DatePicker


class AcknowledgeForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have read this version of the Social Media Policy and I will follow it",
        error_messages={"required": "Tick the box to confirm you have read the policy (sections 5 and 6)."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReviewOpenForm(forms.Form):
    review_date = forms.DateField(
        label="Review date",
        help_text="When the review should conclude, for example 31/07/2027",
        widget=DatePicker(),
    )
    reason = forms.CharField(
        label="Changing circumstances that prompt the review (10.1)", widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_review_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["review_date"]
        if value < timezone.localdate():
            raise forms.ValidationError("The review date must be today or later (10.1).")
        return value


class ConsultationNoteForm(forms.Form):
    organisation = forms.CharField(
        label="Trade union or teacher association (10.1)", max_length=200, help_text="For example NEU, NASUWT, UNISON"
    )
    met_on = forms.DateField(label="Date of the meeting or exchange", widget=DatePicker())
    notes = forms.CharField(label="What was discussed and agreed", widget=forms.Textarea(attrs={"rows": 6}))

    def clean_met_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["met_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("Record a consultation once it has taken place: the date is in the future.")
        return value


class DraftForm(forms.Form):
    label = forms.CharField(label="New version label", max_length=40, help_text="For example 2027.1")
    markdown = forms.CharField(
        label="Draft policy text",
        help_text="The whole policy in the Trust's format: numbered clauses such as - **6.1** …",
        widget=forms.Textarea(attrs={"rows": 24}),
        max_length=500_000,
    )

    def clean(self) -> dict[str, Any]:
        from custos.policy.parser import PolicyFormatError, parse_policy

        data = super().clean() or {}
        if data.get("markdown"):
            try:
                parse_policy(data["markdown"])
            except PolicyFormatError as exc:
                self.add_error("markdown", f"The draft could not be read: {exc}")
        return data


class CloseReviewForm(forms.Form):
    reason = forms.CharField(
        label="Why the review ends without a new version", widget=forms.Textarea(attrs={"rows": 3})
    )
