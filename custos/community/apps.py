from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "custos.community"
    label = "community"
    verbose_name = "School-hosted spaces"
