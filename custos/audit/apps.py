from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "custos.audit"
    label = "audit"
    verbose_name = "Audit log"
