from __future__ import annotations

from django import template

from custos.sso import providers

register = template.Library()


@register.simple_tag
def sso_providers() -> list[providers.ProviderConfig]:
    return providers.configured()
