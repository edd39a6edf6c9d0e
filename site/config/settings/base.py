"""Settings shared by every environment.

Everything that differs between machines comes from environment variables
(see docs/configuration.md); dev, test and production only change defaults.
"""
import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

import environ
import redis
from csp import constants as csp

from config.paths import REPO_ROOT, VAR_DIR
from hearthside.extending.discovery import discover_plugins
from hearthside.themes.manifest import theme_static_dirs

env = environ.Env()

BASE_DIR = REPO_ROOT
SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Plugins: every app under plugins/ plus packages declaring the
# `hearthside.plugins` entry point, minus HEARTHSIDE_PLUGINS_EXCLUDE.
# HEARTHSIDE_EXTRA_PLUGINS adds dotted app paths (the test suite's sample plugin).
HEARTHSIDE_PLUGINS_EXCLUDE = env.list("HEARTHSIDE_PLUGINS_EXCLUDE", default=[])
HEARTHSIDE_EXTRA_PLUGINS = env.list("HEARTHSIDE_EXTRA_PLUGINS", default=[])
HEARTHSIDE_PLUGIN_DISCOVERY = discover_plugins(
    exclude=HEARTHSIDE_PLUGINS_EXCLUDE, extra=HEARTHSIDE_EXTRA_PLUGINS
)

INSTALLED_APPS = [
    "hearthside",
    "api.apps.ApiConfig",
    *HEARTHSIDE_PLUGIN_DISCOVERY.app_paths,
    # After the plugins: the syndication plugin's templates refine its Newsletter tab.
    "wagtail_newsletter",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    # Content-Security-Policy (hearthside.csp.CSPMiddleware below): its checks and {% load csp %}.
    "csp",
    "django_tasks",
    "django_tasks_db",
    # The RQ task backend's queues (TASK_BACKEND=hearthside.tasks.RQBackend); no tables of its own.
    "django_rq",
    # /health/ (hearthside.health): its page template; the checks themselves are ours to pick.
    "health_check",
    # Purges a CDN or reverse proxy on publish and unpublish (WAGTAILFRONTENDCACHE below);
    # hearthside.pagecache.purge(page_id) asks it for pages whose comments change.
    "wagtail.contrib.frontend_cache",
    "anymail",
    "django_comments_xtd",
    "phonenumber_field",
    "django_comments",
    "django.contrib.sites",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First: load balancers probe /health/ by IP over plain HTTP, so it answers
    # before host validation, the HTTPS redirect, the page cache and the plugin gate.
    "hearthside.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions: a cached anonymous page needs nothing below it. It keeps
    # each page's Content-Security-Policy with the page, so a hit builds none.
    "hearthside.pagecache.PageCacheMiddleware",
    # It reads the X-Frame-Options that XFrameOptionsMiddleware (further down) has set.
    "hearthside.csp.CSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "hearthside.ratelimit.RateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Below CommonMiddleware, which refuses hosts ALLOWED_HOSTS does not name.
    "hearthside.sites.SiteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hearthside.themes.middleware.ThemeMiddleware",
    "hearthside.extending.gate.PluginGateMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Theme templates come first, through the active theme's chain;
        # app templates (admin, plugins' admin screens) after them.
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "hearthside.context_processors.theme",
                # {{ CSP_NONCE }}, for an inline <script>/<style> on a response the page cache never keeps.
                "csp.context_processors.nonce",
            ],
            "builtins": ["hearthside.templatetags.slots"],
            "loaders": [
                (
                    "hearthside.themes.loader.ThemeCachedLoader",
                    [
                        "hearthside.themes.loader.ThemeLoader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'hearthside.sqlite3'}"
    )
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# .get: an empty or unparseable DATABASE_URL gives {}; production.py says what is wrong with it.
if DATABASES["default"].get("ENGINE") == "django.db.backends.sqlite3":
    # The web process, the task worker and syndication_tick write to one file:
    # writers queue for the lock (up to 20 s) instead of failing with
    # "database is locked", and take it when their transaction begins.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://hearthside")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(REPO_ROOT / "static_collected"))
# Each theme's static/ folder is served under /static/themes/<name>/.
HEARTHSIDE_THEMES_DIR = env("HEARTHSIDE_THEMES_DIR", default=str(REPO_ROOT / "themes"))
STATICFILES_DIRS = theme_static_dirs(HEARTHSIDE_THEMES_DIR)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(REPO_ROOT / "media"))
WHITENOISE_MAX_AGE = env.int("WHITENOISE_MAX_AGE", default=3600)

# The default writes each message to var/mail/ so a fresh checkout needs no mail server.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="filemail:///" + str(VAR_DIR / "mail"))
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="hello@hearthside.localhost")

# Wagtail
WAGTAIL_SITE_NAME = "Hearthside"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Unset, API URLs (detail_url, download_url...) use the root URL of the site
# the request is for, which is right for every site of a multi-site install.
WAGTAILAPI_BASE_URL = env("WAGTAILAPI_BASE_URL", default=None)
WAGTAILAPI_LIMIT_MAX = env.int("API_LIMIT_MAX", default=50)
WAGTAILAPI_SEARCH_ENABLED = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
TAGGIT_CASE_INSENSITIVE = True

# Themes
HEARTHSIDE_DEFAULT_THEME = "hearth"
# Anonymous page cache: seconds a rendered page is kept (0 turns it off).
HEARTHSIDE_PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# Each process also keeps its own copies of the pages it serves, up to this
# many bytes, and trusts them for this long before asking the shared cache
# whether they were purged (0 turns the copies off): a hit then costs no
# round trip, and a purge reaches every process within these seconds.
HEARTHSIDE_PAGE_CACHE_LOCAL_SECONDS = env.float("PAGE_CACHE_LOCAL_SECONDS", default=1.0)
HEARTHSIDE_PAGE_CACHE_LOCAL_BYTES = env.int("PAGE_CACHE_LOCAL_MB", default=32) * 1024 * 1024
# A CDN or caching proxy in front (Wagtail's frontend cache invalidation): pages
# are purged from it when published, unpublished, or their comments change.
# FRONTEND_CACHE_URL is a proxy taking HTTP PURGE (Varnish, nginx, Fastly's
# API endpoint...); Cloudflare takes a zone id and an API token.
WAGTAILFRONTENDCACHE = {}
if env("FRONTEND_CACHE_URL", default=""):
    WAGTAILFRONTENDCACHE["proxy"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": env("FRONTEND_CACHE_URL"),
    }
if env("CLOUDFLARE_ZONE_ID", default=""):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": env("CLOUDFLARE_ZONE_ID"),
        "BEARER_TOKEN": env("CLOUDFLARE_API_TOKEN", default=""),
    }

# Public forms outside the API: (name, path pattern, methods, rate per client IP).
HEARTHSIDE_RATE_LIMITS = [
    ("sign-in attempts", r"^/admin/login/$", ["POST"], env("RATE_LIMIT_LOGIN", default="10/m")),
    ("password reset requests", r"^/admin/password_reset/", ["POST"], env("RATE_LIMIT_PASSWORD_RESET", default="5/h")),
    ("searches", r"^/search/$", ["GET"], env("RATE_LIMIT_SEARCH", default="60/m")),
    # Generous: mail providers send their users' one-click unsubscribes from a few addresses.
    ("unsubscribes", r"^/members/unsubscribe/", ["POST"], env("RATE_LIMIT_UNSUBSCRIBE", default="120/m")),
    # Behind the one-vote-per-browser cookie, which a visitor can clear: bounds the votes one address casts.
    ("poll votes", r"^/polls/\d+/vote/$", ["POST"], env("RATE_LIMIT_POLL_VOTES", default="30/h")),
]

# Comments (plugins/comments) build on django-comments-xtd, whose models need
# a django.contrib.sites row; Hearthside itself goes by Wagtail's Site.
SITE_ID = 1
COMMENTS_APP = "django_comments_xtd"
COMMENT_MAX_LENGTH = env.int("COMMENT_MAX_LENGTH", default=3000)
# Salts the signed links in comment emails (confirm, mute); change it to void them all.
COMMENTS_XTD_SALT = env("COMMENTS_SALT", default="hearthside-comments").encode()
COMMENTS_XTD_CONFIRM_EMAIL = True
# The deepest any site may allow; each site picks its own depth below this.
COMMENTS_XTD_MAX_THREAD_LEVEL = 8
COMMENTS_CONFIRMATION_DAYS = env.int("COMMENTS_CONFIRMATION_DAYS", default=7)
# A form sent sooner than this after the page rendered came from a robot.
COMMENTS_MIN_SECONDS_TO_POST = env.int("COMMENTS_MIN_SECONDS_TO_POST", default=3)
COMMENTS_RATE_PER_IP = env("COMMENTS_RATE_PER_IP", default="5/m")
COMMENTS_RATE_PER_EMAIL = env("COMMENTS_RATE_PER_EMAIL", default="10/h")
# An Akismet-compatible spam check, off unless a key is set.
COMMENTS_SPAM_CHECK_URL = env("COMMENTS_SPAM_CHECK_URL", default="https://rest.akismet.com/1.1/comment-check")
COMMENTS_SPAM_CHECK_KEY = env("COMMENTS_SPAM_CHECK_KEY", default="")
# Core page types that take comments; page types elsewhere opt in with CommentsPageMixin.
COMMENTS_PAGE_TYPES = env.list(
    "COMMENTS_PAGE_TYPES", default=["hearthside.ArticlePage", "hearthside.OfferPage", "hearthside.StandardPage"]
)
if "plugins.comments" in HEARTHSIDE_PLUGIN_DISCOVERY.app_paths:
    COMMENTS_XTD_MODEL = "plugins.comments.models.PageComment"
    COMMENTS_XTD_FORM_CLASS = "plugins.comments.forms.PageCommentForm"

# Text messages (hearthside.sms): a file per message in var/sms/ unless a provider is set.
SMS_BACKEND = env("SMS_BACKEND", default="hearthside.sms.FileBackend")
SMS_FILE_PATH = env("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
SMS_SENDER = env("SMS_SENDER", default="")
# hearthside.sms.TwilioBackend: the account, its key, where its API is, and the time allowed per text.
SMS_ACCOUNT_SID = env("SMS_ACCOUNT_SID", default="")
SMS_AUTH_TOKEN = env("SMS_AUTH_TOKEN", default="")
SMS_HTTP_BASE_URL = env("SMS_HTTP_BASE_URL", default="https://api.twilio.com")
SMS_HTTP_TIMEOUT = env.float("SMS_HTTP_TIMEOUT", default=10.0)

# Members (plugins/members): signup, consent and the preference centre.
# Numbers typed without a country code are read as this country's (ISO 3166 code).
PHONENUMBER_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="GB")
PHONENUMBER_DB_FORMAT = "E164"
MEMBERS_CONFIRMATION_DAYS = env.int("MEMBERS_CONFIRMATION_DAYS", default=7)
MEMBERS_ACCESS_LINK_HOURS = env.int("MEMBERS_ACCESS_LINK_HOURS", default=24)
MEMBERS_PREFERENCES_TOKEN_DAYS = env.int("MEMBERS_PREFERENCES_TOKEN_DAYS", default=30)
MEMBERS_PHONE_CODE_MINUTES = env.int("MEMBERS_PHONE_CODE_MINUTES", default=15)
MEMBERS_RATE_PER_IP = env("MEMBERS_RATE_PER_IP", default="10/m")
# Confirmation and sign-in emails to one address; a repeated signup re-sends within this.
MEMBERS_RATE_PER_EMAIL = env("MEMBERS_RATE_PER_EMAIL", default="3/h")
MEMBERS_PHONE_CODES_PER_NUMBER = env("MEMBERS_PHONE_CODES_PER_NUMBER", default="3/h")
# What consent records keep of the visitor's IP address: "keep", "hash" or "none".
MEMBERS_CONSENT_IP = env("MEMBERS_CONSENT_IP", default="hash")
# Keys the anonymised suppression list (and hashed IPs). Set it once and keep it:
# changing it forgets who must never be mailed again.
MEMBERS_HASH_KEY = env("MEMBERS_HASH_KEY", default="hearthside-members")
# CSV imports: the largest file accepted, and the cache through which the task
# worker reports progress to the admin (it must be shared by both processes).
MEMBERS_IMPORT_MAX_BYTES = env.int("MEMBERS_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
MEMBERS_IMPORT_PROGRESS_CACHE = env("MEMBERS_IMPORT_PROGRESS_CACHE", default="default")

# Syndication (plugins/syndication): feeds, and the outbox that sends updates.
# Core page types whose first publish becomes an update; others opt in with SyndicatedPageMixin.
SYNDICATION_PAGE_TYPES = env.list("SYNDICATION_PAGE_TYPES", default=["hearthside.ArticlePage", "hearthside.OfferPage"])
# Rows a worker claims at a time, and how long it holds them before another may take them over.
SYNDICATION_BATCH_SIZE = env.int("SYNDICATION_BATCH_SIZE", default=200)
SYNDICATION_CLAIM_LEASE_SECONDS = env.int("SYNDICATION_CLAIM_LEASE_SECONDS", default=300)
# Retries of transient failures: attempts, and the first delay (doubled each time, with jitter).
SYNDICATION_MAX_ATTEMPTS = env.int("SYNDICATION_MAX_ATTEMPTS", default=8)
SYNDICATION_RETRY_BASE_SECONDS = env.int("SYNDICATION_RETRY_BASE_SECONDS", default=60)
# Permanent failures of one address before it is suppressed (a hard bounce suppresses at once).
SYNDICATION_FAILURES_BEFORE_SUPPRESSING = env.int("SYNDICATION_FAILURES_BEFORE_SUPPRESSING", default=3)
# The most messages per second on each channel, across all workers ("" or 0: no limit).
SYNDICATION_CHANNEL_RATES = env.dict("SYNDICATION_CHANNEL_RATES", default={"sms": "10/s", "webhook": "50/s"})
# Parallel senders woken per update (one per worker is the most useful).
SYNDICATION_SENDERS = env.int("SYNDICATION_SENDERS", default=2)
# Digests go out after this hour of the site's day; weekly ones on this weekday (0 = Monday).
SYNDICATION_DIGEST_HOUR = env.int("SYNDICATION_DIGEST_HOUR", default=8)
SYNDICATION_DIGEST_WEEKDAY = env.int("SYNDICATION_DIGEST_WEEKDAY", default=0)
# Webhook POSTs: the time allowed, and the key their HMAC-SHA256 signature is made with.
SYNDICATION_WEBHOOK_TIMEOUT = env.float("SYNDICATION_WEBHOOK_TIMEOUT", default=10.0)
SYNDICATION_WEBHOOK_SECRET = env("SYNDICATION_WEBHOOK_SECRET", default="")
# Public feeds: how long a rendered feed is kept (publishing drops it sooner), and the
# time allowed for each WebSub hub ping.
SYNDICATION_FEED_CACHE_SECONDS = env.int("SYNDICATION_FEED_CACHE_SECONDS", default=24 * 60 * 60)
SYNDICATION_WEBSUB_TIMEOUT = env.float("SYNDICATION_WEBSUB_TIMEOUT", default=10.0)
# The shared secret of the bounce and complaint endpoint (/syndication/events/<secret>/).
SYNDICATION_EVENTS_SECRET = env("SYNDICATION_EVENTS_SECRET", default="")
# Reports a client IP may post there and to the anymail webhooks (/syndication/anymail/<provider>/tracking/).
SYNDICATION_EVENTS_RATE = env("SYNDICATION_EVENTS_RATE", default="600/m")
# Newsletters (wagtail-newsletter, the page editor's "Newsletter" tab) go to the site's
# members through the syndication plugin's outbox; without that plugin, the tab says so.
if "plugins.syndication" in HEARTHSIDE_PLUGIN_DISCOVERY.app_paths:
    WAGTAIL_NEWSLETTER_CAMPAIGN_BACKEND = "plugins.syndication.newsletter.HearthsideCampaignBackend"
else:
    WAGTAIL_NEWSLETTER_CAMPAIGN_BACKEND = "hearthside.newsletters.UnavailableCampaignBackend"
# Opens and clicks a client IP may report (the pixel and the tracked links), when a site counts them.
SYNDICATION_TRACKING_RATE = env("SYNDICATION_TRACKING_RATE", default="300/m")
# django-anymail: "user:password" its tracking webhooks require (basic auth; empty turns off the
# providers that have no signature of their own), plus any other ANYMAIL options as JSON.
ANYMAIL = {
    "WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET", default=""),
    **env.json("ANYMAIL_OPTIONS", default={}),
}

# Headless API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # `Authorization: Bearer <key>` or `Token <key>`.
        "api.auth.BearerOrTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.CappedPageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "api.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="120/min"),
        "user": env("API_THROTTLE_USER", default="600/min"),
        "public_write": env("API_THROTTLE_PUBLIC_WRITE", default="10/min"),
    },
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # How many reverse proxies add to X-Forwarded-For in front of the app; unset,
    # throttles key on REMOTE_ADDR and ignore the header (a client could forge it).
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=None),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hearthside API",
    "DESCRIPTION": (
        "The headless API of a Hearthside site. /api/v2/ is Wagtail's API: the site's live, public "
        "pages (with each template slot's data), images and documents. /api/v1/ has the site's "
        "information, its active plugins, and every installed plugin's endpoints under "
        "/api/v1/<plugin>/ (an inactive plugin's answer 404). Reads are public; apps authenticate "
        "with `Authorization: Bearer <key>` (or `Token <key>`), browsers with their session and the CSRF token."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Describe /api/v1/ and /api/v2/ only, not Wagtail's admin API.
    "PREPROCESSING_HOOKS": ["api.schema.public_api_only"],
    # Group operations by what follows the version: site, plugins, pages, <plugin label>...
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
}
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = env.bool("CORS_ALLOW_CREDENTIALS", default=False)

# Content-Security-Policy (django-csp; docs/configuration.md, "Content Security
# Policy"). One policy for dev, test and production, so a theme, plugin or admin
# screen that breaks it fails the browser tests. Scripts and styles come from
# the site's own static files; a nonce is for responses the page cache never
# keeps (a cached page would carry an old one), so public templates use none.
# Each CSP_<DIRECTIVE> variable adds sources to that directive (site and admin);
# CSP_EXTRA_SOURCES adds the origins that serve uploads (a CDN in front of
# MEDIA_URL) to img-src and media-src.
def _csp_sources(variable, *sources):
    return [*sources, *env.list(variable, default=[])]


def _csp_error_page_style_hashes(themes_dir):
    """Each theme's 500.html stands alone (Django renders it with no context, so
    no nonce, and nothing it links to may be what broke): its <style> goes by hash."""
    hashes = []
    for page in sorted(Path(themes_dir).glob("*/templates/500.html")):
        for css in re.findall(r"<style>(.*?)</style>", page.read_text(), re.S):
            hashes.append(f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'")
    return hashes


_csp_uploads = env.list("CSP_EXTRA_SOURCES", default=[])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": _csp_sources("CSP_SCRIPT_SRC", csp.SELF, csp.NONCE),
        "style-src": _csp_sources(
            "CSP_STYLE_SRC", csp.SELF, csp.NONCE, *_csp_error_page_style_hashes(HEARTHSIDE_THEMES_DIR)
        ),
        # data: for the small inline images stylesheets and Swagger UI use.
        "img-src": _csp_sources("CSP_IMG_SRC", csp.SELF, "data:", *_csp_uploads),
        "media-src": _csp_sources("CSP_MEDIA_SRC", csp.SELF, *_csp_uploads),
        "font-src": _csp_sources("CSP_FONT_SRC", csp.SELF),
        "connect-src": _csp_sources("CSP_CONNECT_SRC", csp.SELF),
        # Embeds (EmbedBlock, rich text) frame their provider: list it in CSP_FRAME_SRC.
        "frame-src": _csp_sources("CSP_FRAME_SRC", csp.SELF),
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        # Per response, from X-Frame-Options (hearthside.csp): 'self' for SAMEORIGIN.
        "frame-ancestors": [csp.NONE],
    },
}
# Wagtail's admin, whose directives replace the site's under these prefixes.
HEARTHSIDE_CSP_ADMIN_PREFIXES = ["/admin/"]
# No nonce or hash in these: next to one, browsers ignore 'unsafe-inline'.
HEARTHSIDE_CSP_ADMIN_DIRECTIVES = {
    # Wagtail writes inline <script>s with no nonce: chooser widgets, InlinePanel,
    # date pickers. (Our own admin templates load their scripts from files.)
    "script-src": _csp_sources("CSP_SCRIPT_SRC", csp.SELF, csp.UNSAFE_INLINE),
    # Wagtail's bundled libraries insert <style> elements, and an update's email
    # preview (an iframe's srcdoc, under this policy) is styled inline like all email.
    "style-src": _csp_sources("CSP_STYLE_SRC", csp.SELF, csp.UNSAFE_INLINE),
    # Avatars from Gravatar (WAGTAIL_GRAVATAR_PROVIDER_URL; no scheme: the page's).
    "img-src": [*CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"], "www.gravatar.com"],
    # The dashboard's new-version notice asks Wagtail's site (WAGTAIL_ENABLE_UPDATE_CHECK).
    "connect-src": [*CONTENT_SECURITY_POLICY["DIRECTIVES"]["connect-src"], "https://releases.wagtail.org"],
}

# Background work
# "held": where hearthside.tasks.RQBackend keeps the tasks Redis cannot take
# (an outage), for `manage.py task_worker --backend held` to run.
TASKS = {
    "default": {"BACKEND": env("TASK_BACKEND", default="django_tasks_db.DatabaseBackend")},
    "held": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
# The queue of the RQ backend (django-tasks-rq), used only with
# TASK_BACKEND=hearthside.tasks.RQBackend: `manage.py rqworker` processes on any
# number of machines take tasks from it (docs/operations.md, "Scaling out").
# A job that runs past RQ_JOB_TIMEOUT seconds is killed by its worker, so it
# must outlast the longest send.
# django-rq's "URL" form builds a client, so a new connection, for every job it
# enqueues (a TCP connect and a handshake per comment posted): the queue takes
# its connections from one pool per process instead (redis-py gives a forked
# child a fresh one). HOST and PORT are only what django-rq reads; the pool
# decides. A connect gives up after REDIS_QUEUE_CONNECT_TIMEOUT seconds (an
# unreachable host would otherwise hold a request for minutes before its task
# is held, hearthside.tasks); commands get no timeout, since RQ workers block
# on Redis for minutes and set their own.
RQ_REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
RQ_QUEUES = {
    "default": {
        "HOST": urlsplit(RQ_REDIS_URL).hostname,
        "PORT": urlsplit(RQ_REDIS_URL).port,
        "REDIS_CLIENT_KWARGS": {
            "connection_pool": redis.ConnectionPool.from_url(
                RQ_REDIS_URL, socket_connect_timeout=env.float("REDIS_QUEUE_CONNECT_TIMEOUT", default=2)
            )
        },
        "DEFAULT_TIMEOUT": env.int("RQ_JOB_TIMEOUT", default=3600),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
