"""Merge host platforms whose names differ only in capitals ("facebook" beside "Facebook"), before 0005 makes names
unique whatever their capitals (7.3, A.2.5).

A lower-case copy with a lower minimum age would let a form get round A.2.5, so each group keeps the entry with the
HIGHEST minimum age (the safe one; on a tie, the oldest entry). Sites that named a copy are moved to the kept entry,
and the kept entry's notes say what was merged, so the change can be seen on the Host platforms page. Nothing is
lost but the duplicate rows themselves. Run again, it finds nothing to do.
"""

from django.db import migrations
from django.db.models.functions import Lower


def merge(apps, schema_editor):
    HostPlatform = apps.get_model("custos_sites", "HostPlatform")
    Site = apps.get_model("custos_sites", "Site")
    groups: dict[str, list] = {}
    for platform in HostPlatform.objects.annotate(key=Lower("name")).order_by("pk"):
        groups.setdefault(platform.key.strip(), []).append(platform)
    for platforms in groups.values():
        if len(platforms) < 2:
            continue
        keep = max(platforms, key=lambda p: (p.minimum_age, -p.pk))
        merged = [p for p in platforms if p.pk != keep.pk]
        Site.objects.filter(host_platform__in=merged).update(host_platform=keep)
        note = "Merged with " + ", ".join(f"“{p.name}” (minimum age {p.minimum_age})" for p in merged)
        note += f" when names became unique whatever their capitals; the highest minimum age, {keep.minimum_age}, kept."
        keep.notes = f"{keep.notes}\n{note}".strip()
        keep.save(update_fields=["notes"])
        HostPlatform.objects.filter(pk__in=[p.pk for p in merged]).delete()


class Migration(migrations.Migration):
    dependencies = [("custos_sites", "0003_draft_dates_in_any_order")]

    operations = [migrations.RunPython(merge, migrations.RunPython.noop)]
