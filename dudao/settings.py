"""Settings come from the environment so one build runs as the embedded demo,
in CI, and in production without edits."""

import os
from pathlib import Path

import dj_database_url
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

ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "dudao.core",
    "dudao.directory",
    "dudao.accounts",
    "dudao.policy",
    "dudao.selection",
    "dudao.training",
    "dudao.pools",
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
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
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
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end packages come from the npm lockfile (package-lock.json); Django serves
# them itself, because government intranets have no route to a CDN.
STATICFILES_DIRS = [
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
# The CJK font embedded (subset) in generated PDFs, from the npm lockfile.
DUDAO_CJK_FONT = Path(
    os.environ.get(
        "DUDAO_CJK_FONT",
        BASE_DIR / "node_modules" / "@expo-google-fonts" / "noto-sans-sc" / "400Regular" / "NotoSansSC_400Regular.ttf",
    )
)
MEDIA_ROOT = Path(os.environ.get("DUDAO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

# Uploads are read into memory for validation; refuse anything larger up front.
DUDAO_MAX_UPLOAD_BYTES = int(os.environ.get("DUDAO_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
DUDAO_MAX_IMPORT_ROWS = int(os.environ.get("DUDAO_MAX_IMPORT_ROWS", "5000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = DUDAO_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DUDAO_MAX_UPLOAD_BYTES + 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
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
    "ENUM_NAME_OVERRIDES": {"NominationStatusEnum": "dudao.selection.models.Nomination.Status"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # Every operation documents its refusals (400/401/403/404/409/429/503).
        "dudao.core.api.document_error_responses",
    ],
}

# Background jobs: Celery over Redis when a broker is configured; otherwise jobs
# run in-process (the embedded default), still reporting progress.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL

# In-app notifications always; e-mail as well once a mail server is configured.
DUDAO_EMAIL_NOTIFICATIONS = env_bool("DUDAO_EMAIL_NOTIFICATIONS", False)
DUDAO_SITE_URL = os.environ.get("DUDAO_SITE_URL", "http://127.0.0.1:8000")
DUDAO_MAX_EVIDENCE_BYTES = int(os.environ.get("DUDAO_MAX_EVIDENCE_BYTES", str(10 * 1024 * 1024)))
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "dudao@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
