"""The PostgreSQL database a benchmark owns (bench/syndication/run.py,
bench/insights/run.py): made at the start from a migrated template keyed by
the migrations (migrated from scratch, and kept as that template, when there
is none), dropped at the end. Imported by its folder, like common.py."""
from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from urllib.parse import urlsplit

from common import REPO_ROOT, BenchError, log

POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql", "psql")


def migrations_key() -> str:
    """A hash of everything the migrated schema depends on: the same for
    every bench, so one can start from another's migrated template."""
    digest = hashlib.sha256()
    digest.update(sys.version.encode())
    for name in ("requirements.txt", "requirements-dev.txt"):
        path = REPO_ROOT / name
        if path.exists():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    for top in ("site", "plugins", "api"):
        for path in sorted((REPO_ROOT / top).rglob("migrations/*.py")):
            digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def migrate(env: dict) -> None:
    done = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise BenchError(f"migrate failed (exit {done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}")


class PostgresDatabase:
    """The database the bench owns: made at the start, dropped at the end."""

    # What the error says a URL of another scheme should be instead.
    needs = "postgres://"

    def __init__(self, url: str):
        self.url = url
        self.name = ""
        self.created = False
        self.how = ""
        parts = urlsplit(url)
        if parts.scheme not in POSTGRES_SCHEMES:
            raise BenchError(f"unsupported database URL {url!r}: {self.needs}")
        self._postgres(parts)

    def _postgres(self, parts) -> None:
        self.name = parts.path.lstrip("/")
        if "bench" not in self.name:
            raise BenchError(f"the bench drops and recreates its database: {self.name!r} does not "
                             "look like a benchmark database (its name must contain 'bench')")
        self.admin_url = parts._replace(path="/postgres").geturl()

    def _admin(self):
        import psycopg

        return psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10)

    def _exists(self, conn, name: str) -> bool:
        return conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone() is not None

    def _drop_like(self, conn, prefix: str, keep: str) -> None:
        """Drop every database whose name starts with prefix, but keep."""
        pattern = prefix.replace("_", r"\_") + "%"
        names = conn.execute("select datname from pg_database where datname like %s", [pattern]).fetchall()
        for (old,) in names:
            if old != keep:
                conn.execute(f'drop database if exists "{old}" with (force)')

    @property
    def migrated_template(self) -> str:
        return f"{self.name}_tpl_{migrations_key()}"[:63]

    def _reusable_template(self, conn) -> str | None:
        """The migrated template to start from (with --reuse-db): ours, else
        another bench's of the same migrations (a migrated schema is a
        migrated schema)."""
        if self._exists(conn, self.migrated_template):
            return self.migrated_template
        row = conn.execute("select datname from pg_database where datname like %s and datname like %s "
                           "order by datname limit 1",
                           [r"%bench%", r"%\_tpl\_" + migrations_key()]).fetchone()
        return row[0] if row else None

    def _from_filled_template(self, conn, started: float) -> bool:
        """Made the database from a template that holds data too (with
        --reuse-db): none here."""
        return False

    def create(self, env: dict, reuse: bool) -> bool:
        """Make the database; True when it came filled (see
        _from_filled_template), False when it is only migrated."""
        started = time.perf_counter()
        with self._admin() as conn:
            conn.execute(f'drop database if exists "{self.name}" with (force)')
            if reuse and self._from_filled_template(conn, started):
                return True
            template = self._reusable_template(conn) if reuse else None
            if template:
                conn.execute(f'create database "{self.name}" template "{template}"')
                self.created = True
                self.how = f"copied the migrated template {template} in {time.perf_counter() - started:.1f}s"
                return False
            conn.execute(f'create database "{self.name}"')
            self.created = True
        migrate(env)
        self.how = f"migrated from scratch in {time.perf_counter() - started:.1f}s"
        # Kept for the next run (--reuse-db, the default of --quick); older
        # schemas' templates are useless, so they go.
        with self._admin() as conn:
            self._drop_like(conn, f"{self.name}_tpl_", keep=self.migrated_template)
            if not self._exists(conn, self.migrated_template):
                conn.execute(f'create database "{self.migrated_template}" template "{self.name}"')
        return False

    def drop(self) -> None:
        if not self.created:
            return
        try:
            with self._admin() as conn:
                conn.execute(f'drop database if exists "{self.name}" with (force)')
        except Exception as exc:  # noqa: BLE001 - cleanup must not hide the real error
            log(f"  (could not drop {self.name}: {exc})")

    def server_version(self) -> str | None:
        try:
            with self._admin() as conn:
                return conn.execute("show server_version").fetchone()[0]
        except Exception:  # noqa: BLE001 - informational only
            return None

    def size_mb(self) -> float | None:
        try:
            with self._admin() as conn:
                size = conn.execute("select pg_database_size(%s)", [self.name]).fetchone()[0]
                return round(size / 1024 / 1024, 1)
        except Exception:  # noqa: BLE001 - informational only
            return None


def release(database: PostgresDatabase | None, keep: bool) -> None:
    """At the end: drop the database, or say it is kept (--keep-db)."""
    if database is not None and not keep:
        database.drop()
    elif database is not None:
        log(f"kept the database {database.name}")
