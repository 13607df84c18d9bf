from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from custos.accounts.models import User
from custos.community.actions import MAX_BODY
from custos.community.images import MAX_BYTES
from custos.community.queries import roster_label
from custos.sites.models import Site


class ContributionForm(forms.Form):
    body = forms.CharField(
        label="Your contribution",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=MAX_BODY,
        help_text="A moderator checks every contribution before anyone else sees it.",
    )
    image = forms.FileField(
        label="Image (optional)", required=False, help_text="JPEG, PNG or WebP, up to 5 MB and 25 megapixels."
    )
    alt_text = forms.CharField(
        label="Describe the image", required=False, max_length=250, help_text="For people who cannot see it."
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_image(self) -> object:
        upload = self.cleaned_data.get("image")
        if upload is None:
            return None
        from custos.community.images import ImageRejected, clean_image

        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The image is larger than 5 MB. Make it smaller and try again.")
        try:
            return clean_image(upload, size=upload.size)
        except ImageRejected as error:
            raise forms.ValidationError(str(error)) from error


class TermsForm(forms.Form):
    accept = forms.BooleanField(
        label="I have read the Terms of Use and House Rules and will keep to them", required=True
    )


class ReportForm(forms.Form):
    reason = forms.CharField(label="What is wrong with it?", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class JoinForm(forms.Form):
    reason = forms.CharField(
        label="Why would you like to join?", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    organisation_name = forms.CharField(
        label="Joining on behalf of an organisation? Its name",
        required=False,
        max_length=200,
        help_text="An organisation needs the Head of School's approval as well.",
    )


class RosterField(forms.ModelMultipleChoiceField):
    """The school's roster, each person labelled with what the inviter needs to choose well (A.2.6)."""

    site: Site | None = None
    today: dt.date | None = None

    def label_from_instance(self, obj: User) -> str:
        if self.site is None:
            return str(obj)
        return roster_label(obj, self.site, self.today or timezone.localdate())


class InviteForm(forms.Form):
    people = RosterField(
        queryset=User.objects.none(),
        label="Staff and pupils to invite",
        help_text="Pupils are shown by the name they go by, with their year group and age. On a computer, hold Ctrl "
        "(Cmd on a Mac) to choose more than one.",
    )

    def __init__(self, *args: Any, queryset: QuerySet[User], site: Site | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["people"]
        assert isinstance(field, RosterField)
        field.queryset = queryset
        field.site = site
        field.today = timezone.localdate()


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    notes = forms.CharField(
        label="What you checked, or why not", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class StatusForm(forms.Form):
    to = forms.ChoiceField(
        label="Change to", choices=[("suspended", "Suspended"), ("active", "Reinstated"), ("removed", "Removed")]
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class PseudonymForm(forms.Form):
    pseudonym = forms.CharField(label="Pseudonym", max_length=60)
