"""Test-run environment: production-like settings (DEBUG off) with a throwaway key, no HTTPS redirect."""

import os

os.environ.setdefault("CUSTOS_SECRET_KEY", "test-only-key-" + "x" * 50)
os.environ.setdefault("CUSTOS_SSL_REDIRECT", "false")
os.environ.setdefault("CUSTOS_HSTS_SECONDS", "0")
os.environ.setdefault("CUSTOS_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
