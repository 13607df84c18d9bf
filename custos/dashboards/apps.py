from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "custos.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"
