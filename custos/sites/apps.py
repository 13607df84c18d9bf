from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "custos.sites"
    label = "custos_sites"  # "sites" is django.contrib.sites'
    verbose_name = "Official sites (Appendix B)"

    def ready(self) -> None:
        from custos.sites import tasks, waiting  # noqa: F401 - registers the task and the waiting provider
