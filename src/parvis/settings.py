"""Django settings for Parvis.

Everything that differs between a laptop demo and a production server comes from the
environment, so that the same code runs everywhere (twelve-factor).
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("PARVIS_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("PARVIS_DEBUG", False)
# The demo key is only acceptable with DEBUG; production must set PARVIS_SECRET_KEY.
SECRET_KEY = os.environ.get("PARVIS_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("PARVIS_INSECURE_DEMO_KEY", True):
        raise RuntimeError("PARVIS_SECRET_KEY must be set in production")
    SECRET_KEY = "parvis-demo-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("PARVIS_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("PARVIS_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "dsfr",
    "parvis.audit",
    "parvis.people",
    "parvis.channels",
    "parvis.cases",
    "parvis.integrations",  # before console: its permissions exist when roles are set
    "parvis.console",
    "parvis.api",
    "parvis.demo",
    "parvis.portal",
    "parvis.rights",  # after console: its post_migrate adds its permissions to the roles
    "parvis.audiences",
    "parvis.journeys",
    "parvis.geo",  # after journeys: its post_migrate adds its permissions to the roles
    "parvis.appointments",  # after journeys: its post_migrate adds its permissions to the roles
    "parvis.assist",  # after console: its post_migrate adds its permissions to the roles
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "parvis.urls"
WSGI_APPLICATION = "parvis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "parvis.console.context_processors.console",
            ],
        },
    },
]

# SQLite under var/ is the embedded default: nothing to install for a demo.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'parvis.sqlite3'}"),
        conn_max_age=int(os.environ.get("PARVIS_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = (
        {"NAME": os.environ.get("PARVIS_TEST_SQLITE", "")}
        if os.environ.get("PARVIS_TEST_SQLITE")
        else {}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("PARVIS_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve straight from the apps' static folders when collectstatic was not run (demo, tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("PARVIS_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Celery: business state lives in the database; the broker only carries "wake up" signals.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("PARVIS_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    for sub in ("out", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("PARVIS_CELERY_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Search: queries longer than this are cut; nobody types a 10 kB name.
PARVIS_SEARCH_MAX_QUERY = 120
PARVIS_SEARCH_MAX_RESULTS = 50
PARVIS_API_MAX_PAGE_SIZE = 100
PARVIS_DEFAULT_REGION = "FR"
# Set by CI: a test needing a server (PostgreSQL, Redis, IMAP...) fails instead of skipping.
PARVIS_REQUIRE_SERVICES = env_bool("PARVIS_REQUIRE_SERVICES", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PARVIS_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Real public data (BAN addresses, service-public.fr fact sheets, local aids) shipped beside
# the repository in shared/data.
PARVIS_SHARED_DATA = Path(
    os.environ.get("PARVIS_SHARED_DATA", PROJECT_DIR.parent / "shared" / "data")
)

# Attachments: files above this size are refused (with the reason shown to the sender).
PARVIS_MAX_ATTACHMENT_BYTES = int(os.environ.get("PARVIS_MAX_ATTACHMENT_MB", "20")) * 1024 * 1024
# Antivirus: a clamd socket ("/run/clamav/clamd.ctl" or "tcp://127.0.0.1:3310"); empty = off.
PARVIS_CLAMD = os.environ.get("PARVIS_CLAMD", "")
PARVIS_CLAMD_TIMEOUT = float(os.environ.get("PARVIS_CLAMD_TIMEOUT", "30"))
# Archives (zip, and .docx/.odt which are zips) are inspected in memory, never extracted.
PARVIS_ARCHIVE_MAX_MEMBERS = int(os.environ.get("PARVIS_ARCHIVE_MAX_MEMBERS", "1000"))
PARVIS_ARCHIVE_MAX_UNCOMPRESSED_BYTES = (
    int(os.environ.get("PARVIS_ARCHIVE_MAX_UNCOMPRESSED_MB", "200")) * 1024 * 1024
)
PARVIS_ARCHIVE_MAX_RATIO = int(os.environ.get("PARVIS_ARCHIVE_MAX_RATIO", "100"))

# Outbound messages.
DEFAULT_FROM_EMAIL = os.environ.get(
    "PARVIS_FROM_EMAIL", "Mairie de Mont-Bonvillers <mairie@mont-bonvillers.localhost>"
)
EMAIL_HOST = os.environ.get("PARVIS_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("PARVIS_SMTP_PORT", "2525"))
EMAIL_HOST_USER = os.environ.get("PARVIS_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PARVIS_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("PARVIS_SMTP_TLS", False)
EMAIL_TIMEOUT = 30
PARVIS_EMAIL_DOMAIN = os.environ.get("PARVIS_EMAIL_DOMAIN", "mont-bonvillers.localhost")
# Inbound email, polled every minute: IMAP mailboxes as URLs (imaps://user:password@host/INBOX,
# comma-separated; see parvis.channels.imap) and local maildirs; larger messages are refused.
PARVIS_IMAP_MAILBOXES = env_list("PARVIS_IMAP_MAILBOXES")
PARVIS_MAILDIRS = env_list("PARVIS_MAILDIRS")
PARVIS_EMAIL_MAX_BYTES = int(os.environ.get("PARVIS_EMAIL_MAX_MB", "100")) * 1024 * 1024
PARVIS_SMS_PROVIDER = os.environ.get("PARVIS_SMS_PROVIDER", "parvis.channels.sms.LogProvider")
# SMS operator API (empty: the provider's own) and the webhooks it calls: /hooks/sms/<token>/...
PARVIS_SMS_API_URL = os.environ.get("PARVIS_SMS_API_URL", "")
PARVIS_SMS_WEBHOOK_TOKEN = os.environ.get("PARVIS_SMS_WEBHOOK_TOKEN", "")
PARVIS_SMS_WEBHOOK_IPS = env_list("PARVIS_SMS_WEBHOOK_IPS")  # addresses or networks; empty = any

# Citizen portal: e-mailed links (account and anonymous request confirmation) expire after this.
PARVIS_PORTAL_LINK_MAX_AGE = int(os.environ.get("PARVIS_PORTAL_LINK_MAX_AGE_HOURS", "72")) * 3600
# Journeys and the dispatch gate (parvis.channels.gate): links in messages, quiet hours
# ("20,8": nothing non-urgent from 20:00 to 08:00), contact pressure per purpose
# ("default=3/7,town_news=2/30": at most 3 messages in 7 days...; "alerts=off").
PARVIS_PUBLIC_URL = os.environ.get("PARVIS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
PARVIS_QUIET_HOURS = tuple(int(h) for h in os.environ.get("PARVIS_QUIET_HOURS", "20,8").split(","))
PARVIS_CONTACT_PRESSURE = os.environ.get("PARVIS_CONTACT_PRESSURE", "")
# Per-provider send rates for each delivery worker ("smtp=200/s,ovh=10/s,push=50/s").
PARVIS_RATE_LIMITS = os.environ.get("PARVIS_RATE_LIMITS", "")
# Informational purposes whose messages the pressure cap folds into a periodic digest.
PARVIS_DIGEST_PURPOSES = os.environ.get("PARVIS_DIGEST_PURPOSES", "town_news")
PARVIS_DIGEST_DAYS = int(os.environ.get("PARVIS_DIGEST_DAYS", "7"))
# Send at the hour each person usually opens (learned from tracked opens), when allowed.
PARVIS_SEND_TIME_OPTIMISATION = env_bool("PARVIS_SEND_TIME_OPTIMISATION", True)
# Web push (VAPID, RFC 8292): keys from `vapid --gen`; no key, no subscribe button.
PARVIS_VAPID_PUBLIC_KEY = os.environ.get("PARVIS_VAPID_PUBLIC_KEY", "")
PARVIS_VAPID_PRIVATE_KEY = os.environ.get("PARVIS_VAPID_PRIVATE_KEY", "")
PARVIS_VAPID_SUBJECT = os.environ.get("PARVIS_VAPID_SUBJECT", "")  # mailto: or https:
# Map tiles for the console's map ({z}/{x}/{y} URL template); empty: no tiles, the map still
# shows the addresses, areas and drawings on a blank background (no network at run time).
PARVIS_MAP_TILES = os.environ.get("PARVIS_MAP_TILES", "")
PARVIS_MAP_ATTRIBUTION = os.environ.get("PARVIS_MAP_ATTRIBUTION", "")
# Signed booking links in messages (appointments): valid this many days.
PARVIS_BOOKING_LINK_DAYS = int(os.environ.get("PARVIS_BOOKING_LINK_DAYS", "60"))
# FranceConnect (OpenID Connect) for citizens, on only when a client id is configured. The
# defaults are FranceConnect v2's integration platform; production is
# https://oidc.franceconnect.gouv.fr/api/v2 (PARVIS_OIDC_OP_BASE_URL).
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PARVIS_OIDC_ENABLED = bool(os.environ.get("PARVIS_OIDC_RP_CLIENT_ID"))
if PARVIS_OIDC_ENABLED:
    _op = os.environ.get(
        "PARVIS_OIDC_OP_BASE_URL", "https://fcp-low.integ01.dev-franceconnect.fr/api/v2"
    ).rstrip("/")
    OIDC_RP_CLIENT_ID = os.environ["PARVIS_OIDC_RP_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = os.environ.get("PARVIS_OIDC_RP_CLIENT_SECRET", "")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get(
        "PARVIS_OIDC_OP_AUTHORIZATION_ENDPOINT", f"{_op}/authorize"
    )
    OIDC_OP_TOKEN_ENDPOINT = os.environ.get("PARVIS_OIDC_OP_TOKEN_ENDPOINT", f"{_op}/token")
    OIDC_OP_USER_ENDPOINT = os.environ.get("PARVIS_OIDC_OP_USER_ENDPOINT", f"{_op}/userinfo")
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("PARVIS_OIDC_OP_JWKS_ENDPOINT", f"{_op}/jwks")
    OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("PARVIS_OIDC_OP_LOGOUT_ENDPOINT", f"{_op}/session/end")
    OIDC_RP_SIGN_ALGO = os.environ.get("PARVIS_OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = os.environ.get(
        "PARVIS_OIDC_RP_SCOPES", "openid given_name family_name preferred_username birthdate email"
    )
    # eidas1: FranceConnect's level of assurance; FranceConnect+ wants eidas2 or eidas3.
    OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": os.environ.get("PARVIS_OIDC_ACR", "eidas1")}
    OIDC_AUTHENTICATION_CALLBACK_URL = "portal:oidc-callback"
    OIDC_TIMEOUT = 15
    OIDC_STORE_ID_TOKEN = True  # FranceConnect wants it back at logout (id_token_hint)
    AUTHENTICATION_BACKENDS.append("parvis.portal.oidc.FranceConnectBackend")
