from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "custos.community"
    label = "community"
    verbose_name = "School-hosted spaces"

    def ready(self) -> None:
        from custos.community import tasks, waiting  # noqa: F401 - registers the task and the waiting provider
