from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from custos.audit.privileges import grant_statements


class Command(BaseCommand):
    help = (
        "PostgreSQL: give the role the web and worker processes use everything they need, except any right to "
        "change or remove audit events. Run it as the role that owns the tables (the one that runs migrate)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the application's database role, e.g. custos_app")

    def handle(self, *args: object, role: str, **options: object) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Separate database roles are a PostgreSQL feature; nothing to do on SQLite.")
        with connection.cursor() as cursor:
            for statement in grant_statements(connection, role):
                cursor.execute(statement)
        self.stdout.write(self.style.SUCCESS(f"{role} may read and write Custos, and only append to the audit log."))
