from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "custos.privacy"
    label = "privacy"
    verbose_name = "Data protection rights"

    def ready(self) -> None:
        from custos.privacy import checks, tasks, waiting  # noqa: F401 - registers the check, tasks, 'Waiting for me'
