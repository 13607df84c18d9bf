from __future__ import annotations

from typing import Any

from django import forms

from custos.accounts.models import School
from custos.api.models import Scope


class TokenForm(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none(), empty_label=None)
    name = forms.CharField(max_length=100, help_text="Which integration will use it, e.g. “Facebook comment export”.")
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Give the integration only what it needs.",
        error_messages={"required": "Choose at least one scope."},
    )

    def __init__(self, *args: Any, schools: list[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = School.objects.filter(pk__in=[s.pk for s in schools])
        if len(schools) == 1:
            field.initial = schools[0].pk
