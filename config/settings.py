"""Django settings, all read from the environment (see README "Configuration")."""

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config import embedded
from config.env import ImproperlyConfiguredEnv, env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

# development: DEBUG on by default, a SECRET_KEY kept under var/ is made if none is given.
# production: SECRET_KEY required, DEBUG must be off. test: set by the test suite.
APP_ENV = env_str("APP_ENV", "development")
if APP_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfiguredEnv(f"APP_ENV={APP_ENV!r} must be development, production or test")
PRODUCTION = APP_ENV == "production"

DEBUG = env_bool("DEBUG", default=APP_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when APP_ENV=production")


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        if PRODUCTION and len(key) < 40:
            raise ImproperlyConfigured("SECRET_KEY must be at least 40 characters in production")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when APP_ENV=production")
    key_file = embedded.VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when APP_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "core",
    "sources",
    "claims",
    "tools",
]

MIDDLEWARE = [
    # First: every later log line of the request carries its id.
    "config.middleware.RequestIdMiddleware",
    # Second: whatever the layers below render for a request under /api/v1/ becomes the API's JSON error shape.
    "config.middleware.ApiErrorShapeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL in any parameter is a 400 here, before a page or endpoint hands it to PostgreSQL.
    "config.middleware.RefuseNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

# Content-Security-Policy on every page (django-csp): scripts, styles, fonts and connections from this server
# only, no inline script or style (htmx's indicator styles are off in base.html), no framing. The ReDoc page
# adds what its bundle needs (config/api.py).
from csp.constants import NONE, SELF  # noqa: E402 -- settings constants, next to their use

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

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "config.health.ingestion_status",
            ],
        },
    },
]

# --- Database: DATABASE_URL, or the embedded PostgreSQL under var/ --------------------------------

DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql"))
USE_EMBEDDED_POSTGRES = DATABASE_URL is None
if USE_EMBEDDED_POSTGRES:
    DATABASE_URL = embedded.postgres_url()

import dj_database_url  # noqa: E402 -- only needed once the URL is known

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if USE_EMBEDDED_POSTGRES:
    # Same PostgreSQL backend, plus: start the private server on first connection if it is down.
    DATABASES["default"]["ENGINE"] = "config.embedded_db"
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 10, minimum=1)
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "test_claims")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, results and cache ---------------------------------------------------------

REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
USE_EMBEDDED_REDIS = REDIS_URL is None
if USE_EMBEDDED_REDIS:
    # The test suite uses its own Redis database so that it never eats the demo's queue.
    REDIS_URL = embedded.redis_url(env_int("EMBEDDED_REDIS_DB", 1 if APP_ENV == "test" else 0, minimum=0))

CACHES = {
    "default": {
        "BACKEND": "config.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "claims"),
        "TIMEOUT": 300,
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 3600
# A task is acknowledged only when it has finished, so a killed worker's task runs again elsewhere.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task running when the broker connection drops cannot be acknowledged any more and will be delivered again,
# so stop it rather than let two copies run (Celery 6's default; our tasks are idempotent either way).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The niceness a worker's pool processes raise themselves to (config.celery): the analysis is CPU-bound and can
# wait, a page request beside it on the same cores cannot. 0 keeps the priority the worker was started with.
WORKER_NICENESS = env_int("WORKER_NICENESS", 10, minimum=0)
# Build the analysis's party index in the worker before the pool forks (config/celery.py); 0 leaves it to each
# pool process's first article.
WORKER_PARTY_INDEX_BEFORE_FORK = env_bool("WORKER_PARTY_INDEX_BEFORE_FORK", default=True)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker died outright (SIGKILL, lost machine) goes back to the queue once it has been unacknowledged
# for visibility_timeout; workers look for such tasks every 10 s (kombu's default scans only every 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 2, "unacked_restore_throttle": 1}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE: dict = {}
# Every minute: enqueue a poll for each active feed whose next_poll_at has come (feeds keep their own interval).
CELERY_BEAT_SCHEDULE["sources-enqueue-due-feeds"] = {"task": "sources.enqueue_due_feeds", "schedule": 60.0}
# Every minute: the tally rows of ended database sessions folded into one per count (reads never write).
CELERY_BEAT_SCHEDULE["claims-fold-tallies"] = {"task": "claims.fold_tallies", "schedule": 60.0}

# --- Auth -------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "claims:home"
LOGOUT_REDIRECT_URL = "login"
# Sign-in rate limit (config/login.py): failures per user name and address within the window, then 429.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900, minimum=1)
# Failures from one address over all user names (a newsroom behind one NAT address shares it: kept generous).
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)

# --- I18N, static -----------------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Vendor JS comes from the npm registry (`npm ci` fills node_modules/); only the built files are served.
STATICFILES_DIRS = [("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist")]
if not PRODUCTION:
    # whitenoise warns on every start when the folder is missing; collectstatic fills it in production.
    STATIC_ROOT.mkdir(exist_ok=True)
# Vendor JS comes from the npm registry (`npm ci` fills node_modules/); only the built files are served.
STATICFILES_DIRS = [("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- API --------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Tokens for newsroom tools first (so a 401 names the Bearer scheme), sessions for the browser.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "claims.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.RolePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["claims.api.throttling.ApiRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.CursorPage",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Requests per token (or signed-in user, or anonymous address); counted in Redis through the cache.
API_THROTTLE_RATES = {
    "token": env_str("API_THROTTLE_TOKEN", "2000/hour"),
    "user": env_str("API_THROTTLE_USER", "2000/hour"),
    "anon": env_str("API_THROTTLE_ANON", "120/hour"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Claims tracker API",
    "DESCRIPTION": "Claims, the statements that report them, the parties behind them, and verdicts.",
    "VERSION": "1.0.0",
    # No CDN at run time: the docs UIs are served from the drf-spectacular-sidecar package.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "claims.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "VerdictEnum": "claims.enums.Verdict",
        "StanceEnum": "claims.enums.Stance",
        "ReviewStateEnum": "claims.enums.ReviewState",
        "PartyKindEnum": "claims.enums.PartyKind",
        "ClaimKindEnum": "claims.enums.ClaimKind",
        "EvidenceKindEnum": "claims.enums.EvidenceKind",
        "ArticleStatusEnum": "sources.enums.ArticleStatus",
        "IngestionStatusEnum": "sources.enums.IngestionStatus",
        "IngestionItemStatusEnum": "sources.enums.ItemStatus",
        "IngestionKindEnum": "sources.enums.IngestionKind",
        "WebhookDeliveryStatusEnum": "claims.models.WebhookDeliveryStatus",
        "WebhookEventEnum": "claims.models.WebhookEvent",
    },
}
# Watchers' notifications go out through Django's mail settings; the console backend (mail printed to the
# worker's output) unless an SMTP server is named.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "claims-tracker@localhost")
# The name ClaimReview JSON-LD gives as the author of the fact check.
CLAIMREVIEW_AUTHOR = env_str("CLAIMREVIEW_AUTHOR", "Claims tracker")
# Webhook deliveries: attempts before giving up, and the first retry delay (doubled each time, capped).
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)
WEBHOOK_RETRY_MAX_SECONDS = env_int("WEBHOOK_RETRY_MAX_SECONDS", 3600, minimum=1)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)

# --- Ingestion --------------------------------------------------------------------------------

# Hosts that fetching may reach even though they resolve to private or loopback addresses.
# Empty in production; the demo and the tests add 127.0.0.1 for their local feed server.
INGEST_ALLOWED_HOSTS = env_list("INGEST_ALLOWED_HOSTS", [])
# Sent with every fetch so that publishers can see who we are and reach us.
INGEST_USER_AGENT = env_str(
    "INGEST_USER_AGENT", "ClaimsTrackerBot/1.0 (+https://github.com/claims-tracker; news claims research)"
)
INGEST_CONNECT_TIMEOUT = env_int("INGEST_CONNECT_TIMEOUT", 5, minimum=1)
INGEST_READ_TIMEOUT = env_int("INGEST_READ_TIMEOUT", 15, minimum=1)
# Wall-clock cap on one fetch, so a server that trickles bytes cannot hold a worker for ever.
INGEST_TOTAL_TIMEOUT = env_int("INGEST_TOTAL_TIMEOUT", 45, minimum=1)
INGEST_MAX_BYTES = env_int("INGEST_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
INGEST_MAX_REDIRECTS = env_int("INGEST_MAX_REDIRECTS", 5, minimum=0)
# At most this many fetches run against one host at a time, across all workers (a Redis semaphore).
INGEST_PER_HOST_CONCURRENCY = env_int("INGEST_PER_HOST_CONCURRENCY", 2, minimum=1)
INGEST_HOST_WAIT_SECONDS = env_int("INGEST_HOST_WAIT_SECONDS", 30, minimum=0)
# A failing feed waits interval * 2**failures, at most this long; after this many failures in a row it is flagged.
INGEST_FEED_MAX_BACKOFF_MINUTES = env_int("INGEST_FEED_MAX_BACKOFF_MINUTES", 24 * 60, minimum=1)
INGEST_FEED_FLAG_AFTER = env_int("INGEST_FEED_FLAG_AFTER", 5, minimum=1)
# Statements one article's analysis keeps; past it the article is flagged for a person (claims/linking.py).
ANALYSIS_MAX_STATEMENTS_PER_ARTICLE = env_int("ANALYSIS_MAX_STATEMENTS_PER_ARTICLE", 500, minimum=1)
INGEST_FEED_MAX_ENTRIES = env_int("INGEST_FEED_MAX_ENTRIES", 200, minimum=1)
# At most this many of the outlet's recent articles are fetched again for edits at each poll of one of its feeds
# (Outlet.refetch_days and refetch_every_minutes say which are due); 0 turns the re-fetch off.
INGEST_REFETCH_PER_POLL = env_int("INGEST_REFETCH_PER_POLL", 10, minimum=0)
# A poll that deferred entries (over INGEST_FEED_MAX_ENTRIES new ones) is followed by another this soon.
INGEST_FEED_BACKLOG_POLL_MINUTES = env_int("INGEST_FEED_BACKLOG_POLL_MINUTES", 1, minimum=1)
# Two texts are the same story when at least this share (percent) of the shorter one's 5-word shingles
# appear in the other: a wire story that one site trimmed or added a line to still matches.
INGEST_NEAR_DUPLICATE_PERCENT = env_int("INGEST_NEAR_DUPLICATE_PERCENT", 85, minimum=1)

# --- Security ---------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 3600, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' preload list is a lasting commitment for the whole domain: the deployer opts in.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Logging ----------------------------------------------------------------------------------

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
# plain (default) or json: one JSON object per line, with request_id and task_id (config/logging.py).
LOG_FORMAT = env_str("LOG_FORMAT", "plain")

from config.logging import logging_config  # noqa: E402 -- needs LOG_FORMAT, read just above

LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
