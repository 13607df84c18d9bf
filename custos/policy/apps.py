from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "custos.policy"
    label = "policy"
    verbose_name = "Policy"

    def ready(self) -> None:
        from custos.policy import waiting  # noqa: F401 - registers 'Waiting for me' items
