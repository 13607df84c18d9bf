"""Back up the database and uploaded files into one archive, and restore it into an empty install.

The archive (``.tar.gz``) holds ``data.jsonl`` (every row, as Django's serialiser writes it, so a backup from
SQLite restores into PostgreSQL and back), ``media/`` (uploaded files) and ``manifest.json`` (when, which
migrations, and the SHA-256 of every member, checked before anything is restored).
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from custos.accounts.models import User

# Derived or short-lived data a restore does not need: rebuilt by Django, or sessions to sign in again.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]
FORMAT = 1


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def create_backup(destination: Path) -> dict[str, Any]:
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.jsonl"
        call_command(
            "dumpdata",
            *[f"--exclude={label}" for label in EXCLUDED],
            format="jsonl",
            natural_foreign=True,
            output=str(data),
            verbosity=0,
        )
        files = {"data.jsonl": _sha256(data)}
        media = sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
        for path in media:
            files["media/" + path.relative_to(media_root).as_posix()] = _sha256(path)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database_vendor": connection.vendor,
            "migrations": sorted(f"{a}.{n}" for a, n in MigrationRecorder(connection).applied_migrations()),
            "files": files,
        }
        destination.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(destination, "w:gz") as archive:
            raw = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
            archive.add(data, arcname="data.jsonl")
            for path in media:
                archive.add(path, arcname="media/" + path.relative_to(media_root).as_posix())
    return manifest


def restore_backup(source: Path) -> dict[str, Any]:
    """Restore into an empty, migrated install. Refuses (changing nothing) if anything does not check out."""
    if User.objects.exists():
        raise BackupError("This install already has data; restore only into an empty, migrated database.")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(source, "r:gz") as archive:
        archive.extractall(tmp, filter="data")
        root = Path(tmp)
        manifest = json.loads((root / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
        for name, digest in manifest["files"].items():
            member = root / name
            if not member.is_file() or _sha256(member) != digest:
                raise BackupError(f"{name} is missing or damaged in the backup; nothing was restored.")
        applied = {f"{a}.{n}" for a, n in MigrationRecorder(connection).applied_migrations()}
        missing = sorted(set(manifest["migrations"]) - applied)
        if missing:
            raise BackupError("Run `manage.py migrate` first; this install lacks " + ", ".join(missing[:5]))
        call_command("loaddata", str(root / "data.jsonl"), verbosity=0)
        media_root = Path(settings.MEDIA_ROOT)
        if (root / "media").exists():
            shutil.copytree(root / "media", media_root, dirs_exist_ok=True)
    return manifest
