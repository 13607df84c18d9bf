from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "custos.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from custos.cases import tasks, waiting  # noqa: F401  (register the task and the 'Waiting for me' provider)
