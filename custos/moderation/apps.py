from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "custos.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from custos.moderation import tasks, waiting  # noqa: F401 - registers the task and the waiting provider
