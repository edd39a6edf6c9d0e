"""Local development: `make run`. SQLite, mail to var/mail/, debug on."""
from .base import *  # noqa: F401,F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"  # noqa: F405
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
HEARTHSIDE_PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=0)

VAR_DIR.mkdir(exist_ok=True)  # noqa: F405  (the SQLite file and mail folder live here)
