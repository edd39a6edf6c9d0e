"""Gunicorn configuration for Hearthside.

Use it with::

    gunicorn -c site/config/gunicorn.py

It names the app (``config.wsgi:application``), changes to the repository
root and puts the root and site/ on the Python path, so it works from any
directory; config/wsgi.py defaults to the production settings.

Everything comes from the environment; command-line flags still override it.

=========================  ==================================================
GUNICORN_BIND              socket(s) to bind, comma-separated
                           (default ``$GUNICORN_HOST:$PORT``)
GUNICORN_HOST / PORT       used when GUNICORN_BIND is unset
                           (defaults ``127.0.0.1`` and ``8000``)
WEB_CONCURRENCY            worker processes (default ``2 × cores + 1``,
                           capped at GUNICORN_MAX_WORKERS, default 8)
GUNICORN_THREADS           threads per worker (default 1; >1 switches to
                           the ``gthread`` worker)
GUNICORN_WORKER_CLASS      worker class (default ``sync``, or ``gthread``
                           when threads > 1)
GUNICORN_TIMEOUT           seconds a silent worker lives (default 30)
GUNICORN_GRACEFUL_TIMEOUT  seconds to finish requests on stop (default 30)
GUNICORN_KEEPALIVE         keep-alive seconds, gthread only (default 5)
GUNICORN_MAX_REQUESTS      recycle a worker after N requests (default 0 = never;
                           note each worker keeps its own local-memory cache)
GUNICORN_ACCESS_LOG        access log file, ``-`` for stdout (default: off)
GUNICORN_LOG_LEVEL         error log level (default ``info``)
GUNICORN_PRELOAD           load the app before forking (default true)
GUNICORN_CONTROL_SOCKET    path of gunicorn's control socket (default: none,
                           so several instances never fight over
                           ``~/.gunicorn/gunicorn.ctl``)
FORWARDED_ALLOW_IPS        proxies trusted for X-Forwarded-* (gunicorn's own
                           variable; default ``127.0.0.1,::1``)
=========================  ==================================================
"""
import os
import sys
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise SystemExit(f"gunicorn config: {name} must be an integer, got {value!r}") from exc


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in ("1", "true", "yes", "on")


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours CPU pinning / cgroups cpusets
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _default_workers() -> int:
    return max(1, min(2 * _cpu_count() + 1, _env_int("GUNICORN_MAX_WORKERS", 8)))


_bind = os.environ.get("GUNICORN_BIND", "").strip()
if _bind:
    bind = [part.strip() for part in _bind.split(",") if part.strip()]
else:
    bind = [
        f"{os.environ.get('GUNICORN_HOST', '127.0.0.1')}:{_env_int('PORT', 8000)}"
    ]

# site/ is a source root, not a package (see manage.py): both it and the
# repository root (plugins, api) must be importable before config.wsgi is.
# Done here rather than with ``pythonpath``, which gunicorn applies only
# after --check-config has tried to import the app.
chdir = str(_REPO_ROOT)
for _path in (str(_REPO_ROOT), str(_REPO_ROOT / "site")):
    if _path not in sys.path:
        sys.path.insert(0, _path)
wsgi_app = "config.wsgi:application"
workers = max(1, _env_int("WEB_CONCURRENCY", _default_workers()))
threads = max(1, _env_int("GUNICORN_THREADS", 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS") or ("gthread" if threads > 1 else "sync")

# Import Django and the whole project once in the arbiter, then fork: faster
# start-up, shared memory pages, and an import error stops the server at once
# instead of crash-looping workers.
preload_app = _env_bool("GUNICORN_PRELOAD", True)

timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10)

# The heartbeat file lives in RAM where there is one (disk-backed tmp can
# stall workers; see gunicorn's "blocking os.fchmod" notes).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
if _control_socket:
    control_socket = _control_socket
else:
    control_socket_disable = True


def pre_fork(server, worker):
    """Close any database connection the preloaded app opened, in the arbiter,
    before forking: children must never share the parent's socket."""
    if not preload_app:
        return
    try:
        from django.db import connections
    except ImportError:  # pragma: no cover - Django is always installed
        return
    connections.close_all()
