from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "custos.core"
    label = "core"
    verbose_name = "Custos"

    def ready(self) -> None:
        from custos.core import checks  # noqa: F401 - registers the demo's deploy check
