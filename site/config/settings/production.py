"""Production: everything from the environment; refuses to start without a
SECRET_KEY or a usable DATABASE_URL (never a silent fall back to SQLite)."""
import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")

# base.py falls back to a SQLite file for development; here the database must be named.
# What django-environ reads for each scheme; sqlite is allowed when asked for by name.
SUPPORTED_DATABASE_SCHEMES = ("postgres", "postgresql", "pgsql", "postgis", "sqlite")
_database_url = os.environ.get("DATABASE_URL", "").strip()
if not _database_url:
    raise ImproperlyConfigured(
        "DATABASE_URL must be set for production, e.g. postgres://user:pass@host:5432/name"
    )
_scheme = urlsplit(_database_url).scheme if "://" in _database_url else ""
if _scheme not in SUPPORTED_DATABASE_SCHEMES:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL Hearthside supports (scheme {_scheme or 'missing'!r}; "
        f"use one of {', '.join(SUPPORTED_DATABASE_SCHEMES)}), e.g. postgres://user:pass@host:5432/name"
    )
if _scheme != "sqlite" and not DATABASES["default"].get("NAME"):  # noqa: F405
    raise ImproperlyConfigured(
        "DATABASE_URL names no database (the path after the host), e.g. postgres://user:pass@host:5432/name"
    )

# Each web process and worker keeps its database connection (base.py opens one
# per request): PostgreSQL forks a backend for every new connection, which cost
# more CPU than the comment post that asked for it. The health check before a
# kept connection's first use in a request replaces one that a restart of the
# database broke, so that request does not fail. CONN_MAX_AGE=0 (or the URL's
# conn_max_age) opens one per request again (behind a pooler such as PgBouncer).
if "CONN_MAX_AGE" not in os.environ and "conn_max_age=" not in _database_url.lower():
    DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

# The cache on Redis when REDIS_URL is set (the RQ queue's server, same database;
# cache keys are prefixed, RQ's start with "rq:"). CACHE_URL, when set, wins.
# A cache outage must cost speed, not pages: IGNORE_EXCEPTIONS turns Redis errors
# into misses (the page cache renders afresh, rate limits fail open), the short
# timeouts keep a dead or unreachable Redis from holding each request, and every
# ignored error is logged by the "hearthside.cache" logger.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL and not env("CACHE_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hearthside",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CACHE_CONNECT_TIMEOUT", default=0.5),
                "SOCKET_TIMEOUT": env.float("REDIS_CACHE_TIMEOUT", default=0.5),
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "hearthside.cache"

DEBUG = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # Preloading is the site owner's choice (browsers ship the list; leaving it takes
    # months), not a default; `check --deploy` would otherwise warn on every site without it.
    SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "security.W021"]
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
WHITENOISE_MAX_AGE = env.int("WHITENOISE_MAX_AGE", default=31536000)
# Load balancers probe /health/ over plain HTTP (hearthside.health answers it
# before SecurityMiddleware too; this keeps it so if that middleware moves).
SECURE_REDIRECT_EXEMPT = [r"^health/(ready/)?$"]

# The Content-Security-Policy is base.py's (the same in dev and the browser
# tests). CSP_REPORT_URI has browsers report what it blocks; CSP_REPORT_ONLY
# sends it as Content-Security-Policy-Report-Only while it is tried on a live site.
_csp_report_uri = env("CSP_REPORT_URI", default="")
if _csp_report_uri:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [_csp_report_uri]  # noqa: F405
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY, CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY, None  # noqa: F405

# Logs as one JSON object per line (LOG_FORMAT=json, the default here), for a
# log collector to index; LOG_FORMAT=text keeps the plain lines of development.
if env("LOG_FORMAT", default="json") == "json":
    LOGGING["formatters"] = {  # noqa: F405
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    }
    LOGGING["handlers"]["console"]["formatter"] = "json"  # noqa: F405

# The task queue on Redis when there is one: any number of `rqworker`s share it.
# Without REDIS_URL, tasks stay in the database for `db_worker`.
TASKS = {
    **TASKS,  # noqa: F405
    "default": {
        "BACKEND": env(
            "TASK_BACKEND",
            default="hearthside.tasks.RQBackend" if REDIS_URL else "django_tasks_db.DatabaseBackend",
        )
    },
}
