from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "custos.sites"
    label = "custos_sites"  # "sites" is django.contrib.sites'
    verbose_name = "Official sites (Appendix B)"
