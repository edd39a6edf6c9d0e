"""The production settings, as `manage.py` loads them in a fresh process: they
pass Django's deployment checks with a realistic environment, and refuse bad
or missing configuration with a message that says what to set."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# 50 random characters, as `check --deploy` wants (no "django-insecure-" prefix).
SECRET_KEY = "q7Vb#2Lm9@xW4tZ8!pR1nK6yC3hJ0sD5gF8aQ2eU7uI9oP4lT-w3Ns8Ek"
REALISTIC_ENV = {
    "SECRET_KEY": SECRET_KEY,
    "ALLOWED_HOSTS": "www.example.org",
    # Not connected to by `check`; the deployment checks read settings only.
    "DATABASE_URL": "postgres://hearthside:secret@db.internal:5432/hearthside",
    "REDIS_URL": "redis://redis.internal:6379/0",
}


def manage(*args, env=REALISTIC_ENV, drop=()):
    """Run manage.py with the production settings and only ``env`` (minus ``drop``)
    from the environment, so the developer's own variables cannot leak in."""
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        **{k: v for k, v in env.items() if k not in drop},
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,  # the tests assert the return code themselves
    )


def test_deployment_checks_pass_with_a_realistic_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_redis_cache_is_used_when_redis_url_is_set():
    result = manage("shell", "--no-imports", "-c", "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django_redis.cache.RedisCache"


def test_cache_url_wins_over_redis_url():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        env={**REALISTIC_ENV, "CACHE_URL": "dummycache://"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.cache.backends.dummy.DummyCache"


QUEUE_POOL = (
    "import django_rq; first, second = django_rq.get_connection(), django_rq.get_connection(); "
    "kwargs = first.connection_pool.connection_kwargs; "
    "print(first.connection_pool is second.connection_pool, kwargs['host'], kwargs['port'], kwargs['db'])"
)


def test_the_task_queue_reuses_one_pool_of_connections_to_redis_url():
    # django-rq's URL form would build a client, and connect anew, for every job enqueued.
    result = manage("shell", "--no-imports", "-c", QUEUE_POOL,
                    env={**REALISTIC_ENV, "REDIS_URL": "redis://redis.internal:6380/3"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True redis.internal 6380 3"


def test_loading_the_wsgi_app_loads_every_urlconf_before_gunicorn_forks():
    script = (
        "import sys; sys.path[:0] = ['site', '.']; import config.wsgi; "
        "from django.urls import get_resolver; "
        "print(get_resolver()._populated)"
    )
    environ = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"),
               "DJANGO_SETTINGS_MODULE": "config.settings.production", **REALISTIC_ENV}
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=environ,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


CONNECTION_SETTINGS = (
    "from django.conf import settings; d = settings.DATABASES['default']; "
    "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
)


@pytest.mark.parametrize(
    "env, expected",
    [
        (REALISTIC_ENV, "60 True"),
        ({**REALISTIC_ENV, "CONN_MAX_AGE": "0"}, "0 True"),
        ({**REALISTIC_ENV, "DATABASE_URL": REALISTIC_ENV["DATABASE_URL"] + "?conn_max_age=5"}, "5 True"),
    ],
    ids=["kept-by-default", "per-request-when-asked", "the-url-says"],
)
def test_database_connections_are_kept_and_checked_unless_asked_otherwise(env, expected):
    result = manage("shell", "--no-imports", "-c", CONNECTION_SETTINGS, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize(
    "env, message",
    [
        (
            {k: v for k, v in REALISTIC_ENV.items() if k != "DATABASE_URL"},
            "DATABASE_URL must be set for production, e.g. postgres://user:pass@host:5432/name",
        ),
        (
            {**REALISTIC_ENV, "DATABASE_URL": ""},
            "DATABASE_URL must be set for production, e.g. postgres://user:pass@host:5432/name",
        ),
        (
            {**REALISTIC_ENV, "DATABASE_URL": "mysql://u:p@db/hearthside"},
            "DATABASE_URL is not a database URL Hearthside supports (scheme 'mysql'",
        ),
        (
            {**REALISTIC_ENV, "DATABASE_URL": "hearthside-db:5432"},
            "DATABASE_URL is not a database URL Hearthside supports (scheme 'missing'",
        ),
        (
            {**REALISTIC_ENV, "DATABASE_URL": "postgres://u:p@db:5432/"},
            "DATABASE_URL names no database",
        ),
        (
            {k: v for k, v in REALISTIC_ENV.items() if k != "SECRET_KEY"},
            "SECRET_KEY must be set in the environment for production.",
        ),
    ],
    ids=["missing-database-url", "empty-database-url", "unsupported-scheme", "not-a-url", "no-name", "no-secret-key"],
)
def test_bad_configuration_stops_start_up_with_a_clear_message(env, message):
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr
    # Never a silent fall back to the development SQLite file.
    assert "System check identified" not in result.stdout


PROBE = """
from django.test import Client
response = Client().get("/health/", HTTP_ACCEPT="application/json", HTTP_HOST="10.0.0.5")
print(response.status_code)
print(response.content.decode())
"""


def test_health_says_the_database_is_down_when_it_cannot_be_reached():
    # Port 1: nothing listens, the connection is refused at once.
    env = {**REALISTIC_ENV, "DATABASE_URL": "postgres://hearthside:secret@127.0.0.1:1/hearthside"}
    result = manage("shell", "--no-imports", "-c", PROBE, env=env, drop=("REDIS_URL",))
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split("\n", 1)
    checks = json.loads(body)
    assert status == "500"
    assert checks["Database(alias='default')"].startswith("Unavailable: ")
    # The database task backend (the default) lives there too.
    assert checks["TaskQueue(alias='default')"].startswith("Unavailable: Task table")
    # The local-memory cache does not need the database.
    assert checks["Cache(alias='default')"] == "OK"
    assert "secret" not in body


def test_logs_are_json_lines_unless_asked_for_text():
    emit = "import logging; logging.getLogger('hearthside.test').warning('Disk %s is full', 'sda')"
    result = manage("shell", "--no-imports", "-c", emit)
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if "hearthside.test" in line]
    record = json.loads(line)
    assert record["message"] == "Disk sda is full"
    assert record["level"] == "WARNING" and record["logger"] == "hearthside.test"
    assert "time" in record

    result = manage("shell", "--no-imports", "-c", emit, env={**REALISTIC_ENV, "LOG_FORMAT": "text"})
    assert result.returncode == 0, result.stderr
    assert "Disk sda is full" in result.stderr
    assert not result.stderr.lstrip().startswith("{")


@pytest.mark.parametrize("env, backend", [
    (REALISTIC_ENV, "hearthside.tasks.RQBackend"),
    ({k: v for k, v in REALISTIC_ENV.items() if k != "REDIS_URL"}, "django_tasks_db.DatabaseBackend"),
    ({**REALISTIC_ENV, "TASK_BACKEND": "django_tasks_db.DatabaseBackend"}, "django_tasks_db.DatabaseBackend"),
])
def test_tasks_go_to_redis_when_there_is_one(env, backend):
    show = ("from django.conf import settings; "
            "print(settings.TASKS['default']['BACKEND'], settings.TASKS['held']['BACKEND'])")
    result = manage("shell", "--no-imports", "-c", show, env=env)
    assert result.returncode == 0, result.stderr
    # Whatever the queue, what Redis could not take waits in the task table.
    assert result.stdout.split() == [backend, "django_tasks_db.DatabaseBackend"]
