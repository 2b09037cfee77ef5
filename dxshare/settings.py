"""dxshare settings: one file, configured from the environment (12-factor).

Every variable is documented in .env.example. A .env file beside manage.py is read if present; real environment
variables win over it.
"""

import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ
import pghistory
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from dxshare.env_checks import code_only, production_problems, refusal_message

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
elif code_only(sys.argv):
    SECRET_KEY = SECRET_KEY or "code-only-command-never-serves-a-request"
elif problems := production_problems(
    debug=DEBUG, secret_key=SECRET_KEY, allowed_hosts=ALLOWED_HOSTS, redis_url=env.str("REDIS_URL", default="")
):
    sys.exit(refusal_message(problems))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "csp",
    "pgtrigger",
    "pghistory",
    # ours, from the ground floor up (see docs/architecture.md)
    "dxshare",
    "accounts",
    "notifications",
    "municipalities",
    "specialists",
    "consultations",
    "visits",
    "reports",
    "knowledge",
    "audit",
    "demo",
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
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "accounts.middleware.PrivatePagesMiddleware",
    "audit.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "dxshare.urls"
WSGI_APPLICATION = "dxshare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# Forms render through Jinja2 (dxshare.forms.FormRenderer); jinja2/django/forms/field.html marks required fields.
FORM_RENDERER = "dxshare.forms.FormRenderer"

# --- Database ---------------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'dxshare.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)  # the quick start's database lives here; nothing to create by hand
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        # Server-side parameters let psycopg prepare the statements every page repeats (parsed once per connection,
        # a few milliseconds a page). Each query is still planned for its own values (force_custom_plan): a list of
        # one specialist's requests and a search for a rare word need other plans than the average one.
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, options="-c plan_cache_mode=force_custom_plan"
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL  # only tasks that ask for it keep a result (ignore_result=False)
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # Quick start: nothing to install. Tasks run in-process, right after the transaction commits.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Hour (local time, TIME_ZONE: CELERY_TIMEZONE below) at which beat sends the daily notification digest.
NOTIFICATION_DIGEST_HOUR = env.int("NOTIFICATION_DIGEST_HOUR", default=8)
# Hard time limit (seconds) of a task that sends one e-mail; a claim on a row expires 30 s after it, so what a killed
# worker held goes out again with the next sweep. Keep EMAIL_TIMEOUT well below it.
NOTIFICATION_SEND_TIME_LIMIT = env.int("NOTIFICATION_SEND_TIME_LIMIT", default=60)
# Reminders of the day before (a visit, an event, a follow-up) are due at this hour, local time.
REMINDER_HOUR = env.int("REMINDER_HOUR", default=9)
CELERY_BEAT_SCHEDULE: dict = {
    "notifications-send-digests": {
        "task": "notifications.send_digests",
        "schedule": crontab(hour=NOTIFICATION_DIGEST_HOUR, minute=0),
    },
    # Due reminders become e-mails; lost, failed or abandoned e-mails go out again. Two beats running it is safe.
    "notifications-sweep": {"task": "notifications.sweep", "schedule": 60.0},
    # The coordinators' weekly digests: each programme chooses its day and hour (municipalities.ReminderPolicy).
    "reports-weekly-digests": {"task": "reports.weekly_digests", "schedule": crontab(minute=5)},
    # The dashboards' figures of this fiscal year (a snapshot per programme; the page says how fresh it is).
    "reports-refresh-figures": {"task": "reports.refresh_figures", "schedule": crontab(minute="*/10")},
    # Surveys after visits done, events ended and requests closed: opened once each, invitations by e-mail.
    "reports-open-surveys": {"task": "reports.open_surveys", "schedule": crontab(minute="*/15")},
}

# --- Authentication (django-allauth; e-mail login, no open sign-up) ---------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [  # Django's and allauth's, loading the user's programme and organisation with them
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
# No "remember me": a session ends when the browser closes, after a working day (SESSION_COOKIE_AGE) however busy,
# and after SESSION_IDLE_MINUTES without a page for the centre and site administrators (accounts.middleware).
ACCOUNT_SESSION_REMEMBER = False
SESSION_COOKIE_AGE = env.int("SESSION_HOURS", default=10) * 3600
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=120)
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# An invitation link stays valid this many seconds (its own signed token: accounts.invitations). Password-reset links
# keep Django's own lifetime (PASSWORD_RESET_TIMEOUT, three days).
INVITATION_VALID_SECONDS = env.int("INVITATION_VALID_SECONDS", default=72 * 3600)

# Two-factor sign-in (allauth.mfa): an authenticator app (TOTP) with recovery codes, and security keys (WebAuthn).
# Required for site administrators, the centre head and coordinators (accounts.two_factor), offered to everyone.
# Wrong codes count against the same limit as wrong passwords (five per account in five minutes).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="dxshare")
MFA_TOTP_PERIOD = 30
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # security keys on http://localhost during development only

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- The audit trail (dxshare.history, audit/) -----------------------------------------------------------------
PGHISTORY_APPEND_ONLY = True  # triggers refuse UPDATE and DELETE on the history tables
# The snapshots' copies of foreign keys are plain columns: no constraint (the row they name may be deleted later) and
# no index (the trail is read by object, by time and by person, each served by its own index).
PGHISTORY_FOREIGN_KEY_FIELD = pghistory.ForeignKey(db_constraint=False, db_index=False)

# --- Internationalisation and time -------------------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ja")
LANGUAGES = [("ja", "日本語"), ("en", "English")]  # each in its own language, for the switcher
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Tokyo")
CELERY_TIMEZONE = TIME_ZONE  # beat's crontab hours (the daily digest) are local time too
USE_I18N = True
USE_TZ = True
# Date and time formats per language (dxshare/formats): 2027年1月29日（金） 14:00.
FORMAT_MODULE_PATH = ["dxshare.formats"]

# --- Static and uploaded files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")  # never served directly: views check permissions
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=5)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- E-mail ----------------------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)  # seconds; below NOTIFICATION_SEND_TIME_LIMIT
# "utf-8" (the default) or "iso-2022-jp" for older mail systems; a message with a character outside JIS X 0208 then
# goes out in UTF-8 (notifications.mail).
EMAIL_CHARSET = env.str("EMAIL_CHARSET", default="utf-8").lower()
if EMAIL_CHARSET not in ("utf-8", "iso-2022-jp"):
    raise ImproperlyConfigured("EMAIL_CHARSET must be utf-8 or iso-2022-jp.")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="dxshare <noreply@dxshare.invalid>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")  # for links in e-mails and tasks
# The domain part of the UIDs in iCalendar feeds (RFC 5545: globally unique, and stable: never change it once people
# have subscribed, or their calendars show every item twice).
ICALENDAR_UID_DOMAIN = env.str("ICALENDAR_UID_DOMAIN", default="") or urlsplit(SITE_URL).hostname

# --- Security --------------------------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = False
SECURE_REFERRER_POLICY = "same-origin"
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind the proxy every request comes from the proxy's address: the sign-in limits count the client's address, the
# one the proxy appended to X-Forwarded-For (the last of TRUSTED_PROXY_COUNT entries from the right).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if BEHIND_TLS_PROXY else 0)
# /healthz tells the world only 200 or 503; a monitor sending this token (X-Health-Token) reads which part failed.
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [
    # HSTS subdomains/preload are a decision for the operator of the domain, not for this application.
    "security.W005",
    "security.W021",
]

# Nothing may come from the internet: every script, style, font and image is served by us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Logging ---------------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
