"""Settings come only from the environment; unsafe production settings refuse to start."""

import os
import secrets
import subprocess
import sys

from django.conf import settings
from django.test import SimpleTestCase

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOS_") and k != "DATABASE_URL"}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**CLEAN_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


class SettingsTests(SimpleTestCase):
    def test_debug_off_with_the_default_secret_key_refuses_to_start(self) -> None:
        result = manage("check")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("CUSTOS_SECRET_KEY must be set", result.stderr)

    def test_a_short_secret_key_refuses_to_start(self) -> None:
        result = manage("check", CUSTOS_SECRET_KEY="short")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("at least 50 characters", result.stderr)

    def test_a_malformed_value_is_named(self) -> None:
        result = manage("check", CUSTOS_DEBUG="maybe")
        self.assertIn("CUSTOS_DEBUG must be true or false, not 'maybe'", result.stderr)

    def test_the_demo_runs_with_local_defaults(self) -> None:
        self.assertEqual(manage("check", CUSTOS_DEBUG="true").returncode, 0)

    def test_production_settings_pass_the_deploy_checks_with_no_warning(self) -> None:
        result = manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            CUSTOS_SECRET_KEY=secrets.token_urlsafe(60),
            CUSTOS_ALLOWED_HOSTS="custos.example.org",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("no issues", result.stdout)
