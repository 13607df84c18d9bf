from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "custos.moderation"
    label = "moderation"
    verbose_name = "Moderation"
