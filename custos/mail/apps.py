from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "custos.mail"
    label = "custos_mail"
    verbose_name = "Mail"

    def ready(self) -> None:
        from custos.mail import checks  # noqa: F401 - registers the retention setting check
