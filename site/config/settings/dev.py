"""Local development: `make run`. SQLite, mail to var/mail/, debug on."""
from .base import *  # noqa: F401,F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"  # noqa: F405
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
HEARTHSIDE_PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=0)

VAR_DIR.mkdir(exist_ok=True)  # noqa: F405  (the SQLite file and mail folder live here)

# make run's task worker is another process: import progress goes through a
# cache both see (the default cache is per process in dev).
CACHES["shared"] = {  # noqa: F405
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": str(VAR_DIR / "cache"),
}
MEMBERS_IMPORT_PROGRESS_CACHE = env("MEMBERS_IMPORT_PROGRESS_CACHE", default="shared")
