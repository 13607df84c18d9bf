from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "custos.notify"
    label = "custos_notify"
    verbose_name = "Urgent notifications"

    def ready(self) -> None:
        from custos.notify import checks, rules  # noqa: F401 - registers the settings check and the permission
