"""Seed the host platforms table with common platforms' minimum ages (7.3, A.2.5).

The figures are the platforms' own terms for UK users as the Trust understood them when this was written; ICT
Managers keep them up to date on the Host platforms page. Education platforms have no age floor of their own:
their use by pupils rests on school-managed accounts and the school's own policy.
"""

from django.db import migrations

PLATFORMS = [
    ("Facebook", 13, "Meta's terms: 13 and over."),
    ("Instagram", 13, "Meta's terms: 13 and over."),
    ("X (Twitter)", 13, "X's terms: 13 and over."),
    (
        "YouTube",
        13,
        "13 and over for an own account. Under-13s only through supervised experiences or YouTube Kids, managed "
        "by a parent: not something a school site can rely on.",
    ),
    ("TikTok", 13, "TikTok's terms: 13 and over."),
    ("Snapchat", 13, "Snap's terms: 13 and over."),
    ("WhatsApp", 13, "13 and over in the UK (Meta lowered it from 16 in 2024)."),
    ("Discord", 13, "Discord's terms: 13 and over."),
    (
        "Microsoft Teams (school accounts)",
        0,
        "Education platform used with school-managed accounts: no age floor of its own; pupils' use is governed by "
        "the school's policy and parental consent. Check this before relying on it.",
    ),
    (
        "Google Classroom (school accounts)",
        0,
        "Education platform used with school-managed Google Workspace for Education accounts: no age floor of its "
        "own; pupils' use is governed by the school's policy and parental consent. Check this before relying on it.",
    ),
]


def seed(apps, schema_editor):
    HostPlatform = apps.get_model("custos_sites", "HostPlatform")
    for name, minimum_age, notes in PLATFORMS:
        HostPlatform.objects.get_or_create(name=name, defaults={"minimum_age": minimum_age, "notes": notes})


class Migration(migrations.Migration):
    dependencies = [("custos_sites", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
