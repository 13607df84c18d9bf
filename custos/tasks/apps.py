from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class TasksConfig(AppConfig):
    name = "custos.tasks"
    label = "custos_tasks"
    verbose_name = "Background work"

    def ready(self) -> None:
        autodiscover_modules("tasks")
