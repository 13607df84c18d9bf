from django import forms

from custos.notify.models import ChannelKind


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(
        label="How",
        choices=[("", "Choose…"), *[(k.value, k.label) for k in ChannelKind if k != ChannelKind.EMAIL]],
    )
    address = forms.CharField(
        label="Mobile number or webhook address",
        max_length=600,
        help_text="A UK mobile number for text messages; for Teams or Slack, the incoming webhook's https address "
        "(from the channel's Workflows or Incoming Webhooks settings).",
    )
