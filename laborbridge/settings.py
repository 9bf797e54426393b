"""Settings for LaborBridge, read from the environment.

With nothing set this runs a development site on SQLite with Celery in eager mode. Setting
``DATABASE_URL`` and ``REDIS_URL`` switches to PostgreSQL and Redis; ``DJANGO_ENV=production``
turns on the deployment checks and refuses to start without real secrets. Every variable is
documented in ``.env.example``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from laborbridge.security import secrets_check, trusted_proxies_parse

BASE_DIR = Path(__file__).resolve().parent.parent


# Small typed helpers: a malformed value stops the process with the variable's name in the
# message instead of surfacing later as a confusing runtime error.


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    """Return a Django DATABASES entry parsed from a database URL, failing loudly."""
    raw = os.environ.get(name) or default
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a database URL LaborBridge supports "
            "(expected postgres://user:password@host:port/name or sqlite:///path)."
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
        if config.get("PORT"):
            int(config["PORT"])
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={raw!r} is malformed: {error}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}={raw!r} does not name a database.")
    if config["ENGINE"] == "django.db.backends.postgresql":
        # A persistent connection is checked before a request reuses it, so a PostgreSQL
        # restart costs one reconnect instead of a burst of 500s — by its socket, without a
        # round trip when it is idle and the server has said nothing (laborbridge.postgresql).
        # (DATABASE_CONN_HEALTH_CHECKS=false only to measure the difference in the drill.)
        config["ENGINE"] = "laborbridge.postgresql"
        config["CONN_HEALTH_CHECKS"] = env_bool("DATABASE_CONN_HEALTH_CHECKS", True)
        # Tests name their own database; CI runs several suites against one server.
        test_name = env_str("DATABASE_TEST_NAME")
        if test_name:
            config["TEST"] = {"NAME": test_name}
    return config


DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV={DJANGO_ENV!r} must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)

DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Keys protecting resident ID numbers (PIPL). They live outside the database so that a dump
# of it alone reveals nothing. Both are 32 random bytes, base64-encoded.
_DEV_ID_KEY = "ZGV2LW9ubHktaWQtZW5jcnlwdGlvbi1rZXktMzJieXQ="
_DEV_HMAC_KEY = "ZGV2LW9ubHktaWQtYmxpbmQtaW5kZXgta2V5LTMyYnk="
ID_ENCRYPTION_KEY = env_str("LABORBRIDGE_ID_ENCRYPTION_KEY", "" if PRODUCTION else _DEV_ID_KEY)
ID_HMAC_KEY = env_str("LABORBRIDGE_ID_HMAC_KEY", "" if PRODUCTION else _DEV_HMAC_KEY)
# The encryption keyring, newest first: "k2:<base64>,k1:<base64>" — the first encrypts, all
# decrypt; LABORBRIDGE_ID_ENCRYPTION_KEY alone still works (as key "k0"). Parsed and checked by
# laborbridge.crypto.parse_keyring; `manage.py rotate_keys` moves data off an old key.
ID_KEYS = env_str("LABORBRIDGE_ID_KEYS", "")
# Start-up refuses missing or malformed ID keys (not base64, not 32 bytes) in every
# environment and, in production, development keys and a short, repetitive or development
# DJANGO_SECRET_KEY — each problem naming its variable (laborbridge.security).
secrets_check(
    production=PRODUCTION,
    secret_key=SECRET_KEY,
    development_secret_key=_DEV_SECRET,
    encryption_keys=ID_KEYS,
    encryption_key=ID_ENCRYPTION_KEY,
    hmac_key=ID_HMAC_KEY,
    development_id_keys={_DEV_ID_KEY, _DEV_HMAC_KEY},
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Security (laborbridge/security.py, README "安全 / Security"): API tokens, login lockout,
    # the second factor for staff and coordinators, the Content-Security-Policy.
    "rest_framework.authtoken",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "laborbridge",
    "workers",
    "jobs",
    "matching",
    "transport",
    "placement",
    "cases",
    "selfservice",
    "followups",
    "targets",
    "subsidies",
    "outreach",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "laborbridge.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "laborbridge.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "laborbridge.urls"
WSGI_APPLICATION = "laborbridge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "laborbridge.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "laborbridge.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Security: client address, login lockout, second factor, CSP ------------------------
# The reverse proxies (addresses or networks) whose X-Forwarded-For is believed. The one
# setting behind every per-client limit: login lockout, API throttles and the QR-signup
# limit all read the client address from laborbridge.security.client_address. Empty: the
# socket's address is the client (no proxy, or a proxy we do not trust).
TRUSTED_PROXIES = trusted_proxies_parse(
    "LABORBRIDGE_TRUSTED_PROXIES", env_list("LABORBRIDGE_TRUSTED_PROXIES", [])
)

# django-axes: after LOGIN_FAILURE_LIMIT wrong passwords for one username (from anywhere), or
# from one client address (for any usernames), sign-in is refused for the cool-off, even
# with the right password; every further failure restarts the cool-off. Unlock: the admin's
# "Access attempts" (delete the row) or `manage.py axes_reset_username <name>`.
# Django's database sessions, the row read without the ORM (laborbridge/sessions.py).
SESSION_ENGINE = "laborbridge.sessions"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with the signed-in user read by a query compiled once (new sessions);
    # ModelBackend itself stays for sessions that name it.
    "laborbridge.auth_backend.UserBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("LABORBRIDGE_LOGIN_LOCKOUT", True)
AXES_FAILURE_LIMIT = env_int("LABORBRIDGE_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LABORBRIDGE_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "laborbridge.security.client_address"
AXES_LOCKOUT_CALLABLE = "laborbridge.auth_views.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
AXES_VERBOSE = False

# Staff, coordinators and administrators confirm sign-in with a TOTP code (django-otp) when
# this is on: on in production, off for the demo and development unless set.
REQUIRE_2FA = env_bool("LABORBRIDGE_REQUIRE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = "LaborBridge"

# Content-Security-Policy (django-csp): scripts and styles only from our own static files —
# no inline <script>, no inline <style>, no eval. Images may be data: URIs (QR codes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Chinese first; msgids are written in Chinese so the default language never depends on a
# compiled catalogue, and English comes from each app's locale/en catalogue.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "laborbridge" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://."
    )

if REDIS_URL:
    # The cache shares Redis with the broker; while Redis is down it degrades to a memory
    # cache per process (laborbridge.cache) so pages keep answering. Short socket timeouts
    # keep a hung Redis from holding a request.
    CACHES = {
        "default": {
            "BACKEND": "laborbridge.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis as broker and result backend when REDIS_URL is set, otherwise tasks run eagerly
# in the calling process so the demo needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Demo only: run eager tasks on a background thread so progress bars move (laborbridge.tasking).
LABORBRIDGE_EAGER_THREADS = env_bool("LABORBRIDGE_EAGER_THREADS", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A matching worker's pool child loads the engine before it reports up (matching.tasks):
# ~1-3 s, more on a busy machine; Celery's default allows a child 4 s.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 60
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing gives up fast when Redis is down: the request answers 503 within ~1 s and the
# row is marked failed (laborbridge.tasking bounds the publish retries). Without these a
# publish waited ~20 s. The socket timeout also bounds a Redis that hangs instead of refusing.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.3,
    "interval_max": 0.3,
}
# No task runs longer than this (killed and failed with the reason when it does); a round at
# a million workers takes ~1 min, the biggest import a few.
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis redelivers an unacknowledged (acks_late) message after this many seconds. It must
    # exceed the longest task (CELERY_TASK_TIME_LIMIT, 1 h), or a message still being worked
    # on is handed to a second worker and a long round runs twice at once. The default is
    # the same 3,600 s as the time limit, too close. A worker that died is noticed long
    # before this by its heartbeat (laborbridge.background, within 2 min).
    "visibility_timeout": 2 * 60 * 60,
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 2
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.3}
}
# Matching rounds are long and memory-hungry; they get their own queue so that a big round
# never delays an import or a notification. Workers consume both: `-Q celery,matching`.
CELERY_TASK_ROUTES = {"matching.tasks.*": {"queue": "matching"}}
# Celery beat (`celery -A laborbridge beat`): uploaded roster files are personal data and are
# deleted once their import is a week old.
CELERY_BEAT_SCHEDULE = {
    "purge-import-files": {"task": "imports.purge_files", "schedule": 6 * 60 * 60},
    # Requeue (or fail) rounds, plans and imports whose worker died: heartbeat older than
    # 60 s, checked every 30 s (laborbridge.background.REAP_EVERY_SECONDS). An unrun copy
    # expires rather than piling up behind a busy queue.
    "reap-background-runs": {
        "task": "background.reap",
        "schedule": 30,
        "options": {"expires": 25},
    },
    # Follow-ups (followups.services): generate the scheduled points and the monthly census
    # and remind of overdue ones. Idempotent (unique per employment, kind and period; one
    # reminder a day per follow-up), so four runs a day only pick up new arrivals sooner.
    "followups-daily": {"task": "followups.daily", "schedule": 6 * 60 * 60},
    # Cases past their deadline remind their handlers once (cases.services).
    "cases-overdue-notify": {"task": "cases.overdue_notify", "schedule": 60 * 60},
    # Outreach (outreach.tasks): send the SMS that are due — reminders queued days ahead
    # become due on their own; claims are at-most-once, so overlapping runs are harmless.
    "outreach-drain": {"task": "outreach.drain", "schedule": 60, "options": {"expires": 55}},
    "outreach-followups-due": {"task": "outreach.followups_due", "schedule": 6 * 60 * 60},
    # Targets dashboards' aggregates (targets.aggregates): rebuilt when dirty or a new day.
    "targets-aggregates": {
        "task": "targets.aggregates_scheduled",
        "schedule": 15 * 60,
        "options": {"expires": 14 * 60},
    },
}
# Failure-injection hook for the integration tests that kill a worker mid-round: seconds to
# pause after a round has loaded its inputs. Always 0 outside those tests.
MATCHING_TEST_PAUSE_SECONDS = env_int("LABORBRIDGE_TEST_ROUND_PAUSE", 0)

# The county's export for the poverty-monitoring system (placement.poverty_export): a working
# 脱贫 person (or 监测对象) whose work income for the year is under this many yuan is flagged
# before the county files it (the threshold counties check against, 4,800 yuan by default).
POVERTY_EXPORT_MIN_YEARLY_INCOME = env_int("LABORBRIDGE_POVERTY_MIN_YEARLY_INCOME", 4800)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Pages use the session; API clients send "Authorization: Token <key>" (issued by
        # POST /api/v1/auth/token/ or `manage.py drf_create_token <user>`). No Basic auth:
        # it sends the password with every request and bypasses the second factor.
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    # Per client address (laborbridge.security.client_address); the token endpoint has its
    # own, stricter scope. Anonymous API use is the public job board.
    "DEFAULT_THROTTLE_CLASSES": ["laborbridge.throttling.AnonymousClientThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("LABORBRIDGE_API_ANON_RATE", "300/minute"),
        "auth": env_str("LABORBRIDGE_API_AUTH_RATE", "10/minute"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "laborbridge.api_errors.ApiAutoSchema",
    # One error body {"code", "message", "fields"} for every app (laborbridge/api_errors.py).
    "EXCEPTION_HANDLER": "laborbridge.api_errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LaborBridge API",
    "DESCRIPTION": "东西部劳务协作平台 API: workers, vacancies, matching, transport.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Choice sets that share a field name with another app's ("kind", "status") get their own
    # names, so the schema names them the same way every time (and check --deploy stays quiet).
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "cases.models.CaseKind",
        "CaseStatusEnum": "cases.models.CaseStatus",
        "EmploymentEventKindEnum": "placement.models.EventKind",
    },
}
# The schema and the browsable docs need sign-in unless this is on (development default).
API_DOCS_PUBLIC = env_bool("LABORBRIDGE_API_DOCS_PUBLIC", not PRODUCTION)

# Employment history (placement): a month's actual pay more than this share below the
# promised wage is flagged to the pairing's coordinators (whole percent in the variable).
WAGE_GAP_THRESHOLD = env_int("LABORBRIDGE_WAGE_GAP_PERCENT", 10) / 100

# Cases (problems that need someone): days to handle a case before it is overdue, per kind;
# kinds not named keep cases.services.DEFAULT_DEADLINE_DAYS (欠薪 15 days).
CASE_DEADLINE_DAYS = {"wage_arrears": env_int("LABORBRIDGE_CASE_DAYS_WAGE_ARREARS", 15)}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# The worker's personal link (selfservice): days until a link expires; a new link
# revokes the old one. The travel notice prints it as a QR code.
PERSONAL_LINK_DAYS = env_int("LABORBRIDGE_PERSONAL_LINK_DAYS", 180)

# Outreach (outreach/, README "短信 / SMS"): the SMS backend — "console" (the demo and tests:
# logs and records what would be sent, to LABORBRIDGE_SMS_FILE when set) or "aliyun"
# (Alibaba Cloud SMS through its SDK, with the key pair, sign name and template codes).
SMS_BACKEND = env_str("LABORBRIDGE_SMS_BACKEND", "console")
SMS_FILE = env_str("LABORBRIDGE_SMS_FILE", "")
SMS_ACCESS_KEY_ID = env_str("LABORBRIDGE_SMS_ACCESS_KEY_ID", "")
SMS_ACCESS_KEY_SECRET = env_str("LABORBRIDGE_SMS_ACCESS_KEY_SECRET", "")
SMS_SIGN_NAME = env_str("LABORBRIDGE_SMS_SIGN_NAME", "定西人社")
SMS_ENDPOINT = env_str("LABORBRIDGE_SMS_ENDPOINT", "dysmsapi.aliyuncs.com")
# Tencent Cloud SMS (LABORBRIDGE_SMS_BACKEND=tencent; the endpoint sms.tencentcloudapi.com):
# the SmsSdkAppId of the application and the API region.
SMS_APP_ID = env_str("LABORBRIDGE_SMS_APP_ID", "")
SMS_REGION = env_str("LABORBRIDGE_SMS_REGION", "ap-guangzhou")
# "key=code,key=code": the provider's approved template code per message key.
SMS_TEMPLATE_CODES = dict(
    item.split("=", 1) for item in env_list("LABORBRIDGE_SMS_TEMPLATE_CODES", []) if "=" in item
)
# Shared secret of the delivery-receipt callback (HMAC-SHA256 of the body); empty refuses all.
SMS_RECEIPT_SECRET = env_str("LABORBRIDGE_SMS_RECEIPT_SECRET", "")
SMS_DAILY_LIMIT = env_int("LABORBRIDGE_SMS_DAILY_LIMIT", 5)
# Price of one billed segment in fen, for the bulk-send estimate (Alibaba list price ~4.5 fen).
SMS_SEGMENT_PRICE_FEN = env_int("LABORBRIDGE_SMS_SEGMENT_PRICE_FEN", 5)
# The site's public address ("https://lb.example.cn"), put before the worker's personal link
# in an SMS (outreach.links); empty: messages point to the printed notice's QR code instead.
PUBLIC_BASE_URL = env_str("LABORBRIDGE_PUBLIC_BASE_URL", "").rstrip("/")
