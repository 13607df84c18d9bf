from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "custos.privacy"
    label = "privacy"
    verbose_name = "Data protection rights"
