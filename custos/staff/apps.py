from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "custos.staff"
    label = "staff"
    verbose_name = "Staff compliance"

    def ready(self) -> None:
        from custos.staff import waiting  # noqa: F401 - registers 'Waiting for me' items
