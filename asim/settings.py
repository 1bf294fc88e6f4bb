"""ASIM settings: everything comes from the environment; nothing set gives the embedded mode.

See the README's "Configuration" table for every variable.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from asim.env import Env

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()

# --- mode -------------------------------------------------------------------------------------
PRODUCTION = env.bool("ASIM_PRODUCTION", False)
DEBUG = env.bool("DEBUG", not PRODUCTION)
DEV_SECRET_KEY = "asim-embedded-mode-not-secret-change-me-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", DEV_SECRET_KEY)
LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", [] if PRODUCTION else LOCAL_HOSTS)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])

if PRODUCTION:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY: production needs a random key of 50+ characters")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        # "*" would let any Host header through: password-reset links, absolute URLs and
        # the WebSocket origin check would trust whatever a client sends.
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS: production needs the host names it serves (not empty, not '*')"
        )
    if DEBUG:
        raise ImproperlyConfigured("DEBUG: must be off in production")

# --- applications -----------------------------------------------------------------------------
INSTALLED_APPS = [
    "asim.apps.AsimConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "agencies",
    "incidents",
    "notifications",
    "interop",
    "readiness",
    "boards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "asim.middleware.ApiErrorsAsJsonMiddleware",  # outside the rest: sees every final response
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "asim.urls"
WSGI_APPLICATION = "asim.wsgi.application"
ASGI_APPLICATION = "asim.asgi.application"

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
                "asim.context_processors.navigation",
            ],
        },
    },
]

# --- data -------------------------------------------------------------------------------------
DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.url("REDIS_URL", "", schemes=("redis", "rediss"))

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # The pub/sub layer measured ~5x faster than the list-based one for board fan-out.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # Pub/sub channels are shared by every Redis database: separate deployments (or
            # parallel test runs) on one Redis need their own prefix.
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env.str("CHANNEL_LAYER_PREFIX", "asgi")},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a killed worker's task goes back to the queue
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A dead broker must not stall the request that declares an MCI: publish fails fast and the
# sweeper sends the notification once the broker is back.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 300,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Beat: the notifications sweeper re-queues work a broker outage or a killed worker left
# behind; the escalation task calls the next contacts of hospitals that have not acknowledged.
NOTIFY_SWEEP_SECONDS = env.int("NOTIFY_SWEEP_SECONDS", 30, minimum=1)
NOTIFY_ESCALATION_SECONDS = env.int("NOTIFY_ESCALATION_SECONDS", 30, minimum=1)
# The embedded mode has no beat process: asim/scheduler.py runs this schedule in-process.
EMBEDDED_SCHEDULER = env.bool("EMBEDDED_SCHEDULER", CELERY_TASK_ALWAYS_EAGER and not REDIS_URL)
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "notifications-sweep": {
        "task": "notifications.sweep",
        "schedule": float(NOTIFY_SWEEP_SECONDS),
        "options": {"expires": float(NOTIFY_SWEEP_SECONDS)},
    },
    "notifications-escalate": {
        "task": "notifications.escalate",
        "schedule": float(NOTIFY_ESCALATION_SECONDS),
        "options": {"expires": float(NOTIFY_ESCALATION_SECONDS)},
    },
    # Training refresher reminders (readiness/reminders.py): each is sent once, so running
    # more often than daily only picks up records entered since.
    "readiness-refresher-reminders": {
        "task": "readiness.refresher_reminders",
        "schedule": 6 * 3600.0,
        "options": {"expires": 3600.0},
    },
}

# --- messaging --------------------------------------------------------------------------------
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID")
TWILIO_API_BASE_URL = env.url(
    "TWILIO_API_BASE_URL", "https://api.twilio.com", schemes=("http", "https")
).rstrip("/")
TWILIO_CONFIGURED = bool(TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)
if TWILIO_CONFIGURED and not (TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID):
    raise ImproperlyConfigured(
        "TWILIO_FROM_NUMBER: set it or TWILIO_MESSAGING_SERVICE_SID when Twilio is configured"
    )
# Where Twilio reaches our webhooks (status callbacks, inbound SMS, voice keypresses).
PUBLIC_BASE_URL = env.url("PUBLIC_BASE_URL", "http://127.0.0.1:8000", schemes=("http", "https"))
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", "US").upper()
# Notification fan-out (notifications/conf.py documents each).
NOTIFY_BATCH_SIZE = env.int("NOTIFY_BATCH_SIZE", 500, minimum=1)
NOTIFY_CONCURRENCY = env.int("NOTIFY_CONCURRENCY", 50, minimum=1)
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", 6, minimum=1)
NOTIFY_RETRY_BASE_SECONDS = env.int("NOTIFY_RETRY_BASE_SECONDS", 2, minimum=0)
NOTIFY_RETRY_MAX_SECONDS = env.int("NOTIFY_RETRY_MAX_SECONDS", 300, minimum=0)
NOTIFY_SWEEP_GRACE_SECONDS = env.int("NOTIFY_SWEEP_GRACE_SECONDS", 60, minimum=1)
NOTIFY_CLAIM_TIMEOUT_SECONDS = env.int("NOTIFY_CLAIM_TIMEOUT_SECONDS", 120, minimum=1)
NOTIFY_PROGRESS_SECONDS = env.int("NOTIFY_PROGRESS_SECONDS", 1, minimum=1)
NOTIFY_UPDATE_CHANNELS = env.list("NOTIFY_UPDATE_CHANNELS", ["sms", "email", "in_app"])
if set(NOTIFY_UPDATE_CHANNELS) - {"sms", "voice", "email", "in_app"}:
    raise ImproperlyConfigured(
        "NOTIFY_UPDATE_CHANNELS: a comma-separated list of sms, voice, email, in_app"
    )

_email = env.email("EMAIL_URL", "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
if "EMAIL_FILE_PATH" in _email:
    EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "ASIM <asim@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Every password sign-in (login page, admin) goes through one limit: asim/login_limit.py.
AUTHENTICATION_BACKENDS = ["asim.login_limit.LimitedModelBackend"]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", 10, minimum=1)  # per account per window
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", 100, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60, minimum=1)

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an integration without a valid token gets 401 + WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # RequestMatchesSchema: a request the OpenAPI schema does not allow is a 400 (asim/api.py).
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "asim.api.RequestMatchesSchema",
    ],
    # Bodies are size-checked and JSON nesting-checked before parsing (asim/input_limits.py).
    "DEFAULT_PARSER_CLASSES": [
        "asim.input_limits.BoundedJSONParser",
        "asim.input_limits.BoundedFormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "asim.filters.FilterBackend",  # strict booleans
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "asim.api.Pages",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "asim.openapi.ApiAutoSchema",
    # Formats by the Accept header only: DRF's `?format=` answered 404 to an unknown value,
    # even before a 405 for a wrong method; now it is an undeclared parameter (400).
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ASIM API",
    "DESCRIPTION": "Active-shooter and MCI coordination: rosters, incidents, hospitals, alerts.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DisciplineEnum": "agencies.models.Discipline",
        # adult and paediatric trauma levels share one vocabulary
        "TraumaLevelEnum": "agencies.models.Hospital.TraumaLevel",
        "IncidentKindEnum": "incidents.models.Incident.Kind",
        "CourseKindEnum": "readiness.models.CourseKind",
        "PlanDocumentKindEnum": "readiness.models.PlanDocument.Kind",
    },
    # The API takes JSON; the form parsers stay for the browsable API but are not promised.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
}

# --- i18n, static -----------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION  # uvicorn serves app static files straight from source
if not PRODUCTION:  # collectstatic only runs for production images
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
# The map's tile server; the pages stay usable when it is unreachable.
MAP_TILE_URL = env.str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")

# --- standards exchange (interop: CAP 1.2, EDXL-HAVE 1.0, EDXL-DE 2.0) -------------------------
# The OASIS schemas documents are validated against: shared, never copied into the project.
STANDARDS_DIR = Path(env.str("ASIM_STANDARDS_DIR", str(BASE_DIR.parent / "shared" / "standards")))
# Incoming CAP / HAVE / DE documents larger than this are refused before parsing.
INTEROP_MAX_DOCUMENT_BYTES = env.int("INTEROP_MAX_DOCUMENT_BYTES", 512 * 1024, minimum=1024)
# CAP `sender` is <region code>@<this domain>.
INTEROP_SENDER_DOMAIN = env.str("INTEROP_SENDER_DOMAIN", "asim.invalid")
# The CAP area: a circle of this radius around the incident.
CAP_AREA_RADIUS_KM = env.int("CAP_AREA_RADIUS_KM", 2, minimum=1)

# --- security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- logging ----------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL: expected DEBUG/INFO/WARNING/ERROR, got {LOG_LEVEL!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # One line per record: line breaks and control characters escaped (asim/logs.py).
    "filters": {"one_line": {"()": "asim.logs.OneLineFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["one_line"]}
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "asim": {"level": LOG_LEVEL},
        "agencies": {"level": LOG_LEVEL},
        "incidents": {"level": LOG_LEVEL},
        "notifications": {"level": LOG_LEVEL},
        "interop": {"level": LOG_LEVEL},
        "readiness": {"level": LOG_LEVEL},
        "boards": {"level": LOG_LEVEL},
    },
}
