"""Settings come from the environment so one build runs as the embedded demo,
in CI, and in production without edits."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# "development" (the default: the embedded demo, tests) or "production".
DUDAO_ENV = os.environ.get("DUDAO_ENV", "development")
DEBUG = env_bool("DJANGO_DEBUG", DUDAO_ENV == "development")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DUDAO_ENV == "production":
        raise RuntimeError("Set DJANGO_SECRET_KEY in production.")
    SECRET_KEY = "dudao-insecure-development-key"

# Keys that encrypt ID and phone numbers at rest (dudao/core/crypto.py):
# "kid:base64-of-32-bytes", newest first; older ones stay listed until
# `manage.py rotate_data_key` has re-encrypted every row. Make one with
# `python -c "import base64,os; print('k2:' + base64.b64encode(os.urandom(32)).decode())"`.
DUDAO_DATA_KEYS = os.environ.get("DUDAO_DATA_KEYS", "")
if not DUDAO_DATA_KEYS:
    if DUDAO_ENV == "production":
        raise RuntimeError("Set DUDAO_DATA_KEYS in production (see README, Security).")
    # A fixed development key, so the demo database survives restarts.
    DUDAO_DATA_KEYS = "dev:ZHVkYW8tZGV2ZWxvcG1lbnQtZGF0YS1rZXktMzJieXQ="

ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "dudao.core",
    "dudao.directory",
    "dudao.accounts",
    "dudao.policy",
    "dudao.publicity",
    "dudao.selection",
    "dudao.training",
    "dudao.pools",
    "dudao.supervision",
    "dudao.subsidies",
    "dudao.evaluation",
    "dudao.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dudao.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "dudao.urls"
WSGI_APPLICATION = "dudao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dudao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dudao.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for SQLite's one write lock (up to 20 s) instead of failing:
    # a deferred transaction that reads first cannot wait for the lock later,
    # so two identical requests at once gave "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "dudao" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DUDAO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Front-end packages come from the npm lockfile (package-lock.json); Django serves
# them itself, because government intranets have no route to a CDN.
STATICFILES_DIRS = [
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/tom-select", BASE_DIR / "node_modules" / "tom-select" / "dist"),
]
# The Chinese web font of the pages (@fontsource/noto-sans-sc): split by unicode-range,
# so a page downloads only the slices holding the characters it shows. Only the weights
# the pages use are served (dudao.core.staticfinders), not the package's nine.
DUDAO_WEB_FONT_DIR = BASE_DIR / "node_modules" / "@fontsource" / "noto-sans-sc"
DUDAO_WEB_FONT_WEIGHTS = (400, 700)
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "dudao.core.staticfinders.WebFontFinder",
]
# The CJK font embedded (subset) in generated PDFs, from the npm lockfile.
DUDAO_CJK_FONT = Path(
    os.environ.get(
        "DUDAO_CJK_FONT",
        BASE_DIR / "node_modules" / "@expo-google-fonts" / "noto-sans-sc" / "400Regular" / "NotoSansSC_400Regular.ttf",
    )
)
# Production serves collected static files with hashed names (cached for ever)
# and pre-compressed through whitenoise; development and tests read them in place.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if DUDAO_ENV == "production"
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Never served by URL: export files carry personal data and are handed out only
# by a view that checks their owner.
MEDIA_ROOT = Path(os.environ.get("DUDAO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

# Uploads are read into memory for validation; refuse anything larger up front.
DUDAO_MAX_UPLOAD_BYTES = int(os.environ.get("DUDAO_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
DUDAO_MAX_IMPORT_ROWS = int(os.environ.get("DUDAO_MAX_IMPORT_ROWS", "5000"))
# Lists count exactly up to this many rows and show an estimate (约) beyond it.
DUDAO_EXACT_COUNT_LIMIT = int(os.environ.get("DUDAO_EXACT_COUNT_LIMIT", "1000"))
# What an uploaded .xlsx may unpack to, and how many cells (the used area of
# its first sheet, counted from A1) an import reads: checked before any reader
# opens the file, so a small file cannot cost the server gigabytes.
DUDAO_MAX_UNZIPPED_BYTES = int(os.environ.get("DUDAO_MAX_UNZIPPED_BYTES", str(64 * 1024 * 1024)))
DUDAO_MAX_IMPORT_CELLS = int(os.environ.get("DUDAO_MAX_IMPORT_CELLS", "500000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = DUDAO_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DUDAO_MAX_UPLOAD_BYTES + 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dudao.accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "dudao.core.api.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # A bounded JSON parser and a handler for concurrent-write conflicts: bad
    # input and races answer 400/409, never 500 (dudao/core/api.py).
    "DEFAULT_PARSER_CLASSES": [
        "dudao.core.api.JSONParser",
        "dudao.core.api.FormParser",
        "dudao.core.api.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "dudao.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dudao API",
    "DESCRIPTION": _("Social work supervisor talent platform"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "NominationStatusEnum": "dudao.selection.models.Nomination.Status",
        "EngagementKindEnum": "dudao.supervision.models.Engagement.Kind",
        "EvaluationCycleStatusEnum": "dudao.evaluation.models.Cycle.Status",
        "EvaluationStatusEnum": "dudao.evaluation.models.Evaluation.Status",
        "SubsidyStatementKindEnum": "dudao.subsidies.models.Statement.Kind",
        "SubsidyStatementStatusEnum": "dudao.subsidies.models.Statement.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # Every operation documents its refusals (400/401/403/404/409/429/503).
        "dudao.core.api.document_error_responses",
    ],
}

# --- Background jobs (large Excel exports, daily expiries) ----------------------
# Celery over Redis when a broker is configured (`make worker` runs the worker
# and beat); otherwise jobs run in-process: in a thread in the embedded default,
# so the page that asked answers at once, or inline (synchronously, as the tests
# do) where DUDAO_JOBS_RUN_INLINE is set. Either way they report progress.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The job row holds status, progress and the file; Celery keeps no results.
CELERY_TASK_IGNORE_RESULT = True
# Exports run for minutes: a worker takes one at a time rather than hoarding a queue.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "expire-pool-entries": {"task": "dudao.pools.expire_pool_entries", "schedule": crontab(hour=0, minute=30)},
    "refresh-supervision-coverage": {
        "task": "dudao.supervision.refresh_coverage",
        "schedule": crontab(hour=1, minute=30),
    },
    "refresh-supervisor-years": {
        "task": "dudao.supervision.refresh_supervisor_years",
        "schedule": crontab(hour=1, minute=45),
    },
    "settle-publicity": {"task": "dudao.publicity.settle_publicity", "schedule": crontab(hour=0, minute=10)},
    "expire-export-files": {"task": "dudao.core.expire_exports", "schedule": crontab(hour=1, minute=0)},
    # After the night's expiry: the entries whose term ends within the notice days.
    "propose-renewals": {"task": "dudao.evaluation.propose_renewals", "schedule": crontab(hour=2, minute=0)},
    # In the morning, so a reminder is read on the day it counts from.
    "send-deadline-reminders": {
        "task": "dudao.core.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
}
DUDAO_JOBS_RUN_INLINE = env_bool("DUDAO_JOBS_RUN_INLINE", False)
# An export of more rows than this runs as a job; smaller ones download at once.
DUDAO_EXPORT_SYNC_MAX_ROWS = int(os.environ.get("DUDAO_EXPORT_SYNC_MAX_ROWS", "5000"))
# Finished export files are deleted after this many days (they carry personal data).
DUDAO_EXPORT_KEEP_DAYS = int(os.environ.get("DUDAO_EXPORT_KEEP_DAYS", "7"))
DUDAO_EXPORT_PROGRESS_EVERY = 1000
# A queued or running job that has reported nothing for this long died with its
# worker or server process; the expiry task marks it failed.
DUDAO_JOB_STALE_MINUTES = int(os.environ.get("DUDAO_JOB_STALE_MINUTES", "60"))
# Connections an evaluation cycle's computation writes through at once on
# PostgreSQL (issue 11 item 7): each takes its own share of the pool's batches.
# 1 writes them one after another.
DUDAO_COMPUTE_CONNECTIONS = max(1, int(os.environ.get("DUDAO_COMPUTE_CONNECTIONS", "2")))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # An in-process export thread reads while pages write; in SQLite's default
    # journal mode an open read blocks every writer ("database is locked").
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("init_command", "PRAGMA journal_mode=WAL;")

# In-app notifications always; e-mail as well once a mail server is configured.
DUDAO_EMAIL_NOTIFICATIONS = env_bool("DUDAO_EMAIL_NOTIFICATIONS", False)
# The address people reach the platform at, as printed documents and e-mails
# give it: the certificate's QR code and verification link, links in
# notifications, the host a background export job answers as. One setting
# for the public base URL (DUDAO_SITE_URL, its former name, is still read).
DUDAO_PUBLIC_URL = (os.environ.get("DUDAO_PUBLIC_URL") or os.environ.get("DUDAO_SITE_URL") or "").rstrip("/")
if not DUDAO_PUBLIC_URL:
    if DUDAO_ENV == "production":
        raise RuntimeError("Set DUDAO_PUBLIC_URL in production, e.g. https://dudao.example.gov.cn (see README).")
    DUDAO_PUBLIC_URL = "http://127.0.0.1:8000"
DUDAO_MAX_EVIDENCE_BYTES = int(os.environ.get("DUDAO_MAX_EVIDENCE_BYTES", str(10 * 1024 * 1024)))
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "dudao@localhost")


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# --- Security (issue 8): client addresses, shared cache -------------------------
# Kept together at the end so the hardening reads as one piece.

# How many reverse proxies stand in front of the application. 0: the client is
# REMOTE_ADDR and X-Forwarded-For is ignored (the client can write it). N: the
# client is the Nth address from the right of X-Forwarded-For. One helper
# (dudao.core.clientip.client_ip) applies this for lock-outs, the access log
# and throttles alike.
DUDAO_TRUSTED_PROXY_COUNT = int(os.environ.get("DUDAO_TRUSTED_PROXY_COUNT", "0"))

# One cache for all worker processes (throttle counts) where Redis is
# configured; the embedded demo and the tests keep a per-process memory cache.
DUDAO_CACHE_URL = os.environ.get("DUDAO_CACHE_URL") or os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DUDAO_CACHE_URL}
        if DUDAO_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Security: login protection (django-axes) ----------------------------------
# After DUDAO_LOGIN_FAILURE_LIMIT failed logins, the username and the client
# address are each locked for DUDAO_LOCKOUT_MINUTES, on the login page and the
# token endpoint alike; the city administrator can unlock an account.
INSTALLED_APPS.insert(INSTALLED_APPS.index("dudao.core"), "axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("DUDAO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DUDAO_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "dudao.accounts.lockouts.attempted_username"
AXES_CLIENT_IP_CALLABLE = "dudao.core.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "dudao.accounts.lockouts.lockout_response"
AXES_RESET_ON_SUCCESS = True
# A lock lasts its time from the failure that set it; refused attempts while
# locked do not prolong it (else anyone could keep an account locked forever).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The project keeps its own access log (accounts.AccessLogEntry).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# API tokens end after DUDAO_TOKEN_DAYS; a password change or disabling the
# account revokes them at once.
DUDAO_TOKEN_TTL = timedelta(days=int(os.environ.get("DUDAO_TOKEN_DAYS", "30")))

# --- Security: HTTPS, cookies, Content-Security-Policy ------------------------
# Production defaults are on (manage.py check --deploy prints no warning); each
# can be turned off by the environment, e.g. where a TLS proxy redirects.
PRODUCTION = DUDAO_ENV == "production"
SECURE_SSL_REDIRECT = env_bool("DUDAO_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("DUDAO_HSTS_SECONDS", str(365 * 24 * 3600 if PRODUCTION else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DUDAO_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("DUDAO_HSTS_PRELOAD", PRODUCTION)
# Behind a TLS-terminating proxy: the header (and value) it sets on HTTPS
# requests, e.g. "X-Forwarded-Proto: https". Set it only when the proxy always
# overwrites that header, or a client could claim HTTPS.
_ssl_header = os.environ.get("DUDAO_PROXY_SSL_HEADER", "")
if _ssl_header:
    _name, _, _value = _ssl_header.partition(":")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _name.strip().upper().replace("-", "_"), _value.strip() or "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Scripts, styles, fonts and images from the site itself only (everything is
# served locally: intranets have no CDN). Templates carry no inline script,
# style or on* attribute; the API docs page uses a per-request nonce.
INSTALLED_APPS.append("csp")
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        # Bootstrap draws some icons as data: SVG images in its CSS.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Under /api/ every answer is JSON, even Django's own error pages.
# (After the language middleware, so the messages are in the user's language.)
MIDDLEWARE.insert(
    MIDDLEWARE.index("dudao.core.middleware.DefaultLanguageMiddleware") + 1, "dudao.core.middleware.ApiErrorMiddleware"
)

# --- Security: sessions and passwords -------------------------------------------
# A signed-in browser session idle for DUDAO_SESSION_IDLE_MINUTES ends (a
# warning shows DUDAO_SESSION_WARNING_MINUTES before); see
# accounts.middleware.IdleSessionMiddleware.
DUDAO_SESSION_IDLE_MINUTES = int(os.environ.get("DUDAO_SESSION_IDLE_MINUTES", "30"))
DUDAO_SESSION_WARNING_MINUTES = int(os.environ.get("DUDAO_SESSION_WARNING_MINUTES", "3"))
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "dudao.accounts.middleware.IdleSessionMiddleware",
)
# At least 10 characters of at least three kinds (lower, upper, digit, symbol),
# not common, not all digits, not like the username.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "dudao.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
