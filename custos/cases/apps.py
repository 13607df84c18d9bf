from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "custos.cases"
    label = "cases"
    verbose_name = "Cases"
