from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "custos.policy"
    label = "policy"
    verbose_name = "Policy"
