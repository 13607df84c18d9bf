from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "custos.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring of internet use"

    def ready(self) -> None:
        from custos.monitoring import waiting  # noqa: F401 - registers the "Waiting for me" provider
