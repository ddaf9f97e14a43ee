"""Settings: one module, driven by the environment.

DATABASE_URL selects the database (default: an SQLite file under var/);
ONEWINDOW_SECRET_KEY and ONEWINDOW_DEBUG behave as their names say.
"""

import os
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent
_repo = PACKAGE_DIR.parent.parent
BASE_DIR = _repo if (_repo / "pyproject.toml").exists() else Path.cwd()
VAR_DIR = Path(os.environ.get("ONEWINDOW_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("ONEWINDOW_DEBUG", "0").lower() in {"1", "true", "yes", "on"}
SECRET_KEY = os.environ.get("ONEWINDOW_SECRET_KEY") or "onewindow-dev-only-secret-change-me-in-production"
# Old keys still accepted for signatures while a rotation settles (docs/operations.md).
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("ONEWINDOW_SECRET_KEY_FALLBACKS", "").split(",") if k]
ALLOWED_HOSTS = [h for h in os.environ.get("ONEWINDOW_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("ONEWINDOW_CSRF_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "onewindow.core",
    "onewindow.accounts",
    "onewindow.regions",
    "onewindow.catalog",
    "onewindow.workdays",
    "onewindow.audit",
    "onewindow.cases",
    "onewindow.licences",
    "onewindow.portal",
    "onewindow.agency",
    "onewindow.supervision",
    "onewindow.ratings",
    "onewindow.stats",
    "onewindow.intake",
    "onewindow.intermediaries",
    "onewindow.api",
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

ROOT_URLCONF = "onewindow.urls"
WSGI_APPLICATION = "onewindow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'onewindow.sqlite3'}",
        conn_max_age=int(os.environ.get("ONEWINDOW_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so concurrent writers queue
    # instead of failing on lock upgrade; WAL lets readers run beside the writer.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file (not :memory:) so that threaded tests share one test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-onewindow.sqlite3")}

# PgBouncer in transaction mode (ONEWINDOW_DB_POOLER=pgbouncer): no server-side cursors, which would
# outlive the transaction that a pooled server connection belongs to (docs/adr, pgbouncer).
if os.environ.get("ONEWINDOW_DB_POOLER") == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

# Streaming read replicas (comma-separated URLs): reads of tracking, public pages, statistics and
# supervision go there (onewindow.core.routing); in tests a replica mirrors the primary.
for _i, _url in enumerate(u for u in os.environ.get("ONEWINDOW_REPLICA_URLS", "").split(",") if u.strip()):
    DATABASES[f"replica{_i}"] = {
        **dj_database_url.parse(_url.strip(), conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]),
        "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS", False),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["onewindow.core.routing.ReplicaRouter"] if len(DATABASES) > 1 else []
ONEWINDOW_REPLICA_PIN_SECONDS = int(os.environ.get("ONEWINDOW_REPLICA_PIN_SECONDS", "10"))
ONEWINDOW_REPLICA_PATHS = [
    "/", "/track/", "/items/", "/lists/", "/network/", "/stats/", "/supervision/",
    "/api/v1/track/", "/api/v1/items", "/api/v1/items/", "/api/v1/workdays/", "/api/v1/stats/",
    "/api/v1/supervision/", "/api/v1/intermediaries",
]
if DATABASE_ROUTERS:  # after the session and auth middleware: the session read follows the routing too
    MIDDLEWARE.append("onewindow.core.routing.ReplicaReadsMiddleware")

# The shared cache (tracking answers and failure counters, public pages): Redis when
# ONEWINDOW_REDIS_URL is set, else Django's database cache (a table the core migration creates), so
# that every web and worker process sees the same counters.
if os.environ.get("ONEWINDOW_REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["ONEWINDOW_REDIS_URL"], "KEY_PREFIX": "onewindow"}}
else:
    # TIMEOUT: its incr() rewrites the entry with the default time limit; two hours outlives every
    # counter window (portal.tracking).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "onewindow_cache", "TIMEOUT": 7200}}
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated).
ONEWINDOW_TRUSTED_PROXIES = os.environ.get("ONEWINDOW_TRUSTED_PROXIES", "")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "onewindow.portal.backends.PhoneBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("ONEWINDOW_MEDIA_ROOT", VAR_DIR / "media"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work goes through the database queue (`onewindow worker` runs it);
# ONEWINDOW_TASKS=immediate runs each task at once in the enqueuing process.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if os.environ.get("ONEWINDOW_TASKS") == "immediate"
        else "django_tasks_db.DatabaseBackend"
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ONEWINDOW_LOG_LEVEL", "WARNING")},
}

# Domain settings
ONEWINDOW = {
    "CITY_REGION": "341300",
    "CENTRE_NAME": "宿州市政务服务中心",
    "CALENDAR_FIRST_YEAR": 2020,
    "CALENDAR_LAST_YEAR": 2035,
}
