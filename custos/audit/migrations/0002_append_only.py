"""The database itself refuses to change or remove an audit event (see custos/audit/schema.py)."""

from django.db import migrations

from custos.audit.schema import backward, forward


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
