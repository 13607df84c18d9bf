from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "custos.staff"
    label = "staff"
    verbose_name = "Staff compliance"
