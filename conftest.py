def pytest_configure(config):
    from django.conf import settings

    # Hashing passwords slowly is the point in production and a waste of minutes in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests read static files from the apps (production serves the collected, hashed copies: see test_settings).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    # Uploaded files written by tests go to a throwaway folder, not the demo's.
    import tempfile

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="custos-test-media-")
    _let_committing_tests_empty_the_audit_log()


def _let_committing_tests_empty_the_audit_log() -> None:
    """Tests that commit (TransactionTestCase, django_db(transaction=True)) empty every table afterwards; the
    audit log's append-only trigger is lifted for that flush only, and put back before the next test."""
    from django.db import connections
    from django.test import TransactionTestCase

    from custos.audit.schema import lift_for_flush, restore_after_flush

    original = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        aliases = list(self._databases_names(include_mirrors=False))
        for alias in aliases:
            lift_for_flush(connections[alias])
        try:
            original(self)
        finally:
            for alias in aliases:
                restore_after_flush(connections[alias])

    TransactionTestCase._fixture_teardown = _fixture_teardown


import os  # noqa: E402
import shutil  # noqa: E402

import pytest  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser_page(live_server):
    """A page in Debian's chromium (driven by Playwright) against the live test server; skips without chromium."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        # Phone-sized by default: 360 CSS pixels is the narrowest common phone screen.
        context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 800})
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
