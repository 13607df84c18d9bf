from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "custos.mail"
    label = "custos_mail"
    verbose_name = "Mail"
