from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "custos.accounts"
    label = "accounts"
    verbose_name = "Trust, schools and people"

    def ready(self) -> None:
        from custos.accounts import access, checks, signals  # noqa: F401  (the rules, deploy checks, audit receivers)
