"""PlanPortal settings, read from environment variables.

Defaults suit a laptop with no services at all: SQLite in ./var, Celery tasks
run in-process, DEBUG on. Production sets DEBUG=0 and must then provide a real
SECRET_KEY and ALLOWED_HOSTS, or the process refuses to start.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from planportal.env import env_bool, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PLANPORTAL_VAR_DIR") or BASE_DIR / "var")
# The SQLite file, collected static files and uploads live here; SQLite cannot create its folder.
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)

# Only ever used when DEBUG is on: a development key must never sign production sessions.
_DEV_SECRET_KEY = "planportal-insecure-development-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off "
        "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list this site's host names when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "planportal.apps.PlanPortalAdminConfig",  # django.contrib.admin, whose site checks its lookups
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "import_export",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",  # its templates: the filter form of the browsable API
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "planportal",
    "plans",
    "projects",
    "funding",
    "indicators",
    "importers",
    "figures",
    "rollups",
    "succession",
    "reviews",
    "evaluation",
    "portfolio",
    "api",
    "portal",
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
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last (axes' advice): turns a sign-in refused for a lockout into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "planportal.wsgi.application"
ASGI_APPLICATION = "planportal.asgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# DATABASE_URL: postgres://user@host:5432/name in production; the default is a
# SQLite file, the embedded mode for a laptop.
_default_sqlite_url = f"sqlite:///{VAR_DIR / 'planportal.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or _default_sqlite_url,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes writers wait for the lock (up to timeout) instead of failing
    # with "database is locked" halfway through a transaction; WAL lets pages read
    # while an import or a recompute writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in protection (django-axes; planportal/signin.py, README "Sign-in protection") ---
# Every way in calls authenticate() with the request: the sign-in page, the admin's, POST /api/token/.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out client before any password check
    "django.contrib.auth.backends.ModelBackend",
]
# Failures of one user name at one client address before both are locked out …
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
# … and of one address across user names (an office behind one address shares it).
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
if AXES_FAILURE_LIMIT < 1 or LOGIN_FAILURE_LIMIT_PER_ADDRESS < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT must be at least 1, and LOGIN_FAILURE_LIMIT_PER_ADDRESS "
                               "at least LOGIN_FAILURE_LIMIT.")
if AXES_COOLOFF_TIME < timedelta(minutes=1):
    raise ImproperlyConfigured("LOGIN_COOLOFF_MINUTES must be at least 1.")
# By user name and address together, and by address alone; never by user name alone (anyone could lock
# anyone out). The address rule is held to LOGIN_FAILURE_LIMIT_PER_ADDRESS by the handler.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "planportal.signin.SignInAttempts"
AXES_CLIENT_IP_CALLABLE = "planportal.signin.client_address"
AXES_LOCKOUT_CALLABLE = "planportal.signin.lockout_page"
# A refused attempt counts, and starts the wait again; a success does not clear the address's failures.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_RESET_ON_SUCCESS = False
# The log names the user name and address of each failure and lockout (passwords never); no banner at start-up.
AXES_SENSITIVE_PARAMETERS = []
AXES_VERBOSE = False
# Reverse proxies in front of the app that append to X-Forwarded-For; 0: the client is REMOTE_ADDR.
REVERSE_PROXY_COUNT = env_int("REVERSE_PROXY_COUNT", 0)
if REVERSE_PROXY_COUNT < 0:
    raise ImproperlyConfigured("REVERSE_PROXY_COUNT must be 0 or more.")
# The second guard on POST /api/token/: DRF's throttle, per client address.
API_TOKEN_RATE = env_rate("API_TOKEN_RATE", "10/minute")

# --- Language and time ----------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Dates and times in each language (planportal/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["planportal.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (served by whitenoise: no CDN, no separate web server) ---
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
# Uploaded annex workbooks can be large; the importer streams them from disk.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Annex uploads (importers): larger files are refused before they are stored (upload form and
# import_annex). Files of rejected, cancelled and dry-run batches are deleted when the batch ends;
# the others are deleted this many days after their upload (task importers.purge_uploads, nightly,
# or `manage.py purge_uploads`).
PLANPORTAL_MAX_UPLOAD_BYTES = env_int("PLANPORTAL_MAX_UPLOAD_BYTES", 50 * 2**20)
PLANPORTAL_UPLOAD_RETENTION_DAYS = env_int("PLANPORTAL_UPLOAD_RETENTION_DAYS", 90)
if PLANPORTAL_MAX_UPLOAD_BYTES < 1 or PLANPORTAL_UPLOAD_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("PLANPORTAL_MAX_UPLOAD_BYTES and PLANPORTAL_UPLOAD_RETENTION_DAYS must be at least 1.")
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- Celery ---------------------------------------------------------------
# Without a broker every task runs eagerly, in the caller's process: the
# embedded default needs no Redis. With CELERY_BROKER_URL=redis://… workers do it.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or None
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A task is acknowledged only when done (ACKS_LATE) and given back when its worker dies
# (REJECT_ON_WORKER_LOST); Redis hands an unacknowledged task to another worker after the
# visibility timeout, sized to the longest job (a 100,000-row import takes minutes). The
# recompute outbox's drain re-enqueues a killed recompute much sooner (rollups.services).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 1800),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A save must not wait on a broker that is down: one quick try, then the outbox takes over.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Shared by web processes and workers: import progress (nothing that must not be lost: the
# recompute requests are rows in the database). Redis when there is one, with short timeouts so
# an outage costs a page a second, not a minute; otherwise files in ./var.
_cache_url = env_str("CACHE_URL") or (CELERY_BROKER_URL if (CELERY_BROKER_URL or "").startswith("redis") else "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url,
         "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}
    )
}
# Without a broker, long work (an import, a recompute) still leaves the request at once:
# it runs in a thread of the web process. Tests turn this off to run tasks inline.
PLANPORTAL_TASKS_IN_THREAD = env_bool("PLANPORTAL_TASKS_IN_THREAD", True)

# --- Security (production) ------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe over plain http inside the network: the health check answers there too.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

EMAIL_BACKEND = env_str("EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "planportal@localhost"

_LOG_LEVEL = env_str("LOG_LEVEL") or "INFO"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _LOG_LEVEL},
    # Every failed sign-in and lockout (WARNING) and every sign-in (INFO), with user name and address.
    "loggers": {"axes": {"handlers": ["console"], "level": _LOG_LEVEL, "propagate": False}},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- REST API (read for liaisons, write for staff; scoped per plan by plans.access) ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",  # limit/offset, at most 1000 rows a page
    "PAGE_SIZE": 100,
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_RATES": {"api-token": API_TOKEN_RATE},
    # The client address of a throttle: as for sign-in protection, never a header the client chose.
    "NUM_PROXIES": REVERSE_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PlanPortal API",
    "DESCRIPTION": "Plans, projects, yearly budgets, totals, disagreements and indicators of a cooperation plan.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from the installed sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

PLANPORTAL_NAME = _("PlanPortal")

# History is read in the admin, never "reverted" from it: a revert would write past the services
# (role, year lock, version, recompute).
SIMPLE_HISTORY_REVERT_DISABLED = True
