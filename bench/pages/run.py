#!/usr/bin/env python
"""Web benchmark (W2-W5): pages, feeds and the API against a static file from
the same server, and a comment flood.

    .venv/bin/python bench/pages/run.py            # full run (part of make bench), ~6 min
    .venv/bin/python bench/pages/run.py --quick    # smoke run for CI

Builds a throwaway production deployment (PostgreSQL database, migrate,
load_demo, collectstatic with whitenoise's manifest storage, Redis for the
cache and the task queue), starts gunicorn with site/config/gunicorn.py
twice — page and feed caches off (PAGE_CACHE_SECONDS=0) and on — and runs
wrk against the theme's stylesheet served by WhiteNoise, the home page, an
article with 50 comments (W2), the site feed of 50 full-content items and
its conditional GET (W3), the API's page list (limit=20) and the article's
comment thread (W4). Then, on the cached server, the article at a steady
rate alone and during 50 comment POSTs a second (W5). Every figure is also
given as a ratio to the static file measured on the same server in the same
run, so machines and noisy neighbours matter less. See bench/README.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # bench/common.py
from common import (  # noqa: E402
    REPO_ROOT,
    BenchError,
    add_database_url,
    add_results,
    add_reuse,
    broken,
    cleaning_up,
    env_number,
    free_port,
    interrupted,
    load_average,
    log,
    log_header,
    new_parser,
    print_figures,
    production_env,
    raise_interrupt,
    remove_tmp,
    run_record,
    tail,
    versions,
    write_results,
)
from database import PostgresDatabase, release  # noqa: E402

GUNICORN_CONFIG = REPO_ROOT / "site" / "config" / "gunicorn.py"
MEASURE_LUA = HERE / "measure.lua"
WARMUP_LUA = HERE / "warmup.lua"
PACED_LUA = HERE / "paced.lua"
PREPARE = HERE / "prepare.py"
FLOOD = HERE / "flood.py"

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/hearthside_bench_pages"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"

STATIC_URL = "/static/"  # settings.base.STATIC_URL (not configurable)
DEFAULT_STATIC_NAME = "themes/hearth/css/site.css"
CACHE_HEADER = "x-page-cache"
TARGET_RATIO = 0.8  # W2: cached article req/s >= 0.8 x static req/s
TARGET_FEED_RATIO = 0.5  # W3: cached feed req/s >= 0.5 x static req/s
TARGET_FLOOD_P95_RISE = 0.20  # W5: the article's p95 rises by at most 20% during the flood
PACED_CONNECTIONS = 4  # W5: connections asking for the article at the paced rate
SERVER_READY_TIMEOUT = 90
WRK_GRACE = 30  # seconds wrk may run past its -d before we call it hung


# --------------------------------------------------------------------------
# Options


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = new_parser(__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 2 s per target, 1 s warm-up, static measured once "
                             "per server, prepared database reused from the cache")
    parser.add_argument("--duration", type=int, default=None,
                        help="seconds per measured wrk run (env BENCH_DURATION, default 10)")
    parser.add_argument("--warmup", type=int, default=None,
                        help="seconds of wrk warm-up per target (env BENCH_WARMUP, default 1)")
    parser.add_argument("--connections", "-c", type=int,
                        default=env_number("BENCH_CONNECTIONS", 16),
                        help="wrk connections (env BENCH_CONNECTIONS, default 16)")
    parser.add_argument("--threads", "-t", type=int, default=env_number("BENCH_THREADS", 2),
                        help="wrk threads (env BENCH_THREADS, default 2)")
    parser.add_argument("--workers", type=int, default=env_number("BENCH_WORKERS", None),
                        help="gunicorn workers, passed as WEB_CONCURRENCY (env BENCH_WORKERS; "
                             "default: site/config/gunicorn.py's own default)")
    parser.add_argument("--cache-seconds", type=int, default=300,
                        help="PAGE_CACHE_SECONDS for the cached server (default 300)")
    add_database_url(parser, DEFAULT_DATABASE_URL,
                     more="; sqlite:// runs on a SQLite file in the temp dir")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL,
                        help="Redis database of the cache (django-redis, one for all workers) and the "
                             "task queue, flushed at the start and the end (env BENCH_REDIS_URL; "
                             f"default {DEFAULT_REDIS_URL}); 'none': each worker caches in its own "
                             "memory, tasks go to the database")
    parser.add_argument("--flood-rate", type=float, default=50,
                        help="W5: comment POSTs per second (default 50)")
    parser.add_argument("--flood-seconds", type=int, default=None,
                        help="W5: seconds of the flood, and of the article's paced run without it "
                             "(default 60; quick: 5)")
    parser.add_argument("--paced-rate", type=float, default=100,
                        help="W5: article requests per second, with and without the flood (default 100)")
    parser.add_argument("--static", dest="static_name",
                        default=os.environ.get("BENCH_STATIC") or None,
                        help="static file to compare against, as a staticfiles name (env "
                             "BENCH_STATIC; default: the first stylesheet the home page links, "
                             f"else {DEFAULT_STATIC_NAME})")
    add_reuse(parser,
              reuse="reuse the migrated demo database and collected static files from the cache "
                    "when the code has not changed (default with --quick)",
              fresh="always migrate, load_demo and collectstatic from scratch (default without --quick)")
    add_results(parser)
    parser.add_argument("--keep-tmp", action="store_true",
                        help="keep the temp dir (database, logs) for inspection")
    args = parser.parse_args(argv)

    if args.quick:
        default_duration, default_warmup = 2, 1
    else:
        default_duration, default_warmup = 10, 1
    if args.flood_seconds is None:
        args.flood_seconds = 5 if args.quick else 60
    if args.redis_url.lower() == "none":
        args.redis_url = ""
    if args.duration is None:
        args.duration = env_number("BENCH_DURATION", default_duration)
    if args.warmup is None:
        args.warmup = env_number("BENCH_WARMUP", default_warmup)
    if args.reuse is None:
        args.reuse = args.quick
    if args.duration < 1 or args.warmup < 1:
        parser.error("--duration and --warmup are whole seconds, at least 1")
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads (wrk's rule)")
    return args


# --------------------------------------------------------------------------
# The throwaway deployment


def bench_env(tmp: Path, args: argparse.Namespace, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Production settings, pointed at the temp dir, the bench's database and Redis."""
    env = production_env(
        ("STATIC_ROOT", "PAGE_CACHE_SECONDS", "GUNICORN_BIND", "WEB_CONCURRENCY", "REDIS_URL",
         "CACHE_URL", "TASK_BACKEND", "SYNDICATION_FEED_CACHE_SECONDS"),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        DATABASE_URL=database_url(tmp, args),
        MEDIA_ROOT=str(tmp / "media"),
        STATIC_ROOT=str(tmp / "static"),
    )
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    env.update(extra or {})
    return env


def database_url(tmp: Path, args: argparse.Namespace) -> str:
    return f"sqlite:///{tmp / 'db.sqlite3'}" if args.database_url.startswith("sqlite:") else args.database_url


class PagesDatabase(PostgresDatabase):
    """The PostgreSQL database of the run, and its demo template: the
    database as prepare.py left it, kept for the next --reuse-db run of the
    same code (the prepared state's key)."""

    def demo_template(self, key: str) -> str:
        return f"{self.name}_demo_{key}"[:63]

    def create_from_demo(self, key: str) -> bool:
        """The database copied from the demo template of key; False when there is none."""
        started = time.perf_counter()
        with self._admin() as conn:
            conn.execute(f'drop database if exists "{self.name}" with (force)')
            template = self.demo_template(key)
            if not self._exists(conn, template):
                return False
            conn.execute(f'create database "{self.name}" template "{template}"')
        self.created = True
        self.how = f"copied the demo template {template} in {time.perf_counter() - started:.1f}s"
        return True

    def keep_demo(self, key: str) -> None:
        """Keep the prepared database as key's demo template (older code's go)."""
        name = self.demo_template(key)
        with self._admin() as conn:
            self._drop_like(conn, f"{self.name}_demo_", keep=name)
            if not self._exists(conn, name):
                conn.execute(f'create database "{name}" template "{self.name}"')


def flush_redis(url: str) -> None:
    """Empty the bench's Redis database: no page, feed or rate count of an earlier run."""
    if not url:
        return
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10)
        client.flushdb()
        client.close()
    except redis.RedisError as exc:
        raise BenchError(f"Redis does not answer at {url}: {exc} (start redis-server, or pass "
                         "--redis-url none to measure per-worker local-memory caches)") from exc


def state_key() -> str:
    """A hash of everything the prepared database and static files depend on."""
    digest = hashlib.sha256()
    digest.update(sys.version.encode())
    for name in ("requirements.txt", "requirements-dev.txt", "manage.py"):
        path = REPO_ROOT / name
        if path.exists():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    digest.update(PREPARE.read_bytes())
    for top in ("site", "plugins", "api", "themes"):
        root = REPO_ROOT / top
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def cache_root() -> Path:
    if os.environ.get("BENCH_CACHE_DIR"):
        return Path(os.environ["BENCH_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "hearthside-bench"


STATE_PARTS = ("db.sqlite3", "media", "static", "prepare.json")


def copy_state(source: Path, target: Path) -> None:
    """Copy the prepared database, media and static files between folders."""
    for part in STATE_PARTS:
        src = source / part
        if src.is_dir():
            shutil.copytree(src, target / part)
        elif src.exists():
            shutil.copy2(src, target / part)


def restore_state(key: str, tmp: Path) -> bool:
    source = cache_root() / key
    if not (source / "complete").exists():
        return False
    copy_state(source, tmp)
    return True


def save_state(key: str, tmp: Path) -> None:
    root = cache_root()
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
        copy_state(tmp, staging)
        (staging / "complete").touch()
        target = root / key
        if target.exists():
            shutil.rmtree(staging)
        else:
            staging.rename(target)
        # Keep the two newest states; older code's databases are useless.
        states = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for old in states[2:]:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:  # a read-only home must not fail the run
        log(f"  (could not cache the prepared state in {root}: {exc})")


def prepare(tmp: Path, args: argparse.Namespace, database: PagesDatabase | None) -> dict:
    """Database, demo content, collected static files; returns prepare.json."""
    # Tasks the publishing enqueues (search index, syndication) have nobody to run them here.
    env = bench_env(tmp, args, {"TASK_BACKEND": "django_tasks.backends.dummy.DummyBackend"})
    key = state_key()
    started = time.perf_counter()
    if args.reuse and restore_state(key, tmp) and (database is None or database.create_from_demo(key)):
        info = json.loads((tmp / "prepare.json").read_text())
        info["timings"] = {"restored_from_cache": round(time.perf_counter() - started, 2)}
        info["reused_state"] = key
        log(f"  reused the prepared database and static files ({cache_root() / key}"
            f"{'; ' + database.how if database else ''})")
        return info
    for part in STATE_PARTS:  # a state restored without its database template is rebuilt
        if (tmp / part).is_dir():
            shutil.rmtree(tmp / part)
        else:
            (tmp / part).unlink(missing_ok=True)
    prepare_argv = [str(tmp / "prepare.json")]
    if database is not None:
        database.create(env, reuse=args.reuse)
        log(f"  database {database.name}: {database.how}")
        prepare_argv.append("--skip-migrate")

    load_demo = REPO_ROOT / "site" / "hearthside" / "management" / "commands" / "load_demo.py"
    if not load_demo.exists():
        raise BenchError(f"{load_demo.relative_to(REPO_ROOT)} does not exist yet")
    log(f"  {'load_demo' if database else 'migrate + load_demo'}, 50 comments, 50 feed items, "
        "and collectstatic alongside ...")
    logs = {name: open(tmp / f"{name}.log", "w") for name in ("prepare", "collectstatic")}
    # The two are independent (collectstatic never touches the database):
    # running them side by side uses both cores.
    procs = {
        "prepare": subprocess.Popen(
            [sys.executable, str(PREPARE), *prepare_argv],
            cwd=REPO_ROOT, env=env, stdout=logs["prepare"], stderr=subprocess.STDOUT),
        "collectstatic": subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=REPO_ROOT, env=env, stdout=logs["collectstatic"], stderr=subprocess.STDOUT),
    }
    try:
        for name, proc in procs.items():
            if proc.wait() != 0:
                logs[name].close()
                raise BenchError(f"{name} failed (exit {proc.returncode}):\n"
                                 + tail(tmp / f"{name}.log", 40))
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for handle in logs.values():
            handle.close()
    info = json.loads((tmp / "prepare.json").read_text())
    info["timings"]["prepare_wall"] = round(time.perf_counter() - started, 2)
    save_state(key, tmp)
    if database is not None:
        database.keep_demo(key)
    return info


LINK_TAG = re.compile(rb"<link\b[^>]*>", re.IGNORECASE)
HREF = re.compile(rb"""href\s*=\s*["']?([^"' >]+)""", re.IGNORECASE)


def linked_stylesheets(html: bytes) -> list[str]:
    """Local static stylesheets the page links, in document order."""
    found = []
    for tag in LINK_TAG.findall(html):
        if b"stylesheet" not in tag.lower():
            continue
        href = HREF.search(tag)
        if href and href.group(1).decode().startswith(STATIC_URL):
            found.append(href.group(1).decode())
    return found


def static_url(tmp: Path, name: str | None, home_html: bytes) -> tuple[str, str]:
    """(URL, how it was chosen) of the static file to compare pages against."""
    manifest_path = tmp / "static" / "staticfiles.json"
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as exc:
        raise BenchError(f"no staticfiles manifest at {manifest_path}: {exc}") from exc
    paths = manifest.get("paths", {})
    if name is None:
        hashed = {STATIC_URL + value for value in paths.values()}
        linked = [url for url in linked_stylesheets(home_html) if url in hashed]
        if linked:
            return linked[0], "first stylesheet linked from the home page"
        name = DEFAULT_STATIC_NAME
    if name not in paths:
        css = sorted(p for p in paths if p.startswith("themes/") and p.endswith(".css"))
        raise BenchError(f"{name} is not among the collected static files; "
                         f"theme stylesheets collected: {css or 'none'} (use --static NAME)")
    return STATIC_URL + paths[name], f"staticfiles name {name}"


# --------------------------------------------------------------------------
# gunicorn


def fetch(port: int, path: str, timeout: float = 30,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close", **(headers or {})})
        response = conn.getresponse()
        body = response.read()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, headers, body
    finally:
        conn.close()


@dataclass
class Server:
    mode: str
    port: int
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen | None = None
    workers: int | None = None

    def start(self) -> None:
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            # The config sets the directory, the import path and the app;
            # everything else comes from the environment, as in production.
            [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG)],
            cwd=REPO_ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,  # our Ctrl-C is ours to handle; we stop it below
        )

    def wait_ready(self, path: str = "/") -> None:
        deadline = time.monotonic() + SERVER_READY_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn ({self.mode}) exited with {self.proc.returncode}:\n"
                                 + tail(self.log_path, 40))
            try:
                fetch(self.port, path, timeout=10)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise BenchError(f"gunicorn ({self.mode}) did not answer within "
                                     f"{SERVER_READY_TIMEOUT}s:\n" + tail(self.log_path, 40))
                time.sleep(0.2)
        booted = re.findall(r"Booting worker with pid", self.log_path.read_text(errors="replace"))
        self.workers = len(booted) or None

    def signal_stop(self, graceful: bool = True) -> None:
        """SIGTERM: graceful stop; SIGQUIT: gunicorn's quick shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM if graceful else signal.SIGQUIT)

    def stop(self, graceful: bool = True, timeout: float = 15) -> None:
        if self.proc is None:
            return
        self.signal_stop(graceful)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        # Whatever is left of its process group (it runs in its own session).
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.proc.poll() is None:
            self.proc.wait()
        self._log.close()
        self.proc = None


def process_tree_cpu_seconds(root_pid: int) -> float | None:
    """User + system CPU seconds of a process and its children (Linux /proc).

    Server CPU per request hardly depends on what else the machine is doing,
    unlike requests per second: the steadier figure on a shared machine.
    """
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    found = False
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name may contain spaces; the fields follow its ")".
        fields = stat[stat.rindex(b")") + 2:].split()
        pid, ppid = int(entry), int(fields[1])
        if pid == root_pid or ppid == root_pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime
            found = True
    return total / tick if found else None


# --------------------------------------------------------------------------
# wrk


def run_wrk(url: str, *, threads: int, connections: int, duration: int, script: Path,
            latency: bool, headers: dict[str, str] | None = None,
            env: dict[str, str] | None = None) -> tuple[list[str], str]:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    if latency:
        command.append("--latency")
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command += ["-s", str(script), url]
    try:
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})},
                              timeout=duration + WRK_GRACE)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"wrk hung: {' '.join(command)}") from exc
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {' '.join(command)}\n"
                         f"{done.stdout}{done.stderr}")
    return command, done.stdout


def json_line(output: str, marker: str) -> dict:
    for line in output.splitlines():
        if line.startswith(marker + " "):
            return json.loads(line[len(marker) + 1:])
    raise BenchError(f"wrk printed no {marker} line:\n{output}")


@dataclass
class Target:
    key: str  # "static", "home", "article", "feed", "feed_304", "api_pages", "api_thread"
    label: str
    path: str
    page_cached: bool = False  # the page cache answers it (X-Page-Cache) on the cached server
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200  # what every answer must be


@dataclass
class Result:
    target: str
    mode: str
    path: str
    round: str = ""
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    bytes_per_response: float = 0.0
    server_cpu_us: float | None = None  # gunicorn CPU time per request
    requests: int = 0
    socket_errors: dict = field(default_factory=dict)
    warmup: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)
    command: str = ""
    loadavg_before: float = 0.0
    ratio_to_static: float | None = None
    cpu_ratio_to_static: float | None = None  # static CPU/req over this CPU/req


def check_once(server: Server, target: Target, cached: bool) -> dict:
    status, headers, body = fetch(server.port, target.path, headers=target.headers)
    if status != target.status:
        raise BenchError(f"{target.path} {target.headers or ''} answered {status}, not "
                         f"{target.status} ({server.mode}):\n"
                         f"{body[:500].decode(errors='replace')}\n{tail(server.log_path, 30)}")
    return {"status": status, "cache": headers.get(CACHE_HEADER),
            "content_type": headers.get("content-type", ""),
            "cache_control": headers.get("cache-control", ""), "bytes": len(body)}


def measure(server: Server, target: Target, args: argparse.Namespace, cached: bool,
            round_name: str = "") -> Result:
    url = f"http://127.0.0.1:{server.port}{target.path}"
    # 1. A few sequential requests: 200s, and the first render (image
    #    renditions, template compilation) done before any concurrency.
    first = [check_once(server, target, cached) for _ in range(1 if args.quick else 3)]
    # 2. wrk warm-up at full concurrency, counting statuses and cache headers:
    #    reaches every worker, so each fills its own (per-process) cache.
    #    (Not again for the static file's second round: it is warm.)
    #    With the cache on, repeat (up to 3 times) until a whole warm-up
    #    sees no miss: then no worker is left cold for the measured run.
    if round_name == "after":
        warmup = {"skipped": "warm from the first round"}
    else:
        for attempt in range(1, 4):
            _, output = run_wrk(url, threads=args.threads, connections=args.connections,
                                duration=args.warmup, script=WARMUP_LUA, latency=False,
                                headers=target.headers, env={"BENCH_EXPECT_STATUS": str(target.status)})
            warmup = json_line(output, "WARMUP_JSON")
            warmup["attempts"] = attempt
            if warmup["unexpected"] or not (cached and target.page_cached and warmup["misses"]):
                break
    if warmup.get("unexpected"):
        raise BenchError(f"{target.path}: {warmup['unexpected']} answers other than {target.status} during warm-up "
                         f"({server.mode})\n{tail(server.log_path, 30)}")
    # 3. The page must now come from the cache (or, uncached, never claim to).
    #    (Uncached pages cost a render each: two checks are enough.)
    after = [check_once(server, target, cached) for _ in range(5 if cached else 2)]
    checks = {"first": first[0], "after_warmup_cache_headers": [a["cache"] for a in after]}
    if target.page_cached:
        if cached:
            checks["cache_ok"] = all(a["cache"] == "hit" for a in after)
        else:
            checks["cache_ok"] = all(a["cache"] is None for a in after) and not warmup.get("hits")
    else:
        checks["cache_ok"] = True
    if target.key == "static":
        checks["served_by_whitenoise"] = "immutable" in first[0]["cache_control"] or \
            "max-age" in first[0]["cache_control"]
    # 4. The measured run.
    load = os.getloadavg()[0]
    cpu_before = process_tree_cpu_seconds(server.proc.pid)
    command, output = run_wrk(url, threads=args.threads, connections=args.connections,
                              duration=args.duration, script=MEASURE_LUA, latency=True,
                              headers=target.headers)
    cpu_after = process_tree_cpu_seconds(server.proc.pid)
    data = json_line(output, "WRK_JSON")
    errors = data["errors"]
    if errors["status"]:
        status, _, body = fetch(server.port, target.path, headers=target.headers)
        raise BenchError(f"{target.path}: {errors['status']} non-2xx/3xx answers during the "
                         f"measured run ({server.mode}); asked again, it answers {status}: "
                         f"{body[:300].decode(errors='replace')}\n{tail(server.log_path, 30)}")
    if not data["requests"]:
        raise BenchError(f"{target.path}: wrk completed no requests ({server.mode})\n{output}")
    lat = data["latency_us"]
    return Result(
        target=target.key, mode=server.mode, path=target.path, round=round_name,
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=lat["p50"] / 1000, p95_ms=lat["p95"] / 1000, p99_ms=lat["p99"] / 1000,
        bytes_per_response=data["bytes"] / data["requests"],
        server_cpu_us=(None if cpu_before is None or cpu_after is None
                       else (cpu_after - cpu_before) / data["requests"] * 1e6),
        requests=data["requests"],
        socket_errors={k: v for k, v in errors.items() if k != "status" and v},
        warmup=warmup, checks=checks, command=" ".join(command), loadavg_before=load,
    )


def run_suite(server: Server, targets: list[Target], args: argparse.Namespace,
              cached: bool) -> list[Result]:
    static, pages = targets[0], targets[1:]
    results = []
    log(f"  [{server.mode}] gunicorn :{server.port}, {server.workers or '?'} workers, "
        f"load average {os.getloadavg()[0]:.2f}")
    # The static file before and after the pages: the ratio uses their mean,
    # and the gap between the two shows how steady the machine was.
    order = [(static, "before"), *[(p, "") for p in pages]]
    if not args.quick:
        order.append((static, "after"))
    for target, round_name in order:
        result = measure(server, target, args, cached, round_name)
        flag = "" if result.checks["cache_ok"] else "   <-- cache check FAILED"
        cpu = f"{result.server_cpu_us:7.0f}" if result.server_cpu_us is not None else "      ?"
        log(f"    {target.label:<9} {result.rps:9.1f} req/s  p50 {result.p50_ms:6.2f} ms  "
            f"p95 {result.p95_ms:6.2f} ms  server CPU {cpu} us/req  {round_name}{flag}")
        results.append(result)
    static_rps = [r.rps for r in results if r.target == "static"]
    baseline = sum(static_rps) / len(static_rps)
    static_cpu = [r.server_cpu_us for r in results if r.target == "static"]
    cpu_baseline = sum(static_cpu) / len(static_cpu) if None not in static_cpu else None
    for result in results:
        result.ratio_to_static = result.rps / baseline
        if cpu_baseline and result.server_cpu_us:
            result.cpu_ratio_to_static = cpu_baseline / result.server_cpu_us
    return results


# --------------------------------------------------------------------------
# W5: the comment flood


def paced_article(server: Server, article: Target, args: argparse.Namespace, seconds: int, *,
                  connections: int = PACED_CONNECTIONS, pace_ms: int | None = None) -> dict:
    """The article asked for by connections, each waiting pace_ms after every
    answer (by default: args.paced_rate, latency aside), for seconds: its WRK_JSON."""
    if pace_ms is None:
        pace_ms = max(1, round(connections * 1000 / args.paced_rate))
    url = f"http://127.0.0.1:{server.port}{article.path}"
    command, output = run_wrk(url, threads=min(args.threads, connections), connections=connections,
                              duration=seconds, script=PACED_LUA, latency=True,
                              env={"BENCH_PACE_MS": str(pace_ms)})
    data = json_line(output, "WRK_JSON")
    if not data["requests"]:
        raise BenchError(f"{article.path}: wrk completed no requests (paced)\n{output}")
    lat = data["latency_us"]
    return {"command": " ".join(command), "pace_ms": pace_ms, "requests": data["requests"],
            "rps": data["requests"] / (data["duration_us"] / 1e6),
            "p50_ms": lat["p50"] / 1000, "p95_ms": lat["p95"] / 1000, "p99_ms": lat["p99"] / 1000,
            "mean_ms": lat["mean"] / 1000, "non_2xx_3xx": data["errors"]["status"],
            "socket_errors": {k: v for k, v in data["errors"].items() if k != "status" and v}}


def comment_flood(server: Server, article: Target, args: argparse.Namespace, tmp: Path) -> dict:
    """W5: the article's latency at a steady rate, alone and while visitors
    post args.flood_rate comments a second through its form."""
    seconds = args.flood_seconds
    log(f"  [W5] the article at {args.paced_rate:.0f} req/s for {seconds}s, alone, then during "
        f"{args.flood_rate:.0f} comment POSTs/s ...")
    cpu_start = process_tree_cpu_seconds(server.proc.pid)
    alone = paced_article(server, article, args, seconds)
    cpu_alone = process_tree_cpu_seconds(server.proc.pid)
    flood_out = tmp / "flood.json"
    flood_log = open(tmp / "flood.log", "w")
    flood = subprocess.Popen(
        [sys.executable, str(FLOOD), "--port", str(server.port), "--page", article.path,
         "--rate", str(args.flood_rate), "--seconds", str(seconds), "--out", str(flood_out)],
        cwd=REPO_ROOT, stdout=flood_log, stderr=subprocess.STDOUT)
    try:
        during = paced_article(server, article, args, seconds)
        flood.wait(timeout=seconds + 120)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"the comment flood did not finish:\n{tail(tmp / 'flood.log', 20)}") from exc
    finally:
        if flood.poll() is None:
            flood.kill()
            flood.wait()
        flood_log.close()
    cpu_flooded = process_tree_cpu_seconds(server.proc.pid)
    if flood.returncode != 0:
        raise BenchError(f"the comment flood failed (exit {flood.returncode}):\n{tail(tmp / 'flood.log', 30)}")
    posts = json.loads(flood_out.read_text())
    # Both runs last as long and ask for the article as often: what the
    # flooded one spent beyond the other is what the posts cost gunicorn.
    post_cpu_ms = (None if None in (cpu_start, cpu_alone, cpu_flooded) or not posts["sent"]
                   else ((cpu_flooded - cpu_alone) - (cpu_alone - cpu_start)) / posts["sent"] * 1000)
    accepted = posts["statuses"].get("303 sent", 0)
    if accepted < 0.9 * posts["asked"]["posts"] and not posts["server_errors"]:
        raise BenchError(f"the flood's comments were refused, so it measured no writes: {posts['statuses']} "
                         f"(see {tmp / 'gunicorn-cached.log'})\n{tail(server.log_path, 20)}")
    rise = during["p95_ms"] / alone["p95_ms"] - 1
    server_errors = posts["server_errors"] + during["non_2xx_3xx"]
    log(f"    alone     {alone['rps']:7.1f} req/s  p50 {alone['p50_ms']:6.2f} ms  p95 {alone['p95_ms']:6.2f} ms")
    log(f"    flooded   {during['rps']:7.1f} req/s  p50 {during['p50_ms']:6.2f} ms  p95 {during['p95_ms']:6.2f} ms"
        f"   comments {posts['sent']:,} at {posts['achieved_rate']:.1f}/s, answers {posts['statuses']}, "
        f"POST p95 {posts['latency_ms']['p95']:.0f} ms, "
        f"server CPU {'?' if post_cpu_ms is None else f'{post_cpu_ms:.1f}'} ms/comment")
    return {"alone": alone, "during": during, "posts": posts, "p95_rise": round(rise, 4),
            "server_cpu_ms_per_post": None if post_cpu_ms is None else round(post_cpu_ms, 2),
            "server_errors": server_errors,
            "pass": rise <= TARGET_FLOOD_P95_RISE and server_errors == 0}


# --------------------------------------------------------------------------
# Report


def summarise(results: list[Result], targets: list[Target]) -> list[dict]:
    """One row per (mode, target); the static rows average the two rounds."""
    rows = []
    for mode in ("uncached", "cached"):
        for key in dict.fromkeys(t.key for t in targets):
            group = [r for r in results if r.mode == mode and r.target == key]
            if not group:
                continue
            n = len(group)
            rows.append({
                "target": key, "mode": mode, "path": group[0].path,
                "rps": sum(r.rps for r in group) / n,
                "p50_ms": sum(r.p50_ms for r in group) / n,
                "p95_ms": sum(r.p95_ms for r in group) / n,
                "p99_ms": sum(r.p99_ms for r in group) / n,
                "kb": sum(r.bytes_per_response for r in group) / n / 1024,
                "cpu_us": (sum(r.server_cpu_us for r in group) / n
                           if all(r.server_cpu_us is not None for r in group) else None),
                "ratio": sum(r.ratio_to_static for r in group) / n,
                "cpu_ratio": (sum(r.cpu_ratio_to_static for r in group) / n
                              if all(r.cpu_ratio_to_static for r in group) else None),
                "cache_ok": all(r.checks["cache_ok"] for r in group),
                "static_drift": (abs(group[0].rps - group[-1].rps) / (sum(r.rps for r in group) / n)
                                 if key == "static" and n > 1 else None),
            })
    return rows


def print_table(rows: list[dict], labels: dict[str, str]) -> None:
    header = (f"{'target':<34} {'mode':<9} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'KB/resp':>8} {'x static':>9} {'CPU us/req':>11} {'CPU x st.':>10}")
    log_header(header)
    for row in rows:
        name = f"{labels[row['target']]} {row['path']}"
        if len(name) > 34:
            name = name[:31] + "..."
        note = "" if row["cache_ok"] else "  (cache check failed)"
        if row["static_drift"] is not None:
            note += f"  (before/after differ {row['static_drift']:.0%})"
        cpu = f"{row['cpu_us']:11.0f}" if row["cpu_us"] is not None else f"{'?':>11}"
        cpu_ratio = f"{row['cpu_ratio']:9.2f}x" if row["cpu_ratio"] else f"{'?':>10}"
        log(f"{name:<34} {row['mode']:<9} {row['rps']:9.1f} {row['p50_ms']:8.2f} "
            f"{row['p95_ms']:8.2f} {row['kb']:8.1f} {row['ratio']:8.2f}x {cpu} {cpu_ratio}{note}")


def workloads(rows: list[dict], conditional: dict, flood: dict) -> list[dict]:
    """W2-W5 as figures against their targets (what bench/run.py tabulates)."""
    row = {(r["mode"], r["target"]): r for r in rows}

    def ratio(mode: str, key: str) -> float:
        return round(row[(mode, key)]["ratio"], 3)

    def figure(workload, name, value, unit, target=None, passed=None, baseline="static file, same server"):
        return {"workload": workload, "figure": name, "value": value, "unit": unit, "baseline": baseline,
                "target": target, "pass": passed}

    found = [
        figure("W2", "article +50 comments, cached", ratio("cached", "article"), "x", f">= {TARGET_RATIO}",
               ratio("cached", "article") >= TARGET_RATIO),
        figure("W2", "article +50 comments, uncached", ratio("uncached", "article"), "x"),
        figure("W3", "site feed, 50 full items, cached", ratio("cached", "feed"), "x", f">= {TARGET_FEED_RATIO}",
               ratio("cached", "feed") >= TARGET_FEED_RATIO),
        figure("W3", "site feed, rendered each time", ratio("uncached", "feed"), "x"),
        figure("W3", "conditional GET (ETag, Last-Modified)", conditional["statuses"], "status", "304",
               conditional["pass"], baseline="-"),
        figure("W3", "304 answers", ratio("cached", "feed_304"), "x"),
        figure("W4", "API page list, limit=20", ratio("cached", "api_pages"), "x"),
        figure("W4", "API comment thread (50)", ratio("cached", "api_thread"), "x"),
    ]
    if flood:
        found += [
            figure("W5", f"article p95 during {flood['posts']['asked']['rate']:.0f} comment POSTs/s",
                   flood["p95_rise"], "rise", f"<= {TARGET_FLOOD_P95_RISE:.0%}",
                   flood["p95_rise"] <= TARGET_FLOOD_P95_RISE,
                   baseline=f"the article's p95 alone, {flood['alone']['p95_ms']:.2f} ms"),
            figure("W5", "5xx answers during the flood", flood["server_errors"], "count", "0",
                   flood["server_errors"] == 0, baseline="-"),
        ]
    return found


def conditional_gets(server: Server, feed: Target) -> dict:
    """The feed asked for again with its ETag, then with its Last-Modified: both 304."""
    status, headers, _ = fetch(server.port, feed.path)
    etag, modified = headers.get("etag"), headers.get("last-modified")
    if status != 200 or not etag or not modified:
        raise BenchError(f"{feed.path} answered {status} with ETag {etag!r}, Last-Modified {modified!r}")
    by_etag, _, body = fetch(server.port, feed.path, headers={"If-None-Match": etag})
    by_date, _, _ = fetch(server.port, feed.path, headers={"If-Modified-Since": modified})
    return {"etag": etag, "last_modified": modified, "statuses": f"{by_etag}/{by_date}",
            "empty_body": not body, "pass": by_etag == by_date == 304 and not body}


def page_versions() -> dict:
    found = versions("Django", "wagtail", "gunicorn", "whitenoise", "psycopg", "redis", "django-redis")
    try:
        found["wrk"] = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout \
            .splitlines()[0].split(" [")[0]
    except (OSError, IndexError):
        pass
    return found


# --------------------------------------------------------------------------


def server_targets(static_path: str, info: dict, etag: str) -> list[Target]:
    article = info["discussed"]
    return [
        Target("static", "static", static_path),
        Target("home", "home", "/", page_cached=True),
        Target("article", f"article +{article['comments']}", article["path"], page_cached=True),
        Target("feed", "site feed", info["feed"]["path"]),
        Target("feed_304", "feed 304", info["feed"]["path"], headers={"If-None-Match": etag}, status=304),
        Target("api_pages", "API pages", "/api/v2/pages/?limit=20"),
        Target("api_thread", "API thread", f"/api/v1/comments/pages/{article['id']}/"),
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        log("wrk is not installed (apt-get install wrk)")
        return 1
    signal.signal(signal.SIGTERM, raise_interrupt)

    started_at = dt.datetime.now(dt.timezone.utc)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="hearthside-bench-"))
    servers: list[Server] = []
    database: PagesDatabase | None = None
    try:
        log(f"Hearthside web benchmark ({'quick' if args.quick else 'full'}), temp dir {tmp}")
        load_before = load_average()
        if not args.database_url.startswith("sqlite:"):
            database = PagesDatabase(args.database_url)
        flush_redis(args.redis_url)
        info = prepare(tmp, args, database)
        if not info.get("discussed"):
            raise BenchError("the comments plugin is not installed: W2's article has no comments")

        # The bench is one client address: the limits (still counted on every
        # request) would refuse most of W4's reads and all but W5's first few
        # comments, whose cost as accepted writes is what W5 measures.
        extra = {"GUNICORN_GRACEFUL_TIMEOUT": "5", "API_THROTTLE_ANON": "100000000/min",
                 # DRF's user throttle counts anonymous requests by address too.
                 "API_THROTTLE_USER": "100000000/min",
                 "COMMENTS_RATE_PER_IP": "100000000/m", "COMMENTS_RATE_PER_EMAIL": "100000000/m",
                 "COMMENTS_MIN_SECONDS_TO_POST": "0"}
        if args.workers:
            extra["WEB_CONCURRENCY"] = str(args.workers)
        for mode, seconds in (("uncached", 0), ("cached", args.cache_seconds)):
            port = free_port()
            env = bench_env(tmp, args, {**extra, "PAGE_CACHE_SECONDS": str(seconds),
                                        "SYNDICATION_FEED_CACHE_SECONDS": str(seconds),
                                        "GUNICORN_BIND": f"127.0.0.1:{port}"})
            servers.append(Server(mode, port, env, tmp / f"gunicorn-{mode}.log"))
        # Both boot together and stop together at the end (an interpreter
        # shutting down costs CPU too); each is measured alone, the other
        # idle: an idle sync worker wakes once a second and does nothing.
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        status, _, home = fetch(servers[0].port, "/")
        if status != 200:
            raise BenchError(f"home page answered {status}:\n{home[:500].decode(errors='replace')}"
                             f"\n{tail(servers[0].log_path, 30)}")
        static_path, static_how = static_url(tmp, args.static_name, home)
        static_linked = static_path.encode() in home
        log(f"  servers up after {time.perf_counter() - started:.1f}s; static {static_path} ({static_how}), "
            f"article {info['discussed']['path']!r} ({info['discussed']['comments']} comments), "
            f"feed of {info['feed']['items']} items; database {database.name if database else 'SQLite'}, "
            f"cache {'Redis ' + args.redis_url if args.redis_url else 'local memory per worker'}")
        if not static_linked:
            log(f"  note: the home page does not link {static_path}")

        results: list[Result] = []
        conditional: dict = {}
        flood: dict = {}
        for server in servers:
            probe = server_targets(static_path, info, "")
            conditional[server.mode] = conditional_gets(server, probe[3])
            targets = server_targets(static_path, info, conditional[server.mode]["etag"])
            results += run_suite(server, targets, args, cached=server.mode == "cached")
        labels = {t.key: t.label for t in targets}
        flood = comment_flood(servers[1], targets[2], args, tmp)
        for server in servers:
            server.signal_stop(graceful=True)
        for server in servers:
            server.stop(graceful=True)

        rows = summarise(results, targets)
        conditional_all = {"statuses": "/".join(c["statuses"] for c in conditional.values()),
                           "pass": all(c["pass"] for c in conditional.values())}
        found = workloads(rows, conditional_all, flood)
        cache_ok = all(r.checks["cache_ok"] for r in results)

        log("")
        log(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency; "
            f"gunicorn {servers[0].workers or '?'} workers (site/config/gunicorn.py); "
            f"{os.cpu_count()} CPUs")
        log("x static = req/s over the static file's req/s on the same server; CPU x st. = "
            "the static file's server CPU per request over the row's (steadier when the "
            "machine is shared)")
        print_table(rows, labels)
        log("")
        print_figures(found)
        if args.quick:
            log("  (quick run: samples this short only show the benchmark works; "
                "judge the targets on a full run)")
        if not cache_ok:
            log("ERROR: a page-cache check failed (cached pages must answer X-Page-Cache: hit "
                "after warm-up, uncached ones must not carry the header); see the JSON checks.")
        if not conditional_all["pass"]:
            log(f"ERROR: the feed's conditional GETs answered {conditional_all['statuses']}, not 304.")

        record = {
            **run_record(started_at, round(time.perf_counter() - started, 1), args.quick, load_before,
                         page_versions()),
            "wrk": {"threads": args.threads, "connections": args.connections,
                    "duration_s": args.duration, "warmup_s": args.warmup},
            "gunicorn": {"config": "site/config/gunicorn.py", "workers": servers[0].workers,
                         "page_cache_seconds": args.cache_seconds},
            "database": {"engine": "postgresql" if database else "sqlite",
                         "server_version": database.server_version() if database else None},
            "cache": {"redis": args.redis_url or None},
            "targets": {t.key: t.path for t in targets},
            "article": info["discussed"],
            "feed": info["feed"],
            "static_chosen_as": static_how,
            "static_linked_from_home": static_linked,
            "prepare": {"timings": info.get("timings"), "reused_state": info.get("reused_state")},
            "conditional_get": conditional,
            "comment_flood": flood,
            "workloads": found,
            "summary": rows,
            "runs": [r.__dict__ for r in results],
        }
        if not args.no_results:
            write_results(args.results_dir / f"web-{started_at.strftime('%Y%m%dT%H%M%SZ')}.json",
                          record, record["elapsed_s"])
        return 0 if cache_ok and conditional_all["pass"] else 1
    except BenchError as exc:
        return broken(exc, tmp if args.keep_tmp else None)
    except KeyboardInterrupt:
        return interrupted()
    finally:
        with cleaning_up():
            # Normally both are stopped already; after an error or Ctrl-C,
            # signal all of them at once, then reap each.
            for server in servers:
                server.signal_stop(graceful=False)
            for server in servers:
                server.stop(graceful=False, timeout=10)
            release(database, args.keep_tmp)
            if args.redis_url:
                try:
                    flush_redis(args.redis_url)
                except BenchError:
                    pass
            remove_tmp(tmp, args.keep_tmp)


if __name__ == "__main__":
    sys.exit(main())
