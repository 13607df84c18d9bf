from django import forms

from custos.lib.widgets import DatePicker


class AuditSearchForm(forms.Form):
    q = forms.CharField(label="Object or person", required=False, max_length=100)
    action = forms.CharField(
        label="Action",
        required=False,
        max_length=100,
        help_text="The start of the event's code, as in its raw record: for example “cases” or “site”",
    )
    since = forms.DateField(label="From", required=False, widget=DatePicker())
    until = forms.DateField(label="To", required=False, widget=DatePicker())

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("“From” must be on or before “To”.")
        return data
