"""Backup and restore: database and uploads into an empty install, the audit chain verifying afterwards."""

import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from custos.core.tests.test_settings import CLEAN_ENV


def manage(*args: str, db: Path, media: Path) -> subprocess.CompletedProcess:
    env = {
        **CLEAN_ENV,
        "CUSTOS_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{db}",
        "CUSTOS_MEDIA_ROOT": str(media),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


class BackupRestoreTests(SimpleTestCase):
    def test_a_backup_restores_into_an_empty_install_with_the_audit_chain_intact(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            source_db, source_media = root / "source.sqlite3", root / "media-a"
            for step in (["migrate", "-v0"], ["import_policy"], ["seed_demo"]):
                result = manage(*step, db=source_db, media=source_media)
                self.assertEqual(result.returncode, 0, result.stderr)
            archive = root / "backup.tar.gz"
            result = manage("backup", str(archive), db=source_db, media=source_media)
            self.assertEqual(result.returncode, 0, result.stderr)
            with tarfile.open(archive) as tar:
                names = tar.getnames()
            self.assertIn("data.jsonl", names)
            self.assertTrue(any(n.startswith("media/logos/") for n in names))

            target_db, target_media = root / "target.sqlite3", root / "media-b"
            self.assertEqual(manage("migrate", "-v0", db=target_db, media=target_media).returncode, 0)
            result = manage("restore", str(archive), db=target_db, media=target_media)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("Audit chain intact", result.stdout)
            self.assertTrue(list((target_media / "logos").glob("*.png")))
            counts = manage(
                "shell",
                "-c",
                "from custos.accounts.models import *; print(User.objects.count(), Pupil.objects.count())",
                db=target_db,
                media=target_media,
            )
            source_counts = manage(
                "shell",
                "-c",
                "from custos.accounts.models import *; print(User.objects.count(), Pupil.objects.count())",
                db=source_db,
                media=source_media,
            )
            self.assertEqual(counts.stdout, source_counts.stdout)

            again = manage("restore", str(archive), db=target_db, media=target_media)
            self.assertNotEqual(again.returncode, 0)
            self.assertIn("already has data", again.stderr)

    def test_a_damaged_backup_is_refused_and_nothing_is_restored(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            db, media = root / "a.sqlite3", root / "media"
            manage("migrate", "-v0", db=db, media=media)
            manage("import_policy", db=db, media=media)
            archive = root / "backup.tar.gz"
            manage("backup", str(archive), db=db, media=media)
            damaged = root / "damaged.tar.gz"
            with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
                for member in src.getmembers():
                    extracted = src.extractfile(member)
                    assert extracted is not None
                    data = extracted.read()
                    if member.name == "data.jsonl":
                        data = data.replace(b"Social Media Policy", b"Social Media Polixy")
                    member.size = len(data)
                    dst.addfile(member, io.BytesIO(data))
            target = root / "b.sqlite3"
            manage("migrate", "-v0", db=target, media=media)
            result = manage("restore", str(damaged), db=target, media=media)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("data.jsonl is missing or damaged", result.stderr)
