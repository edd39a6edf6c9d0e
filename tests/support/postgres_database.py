"""A PostgreSQL database a test owns outright (tests/e2e/test_production_stack.py):
dropped and made afresh at the start, dropped at the end, never
pytest-django's.

Migrating from nothing takes the better part of a minute, so the first run
keeps a migrated copy as a template, keyed by a hash of everything the
schema depends on (the same trick as bench/database.py); later runs with
the same migrations copy it in a second or two. Templates of other
migrations are dropped when a new one is made.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")
# CREATE DATABASE ... TEMPLATE refuses while anyone else is connected to the
# template; another run copying it at the same moment is such a someone.
COPY_ATTEMPTS = 5


class DatabaseError(Exception):
    """The database could not be made; the message says why."""


def migrations_key() -> str:
    """A hash of what the migrated schema depends on: Python, the pinned
    requirements and every migration file."""
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


class OwnedDatabase:
    """The database at ``url``, which this test drops and recreates: its name
    must contain ``must_contain``, so a mistyped URL cannot drop real data."""

    def __init__(self, url: str, must_contain: str = "e2e"):
        parts = urlsplit(url)
        if parts.scheme not in POSTGRES_SCHEMES:
            raise DatabaseError(f"{url!r} is not a PostgreSQL URL (postgres://user@host:port/name)")
        self.url = url
        self.name = parts.path.lstrip("/")
        if must_contain not in self.name:
            raise DatabaseError(f"this test drops and recreates its database: {self.name!r} does not look "
                                f"like a throwaway one (its name must contain {must_contain!r})")
        self.admin_url = parts._replace(path="/postgres").geturl()
        self.template = f"{self.name}_tpl_{migrations_key()}"[:63]
        self.created = False
        self.how = ""

    def _admin(self):
        import psycopg

        try:
            return psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as error:
            raise DatabaseError(f"PostgreSQL is not answering at {self.admin_url} ({error}). Start it, or "
                                "point HEARTHSIDE_E2E_DATABASE_URL at one.") from error

    @staticmethod
    def _exists(conn, name: str) -> bool:
        return conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone() is not None

    def create(self, migrate_env: dict, timeout: float = 600) -> None:
        """Drop the database and make it again, migrated: copied from the
        template when there is one, else migrated (``manage.py migrate`` in
        ``migrate_env``) and kept as the template for next time."""
        started = time.monotonic()
        with self._admin() as conn:
            conn.execute(f'drop database if exists "{self.name}" with (force)')
            if self._exists(conn, self.template) and self._copy_template(conn):
                self.created = True
                seconds = time.monotonic() - started
                self.how = f"copied the migrated template {self.template} in {seconds:.1f}s"
                return
            conn.execute(f'create database "{self.name}"')
            self.created = True
        done = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO_ROOT,
                              env=migrate_env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            output = (done.stdout + done.stderr)[-3000:]
            raise DatabaseError(f"migrate failed (exit {done.returncode}):\n{output}")
        self.how = f"migrated from scratch in {time.monotonic() - started:.1f}s"
        with self._admin() as conn:
            pattern = f"{self.name}_tpl_".replace("_", r"\_") + "%"
            older = conn.execute("select datname from pg_database where datname like %s", [pattern]).fetchall()
            for (old,) in older:
                if old != self.template:
                    conn.execute(f'drop database if exists "{old}" with (force)')
            if not self._exists(conn, self.template):
                conn.execute(f'create database "{self.template}" template "{self.name}"')

    def _copy_template(self, conn) -> bool:
        import psycopg

        for attempt in range(COPY_ATTEMPTS):
            try:
                conn.execute(f'create database "{self.name}" template "{self.template}"')
                return True
            except psycopg.errors.ObjectInUse:
                time.sleep(0.5 * (attempt + 1))
        return False  # migrate from scratch instead

    def connect(self):
        """A connection to the database itself (autocommit), to read what the processes wrote."""
        import psycopg

        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    def drop(self) -> None:
        if not self.created:
            return
        with self._admin() as conn:
            conn.execute(f'drop database if exists "{self.name}" with (force)')
        self.created = False
