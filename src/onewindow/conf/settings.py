"""Settings: one module, driven by the environment.

DATABASE_URL selects the database (default: an SQLite file under var/);
ONEWINDOW_SECRET_KEY and ONEWINDOW_DEBUG behave as their names say. ONEWINDOW_HTTPS=1 is the
production profile (ADR 0172): secure cookies, HSTS, SSL redirect, the proxy's SSL header, and
no start without ONEWINDOW_SECRET_KEY. Outside it a secret is generated into var/ once.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).lower() in {"1", "true", "yes", "on"}


def _local_secret(path: Path) -> str:
    """A development secret made once and kept in var/ (never a public string)."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        value = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(value)
        return value
    except OSError:
        return secrets.token_urlsafe(50)


PACKAGE_DIR = Path(__file__).resolve().parent.parent
_repo = PACKAGE_DIR.parent.parent
BASE_DIR = _repo if (_repo / "pyproject.toml").exists() else Path.cwd()
VAR_DIR = Path(os.environ.get("ONEWINDOW_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = _flag("ONEWINDOW_DEBUG")
HTTPS = _flag("ONEWINDOW_HTTPS")
SECRET_KEY = os.environ.get("ONEWINDOW_SECRET_KEY", "")
if not SECRET_KEY:
    if HTTPS:
        raise ImproperlyConfigured("ONEWINDOW_HTTPS=1 (the production profile) needs ONEWINDOW_SECRET_KEY: "
                                   "set it to a long random string (python -c 'import secrets; print(secrets.token_urlsafe(50))')")
    try:
        SECRET_KEY = _local_secret(VAR_DIR / "secret_key")
    except FileExistsError:  # another process created it in between
        SECRET_KEY = (VAR_DIR / "secret_key").read_text().strip()
# Old keys still accepted for signatures while a rotation settles (docs/operations.md).
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("ONEWINDOW_SECRET_KEY_FALLBACKS", "").split(",") if k]
ALLOWED_HOSTS = [h for h in os.environ.get("ONEWINDOW_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
# Base of absolute links (slip QR, SMS, notices); empty: the request's own scheme and host (core/links.py).
ONEWINDOW_PUBLIC_URL = os.environ.get("ONEWINDOW_PUBLIC_URL", "").strip()
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
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",
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
    "onewindow.queue",
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
    "onewindow.core.gate.InputGateMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "onewindow.accounts.twofactor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "onewindow.accounts.signin.StaffIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "onewindow.core.links.PublicUrlMiddleware",
    "axes.middleware.AxesMiddleware",
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
    CACHES = {"default": {"BACKEND": "onewindow.core.rediscache.SharedClientRedisCache",
                          "LOCATION": os.environ["ONEWINDOW_REDIS_URL"], "KEY_PREFIX": "onewindow"}}
else:
    # TIMEOUT: its incr() rewrites the entry with the default time limit; two hours outlives every
    # counter window (portal.tracking).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "onewindow_cache", "TIMEOUT": 7200}}
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated).
ONEWINDOW_TRUSTED_PROXIES = os.environ.get("ONEWINDOW_TRUSTED_PROXIES", "")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "onewindow.accounts.signin.SignInGuard",  # throttling and lockout first (django-axes)
    "django.contrib.auth.backends.ModelBackend",
    "onewindow.portal.backends.PhoneBackend",
]
# 等保 2.0: length, not only digits, not a common password, not like the user's own data, and
# letters and digits mixed.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "onewindow.accounts.signin.LettersAndDigitsValidator"},
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
    # Sign-in attempts and audit checkpoints are kept in the log as well (ADR 0171, 0172).
    "loggers": {"onewindow.audit": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# The audit chain's HMAC key: never stored in the database (default: derived from SECRET_KEY).
AUDIT_KEY = os.environ.get("ONEWINDOW_AUDIT_KEY", "")
# Checkpoints of the chain's head, outside the database (backed up by `onewindow backup`).
ONEWINDOW_AUDIT_CHECKPOINT_DIR = Path(os.environ.get("ONEWINDOW_AUDIT_CHECKPOINT_DIR", "") or VAR_DIR / "audit")

# ---------------------------------------------------------------- sign-in (ADR 0173)
# django-axes: a lockout of 15 minutes after 10 failures, per account and per client address;
# from the 5th failure a growing delay (SignInHandler). Attempts go to the audit chain too.
AXES_HANDLER = "onewindow.accounts.signin.SignInHandler"
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "onewindow.accounts.signin.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "onewindow.accounts.signin.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # attempts while locked neither count nor extend it
AXES_VERBOSE = False
SIGNIN_DELAY_AFTER = 5
SIGNIN_DELAY_SECONDS = 15  # doubled at each failure from the 5th: 15 s, 30 s, 1, 2, 4 min (all within the 15-minute window)
# A second factor (TOTP) is required for these roles and offered to every staff member.
SECOND_FACTOR_ROLES = {"admin", "supervisor"}
OTP_TOTP_ISSUER = "一窗通办"
# The demo's way through the second factor, honoured only outside the production profile.
DEMO_NO_2FA = _flag("ONEWINDOW_DEMO_NO_2FA") and not HTTPS
# Staff sessions end after this many idle minutes (applicants keep Django's default).
STAFF_IDLE_MINUTES = int(os.environ.get("ONEWINDOW_STAFF_IDLE_MINUTES", "30"))

# ---------------------------------------------------------------- the production profile (ADR 0172)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True  # forms carry the token; no script reads the cookie
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("ONEWINDOW_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Content-Security-Policy on every page, both profiles: scripts only from our own static files
# (htmx, ECharts and the page scripts under static/); no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Domain settings
ONEWINDOW = {
    "CITY_REGION": "341300",
    "CENTRE_NAME": "宿州市政务服务中心",
    "CALENDAR_FIRST_YEAR": 2020,
    "CALENDAR_LAST_YEAR": 2035,
}
