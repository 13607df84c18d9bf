"""Custos settings: every value comes from the environment, with a safe local default for the demo.

Unsafe production combinations refuse to start (see ``_require``); ``docs/deploy.md`` lists every variable.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CUSTOS_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def _env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ImproperlyConfigured(message)


DEBUG = _env_bool("CUSTOS_DEBUG", False)

_DEV_SECRET_KEY = "custos-insecure-local-demo-key-never-use-in-production"  # noqa: S105 - refused unless DEBUG
SECRET_KEY = os.environ.get("CUSTOS_SECRET_KEY", _DEV_SECRET_KEY)
_require(
    DEBUG or SECRET_KEY != _DEV_SECRET_KEY,
    "CUSTOS_SECRET_KEY must be set to a long random value when CUSTOS_DEBUG is off.",
)
_require(
    DEBUG or len(SECRET_KEY) >= 50,
    "CUSTOS_SECRET_KEY must be at least 50 characters when CUSTOS_DEBUG is off.",
)

ALLOWED_HOSTS = _env_list("CUSTOS_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
# Uploaded files are served from their own origin, as attachments, by short-lived signed links (issue 9;
# custos/lib/uploads.py). Empty = the app's own origin, for the demo. See docs/deploy.md, "The media origin".
CUSTOS_MEDIA_ORIGIN = os.environ.get("CUSTOS_MEDIA_ORIGIN", "").strip().rstrip("/")
CUSTOS_MEDIA_URL_SECONDS = _env_int("CUSTOS_MEDIA_URL_SECONDS", 300)
_require(CUSTOS_MEDIA_URL_SECONDS >= 1, "CUSTOS_MEDIA_URL_SECONDS must be at least 1.")
_media = urlsplit(CUSTOS_MEDIA_ORIGIN)
_require(
    not CUSTOS_MEDIA_ORIGIN
    or (
        _media.scheme in ({"https", "http"} if DEBUG else {"https"})
        and bool(_media.hostname)
        and not (_media.path or _media.query or _media.fragment or _media.username)
    ),
    "CUSTOS_MEDIA_ORIGIN must be an origin like https://media.custos.example.org (no path), https unless debugging.",
)
if _media.hostname and _media.hostname not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_media.hostname)
CSRF_TRUSTED_ORIGINS = _env_list("CUSTOS_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("CUSTOS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "custos.core",
    "custos.accounts",
    "custos.audit",
    "custos.tasks",
    "custos.mail",
    "custos.policy",
    "custos.sites",
    "custos.community",
    "custos.moderation",
    "custos.cases",
    "custos.staff",
    "custos.monitoring",
    "custos.api",
    "custos.sso",
    "custos.dashboards",
    "custos.privacy",
    "custos.notify",
    # --- API and single sign-on (issue 10; custos/api, custos/sso) ---
    "rest_framework",
    "drf_spectacular",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Answers the media origin's signed file links itself (like WhiteNoise), before sessions and sign-in (issue 9).
    "custos.lib.uploads.MediaOriginMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "custos.accounts.middleware.SecondFactorRequiredMiddleware",
    "custos.policy.middleware.PolicyAcknowledgementRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "custos.core.middleware.PlainNotFoundMiddleware",
]

ROOT_URLCONF = "custos.urls"
WSGI_APPLICATION = "custos.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "custos" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "custos.core.context_processors.school_brand",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'custos.sqlite3'}"),
        conn_max_age=_env_int("CUSTOS_DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web process read while the worker writes; IMMEDIATE takes the write lock at BEGIN, so two
    # writers queue instead of one failing with "database is locked" halfway through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so that tests can start a real worker process against the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
if os.environ.get("CUSTOS_TEST_DB_NAME"):
    # Separate test databases for test runs side by side (a path for SQLite, a database name for PostgreSQL).
    DATABASES["default"]["TEST"] = {"NAME": os.environ["CUSTOS_TEST_DB_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "custos.accounts.backends.UsernameOrEmailBackend",
]

# OWASP ASVS 5.0 V6.2 (L2): at least 8 characters, no composition rules, common and breached passwords refused.
# The breached-password check is offline: Django's list of 20,000 common passwords, plus the trust's own words.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "custos.accounts.validators.ContextWordsValidator"},
    {"NAME": "custos.accounts.validators.MaximumLengthValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): by account *and* address together, never by address alone, because a whole
# school signs in from one address. Five failures lock that account from that address for fifteen minutes.
AXES_FAILURE_LIMIT = _env_int("CUSTOS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = _env_int("CUSTOS_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "custos.accounts.backends.account_name"  # the account, whether named by address or username
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = _env_int("CUSTOS_PROXY_COUNT", 0)
AXES_VERBOSE = False

OTP_TOTP_ISSUER = os.environ.get("CUSTOS_OTP_ISSUER", "Custos")
OTP_TOTP_THROTTLE_FACTOR = 1

SESSION_COOKIE_AGE = _env_int("CUSTOS_SESSION_HOURS", 10) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = _env_bool("CUSTOS_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = _env_int("CUSTOS_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if _env_bool("CUSTOS_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: only this origin's files, and inline scripts only with the response's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *([CUSTOS_MEDIA_ORIGIN] if CUSTOS_MEDIA_ORIGIN else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("CUSTOS_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("CUSTOS_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(os.environ.get("CUSTOS_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880

EMAIL_HOST = os.environ.get("CUSTOS_EMAIL_HOST", "")
EMAIL_PORT = _env_int("CUSTOS_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("CUSTOS_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CUSTOS_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("CUSTOS_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = _env_int("CUSTOS_EMAIL_TIMEOUT", 20)
# With no SMTP server configured the demo prints mail in the worker's output instead of losing it.
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("CUSTOS_FROM_EMAIL", "Custos <custos@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: tasks are rows written in the same transaction as the change that asks for them, run by the
# embedded worker (manage.py run_worker) or, with CUSTOS_TASK_BACKEND=celery, by Celery workers.
CUSTOS_TASK_BACKEND = os.environ.get("CUSTOS_TASK_BACKEND", "database")
_require(CUSTOS_TASK_BACKEND in {"database", "celery"}, "CUSTOS_TASK_BACKEND must be 'database' or 'celery'.")
CUSTOS_TASK_LEASE_SECONDS = _env_int("CUSTOS_TASK_LEASE_SECONDS", 300)
CUSTOS_TASK_POLL_SECONDS = float(os.environ.get("CUSTOS_TASK_POLL_SECONDS", "0.5"))
CELERY_BROKER_URL = os.environ.get("CUSTOS_CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
_require(
    CUSTOS_TASK_BACKEND != "celery" or bool(os.environ.get("CUSTOS_CELERY_BROKER_URL")),
    "CUSTOS_CELERY_BROKER_URL must be set when CUSTOS_TASK_BACKEND is celery.",
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _env_int("CUSTOS_CELERY_VISIBILITY_TIMEOUT", 3600),
    # Sending happens after a web request commits: with the broker down, give up within a second (the Job row is
    # safe and the sweep re-sends it) rather than hold the request while kombu retries.
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULE = {"custos-tick": {"task": "custos.tick", "schedule": 10.0}}
# A live site with no administrator or moderator activity for this long is flagged as neglected (A.1.6).
CUSTOS_SITE_NEGLECT_DAYS = _env_int("CUSTOS_SITE_NEGLECT_DAYS", 28)
# Case evidence is kept exactly as received, outside MEDIA_ROOT and never served by URL (quarantine, A.5.6).
CUSTOS_CASE_EVIDENCE_ROOT = Path(os.environ.get("CUSTOS_CASE_EVIDENCE_ROOT", VAR_DIR / "private" / "case-evidence"))
# Monitoring aggregates (clause 8.1) are kept this long, then deleted (data minimisation).
CUSTOS_MONITORING_RETENTION_DAYS = _env_int("CUSTOS_MONITORING_RETENTION_DAYS", 365)
# Emails Custos has sent are kept this long, then deleted; unsent mail is kept until it is sent (storage limitation).
CUSTOS_MAIL_RETENTION_DAYS = _env_int("CUSTOS_MAIL_RETENTION_DAYS", 90)
# A subject access archive is deleted this many days after it was gathered; the request record stays.
CUSTOS_SAR_ARCHIVE_DAYS = _env_int("CUSTOS_SAR_ARCHIVE_DAYS", 30)
# Urgent alerts (A.2.3) by text message through GOV.UK Notify: the trust's API key and an SMS template whose text is
# "((message))" alone (checked by custos_notify.E001-E003); and the hosts Teams and Slack incoming webhooks live on.
CUSTOS_NOTIFY_API_KEY = os.environ.get("CUSTOS_NOTIFY_API_KEY", "")
CUSTOS_NOTIFY_SMS_TEMPLATE_ID = os.environ.get("CUSTOS_NOTIFY_SMS_TEMPLATE_ID", "")
CUSTOS_NOTIFY_BASE_URL = os.environ.get("CUSTOS_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
CUSTOS_WEBHOOK_HOSTS = {
    "teams": _env_list(
        "CUSTOS_TEAMS_WEBHOOK_HOSTS", ["webhook.office.com", "logic.azure.com", "environment.api.powerplatform.com"]
    ),
    "slack": _env_list("CUSTOS_SLACK_WEBHOOK_HOSTS", ["hooks.slack.com"]),
}
# Conversations (A.2.2, A.2.3): a member's last N messages in a space within D days are screened together.
CUSTOS_CONVERSATION_MESSAGES = _env_int("CUSTOS_CONVERSATION_MESSAGES", 20)
CUSTOS_CONVERSATION_DAYS = _env_int("CUSTOS_CONVERSATION_DAYS", 14)
if not 2 <= CUSTOS_CONVERSATION_MESSAGES <= 200:
    raise ImproperlyConfigured("CUSTOS_CONVERSATION_MESSAGES must be a whole number from 2 to 200.")
if not 1 <= CUSTOS_CONVERSATION_DAYS <= 365:
    raise ImproperlyConfigured("CUSTOS_CONVERSATION_DAYS must be a whole number of days from 1 to 365.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CUSTOS_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- REST API (issue 10, custos/api): bearer tokens per integration, JSON only, one error shape, OpenAPI 3 ---
CUSTOS_API_REQUESTS_PER_MINUTE = _env_int("CUSTOS_API_REQUESTS_PER_MINUTE", 120)
_require(CUSTOS_API_REQUESTS_PER_MINUTE >= 1, "CUSTOS_API_REQUESTS_PER_MINUTE must be at least 1.")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["custos.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["custos.api.authentication.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["custos.api.authentication.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "custos.api.errors.handle",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Custos API",
    "DESCRIPTION": "Screen texts against the Trust's Social Media Policy, submit comments exported from "
    "third-party-hosted sites for moderation (A.5.5), and read the school's sites inventory and queue counts. "
    "Each integration has its own token from the school's ICT Manager, limited to one school and its scopes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}

# --- Single sign-on (issue 10, custos/sso): OpenID Connect with Microsoft Entra ID and Google Workspace ---
# Each provider is on when its client id, secret and allowed email domains are all set; a half-set provider, an
# http discovery address or a multi-tenant Entra ID endpoint refuses to start. See docs/sso.md.
_ENTRA_MULTI_TENANT = {"common", "organizations", "consumers"}


def _sso_provider(key: str, label: str, default_discovery: str) -> dict[str, object] | None:
    client_id = os.environ.get(f"CUSTOS_SSO_{key}_CLIENT_ID", "")
    client_secret = os.environ.get(f"CUSTOS_SSO_{key}_CLIENT_SECRET", "")
    domains = [d.lower().lstrip("@") for d in _env_list(f"CUSTOS_SSO_{key}_DOMAINS", [])]
    discovery = os.environ.get(f"CUSTOS_SSO_{key}_DISCOVERY_URL", "") or default_discovery
    if not (client_id or client_secret or domains):
        return None
    _require(
        bool(client_id and client_secret and domains),
        f"Single sign-on with {label} needs CUSTOS_SSO_{key}_CLIENT_ID, _CLIENT_SECRET and _DOMAINS all set.",
    )
    _require(bool(discovery), f"CUSTOS_SSO_{key}_TENANT_ID (or _DISCOVERY_URL) must be set for {label}.")
    _require(discovery.startswith("https://"), f"CUSTOS_SSO_{key}_DISCOVERY_URL must be an https:// address.")
    return {
        "label": label,
        "client_id": client_id,
        "client_secret": client_secret,
        "discovery_url": discovery,
        "domains": domains,
    }


_entra_tenant = os.environ.get("CUSTOS_SSO_MICROSOFT_TENANT_ID", "").strip()
_require(
    _entra_tenant.lower() not in _ENTRA_MULTI_TENANT,
    "CUSTOS_SSO_MICROSOFT_TENANT_ID must be the Trust's own tenant id, not a multi-tenant endpoint.",
)
CUSTOS_SSO_PROVIDERS = {
    name: provider
    for name, provider in {
        "microsoft": _sso_provider(
            "MICROSOFT",
            "Microsoft",
            f"https://login.microsoftonline.com/{_entra_tenant}/v2.0/.well-known/openid-configuration"
            if _entra_tenant
            else "",
        ),
        "google": _sso_provider("GOOGLE", "Google", "https://accounts.google.com/.well-known/openid-configuration"),
    }.items()
    if provider is not None
}
