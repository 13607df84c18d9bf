"""Thin views: a person's own ways of being reached urgently (A.2.3)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from custos.accounts import access
from custos.lib.http import AuthedRequest
from custos.notify import actions, forms
from custos.notify.models import Channel


@require_http_methods(["GET", "POST"])
def channels(request: AuthedRequest) -> HttpResponse:
    access.require(request.user, "notify.manage_own_channels")
    form = forms.ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_channel(request.user, by=request.user, **form.cleaned_data)
        except actions.ChannelError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, "Added. Urgent alerts now reach you this way too.")
            return redirect("notify:channels")
    context = {"form": form, "channels": Channel.objects.filter(user=request.user)}
    return render(request, "notify/channels.html", context, status=400 if form.errors else 200)


@require_POST
def channel_remove(request: AuthedRequest, channel_id: int) -> HttpResponse:
    access.require(request.user, "notify.manage_own_channels")
    try:
        actions.remove_channel(channel_id, by=request.user)
    except actions.ChannelError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Removed.")
    return redirect("notify:channels")
