from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "custos.sso"
    label = "sso"
    verbose_name = "Single sign-on"
