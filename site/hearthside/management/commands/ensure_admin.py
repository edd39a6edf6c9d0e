"""``manage.py ensure_admin``: an admin account to sign in with after ``make run``.

The first run creates the superuser with a random password and keeps the
password in var/admin-password.txt (readable by its owner only), so every
later run can print the same sign-in details again.
"""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from config.paths import VAR_DIR

PASSWORD_FILE = VAR_DIR / "admin-password.txt"


def read_saved_login() -> tuple[str, str] | None:
    """(username, password) from the password file, if there is one."""
    if not PASSWORD_FILE.is_file():
        return None
    fields = dict(
        line.split("=", 1) for line in PASSWORD_FILE.read_text(encoding="utf-8").splitlines() if "=" in line
    )
    if "username" not in fields or "password" not in fields:
        return None
    return fields["username"], fields["password"]


def save_login(username: str, password: str) -> None:
    PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(PASSWORD_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(f"username={username}\npassword={password}\n")
    # os.open's mode only applies to a new file; an older one keeps its own.
    PASSWORD_FILE.chmod(0o600)


class Command(BaseCommand):
    help = (
        "Create the admin superuser if it does not exist, with a random password kept in "
        "var/admin-password.txt, and print how to sign in."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@example.com")
        parser.add_argument("--password", help="Use this password (and save it) instead of a random one.")

    def handle(self, *args, username, email, password, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is not None and not user.is_superuser:
            raise CommandError(f"User {username!r} exists but is not a superuser; choose another --username.")

        saved = read_saved_login()
        if user is None:
            password = password or secrets.token_urlsafe(18)
            get_user_model().objects.create_superuser(username=username, email=email, password=password)
            save_login(username, password)
            self.print_login(username, password, "Created the admin account.")
        elif password is None and saved is not None and saved[0] == username:
            if user.check_password(saved[1]):
                self.print_login(username, saved[1], "The admin account already exists.")
            else:
                # Changed since, in the admin: keep the new one, never print a stale one.
                self.print_login(username, None, f"The password in {PASSWORD_FILE} no longer works.")
        else:
            password = password or secrets.token_urlsafe(18)
            user.set_password(password)
            user.save(update_fields=["password"])
            save_login(username, password)
            self.print_login(username, password, "Set a new password for the admin account.")

    def print_login(self, username: str, password: str | None, status: str) -> None:
        admin_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("wagtailadmin_home")
        rule = "-" * 60
        lines = [
            rule,
            f"  {status}",
            f"  Admin:     {admin_url}",
            f"  Username:  {username}",
            f"  Password:  {password}"
            if password
            else "  Password:  (not shown; run ensure_admin --password ...)",
            f"  Saved in:  {PASSWORD_FILE}",
            rule,
        ]
        self.stdout.write("\n".join(lines))
