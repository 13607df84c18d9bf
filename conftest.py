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
