"""The test suite: SQLite in memory unless DATABASE_URL is set, tasks run
immediately (unless TASK_BACKEND is set), fast password hashing, and the
sample plugin installed."""
import os

# The sample plugin, and one that requires it (for requirement rules).
os.environ.setdefault("HEARTHSIDE_EXTRA_PLUGINS", "tests.sample_plugin,tests.plugin_cases.needs_sample")

from .base import *  # noqa: F401,F403,E402
from .base import env  # noqa: E402

SECRET_KEY = "test-secret-key"
DEBUG = False
ALLOWED_HOSTS = ["*"]
if "DATABASE_URL" not in os.environ:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run at once and mail stays in memory, except in the worker processes
# a test starts (tests/plugins/syndication/test_scale_out.py): they set
# TASK_BACKEND and take their mail server from EMAIL_URL.
if "TASK_BACKEND" not in os.environ:
    TASKS = {**TASKS, "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # noqa: F405
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "hearthside.sms.LocmemBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
HEARTHSIDE_HOOKS_RAISE = True
HEARTHSIDE_PAGE_CACHE_SECONDS = 300
# Off: the tests clear the shared cache between them; test_pagecache turns the copies on.
HEARTHSIDE_PAGE_CACHE_LOCAL_SECONDS = 0
WAGTAILADMIN_BASE_URL = "http://testserver"
MEDIA_ROOT = env("MEDIA_ROOT", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "hearthside-test-media"))
REST_FRAMEWORK = {**REST_FRAMEWORK}  # noqa: F405
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
