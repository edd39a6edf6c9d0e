"""``manage.py ensure_admin``: one superuser, a password kept for later runs."""

import io
import stat

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from hearthside.management.commands import ensure_admin

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def password_file(monkeypatch, tmp_path):
    path = tmp_path / "var" / "admin-password.txt"
    monkeypatch.setattr(ensure_admin, "PASSWORD_FILE", path)
    return path


def run(*args):
    output = io.StringIO()
    call_command("ensure_admin", *args, stdout=output)
    return output.getvalue()


def saved_password(path):
    lines = dict(line.split("=", 1) for line in path.read_text().splitlines())
    return lines["password"]


def test_creates_one_superuser_and_keeps_its_password_private(password_file):
    output = run()

    admin = get_user_model().objects.get()
    assert (admin.username, admin.email, admin.is_superuser, admin.is_staff) == (
        "admin",
        "admin@example.com",
        True,
        True,
    )
    password = saved_password(password_file)
    assert len(password) >= 20
    assert admin.check_password(password)
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert "http://testserver/admin/" in output
    assert "Username:  admin" in output and password in output


def test_second_run_keeps_and_prints_the_same_password(password_file):
    run()
    password = saved_password(password_file)

    output = run()

    assert get_user_model().objects.count() == 1
    assert saved_password(password_file) == password
    assert get_user_model().objects.get().check_password(password)
    assert password in output


def test_missing_password_file_gets_a_new_working_password(password_file):
    run()
    old_password = saved_password(password_file)
    password_file.unlink()

    output = run()

    new_password = saved_password(password_file)
    admin = get_user_model().objects.get()
    assert new_password != old_password
    assert admin.check_password(new_password)
    assert new_password in output


def test_given_username_and_password_are_used_and_saved(password_file):
    output = run("--username", "ops", "--password", "correct horse battery staple")

    user = get_user_model().objects.get()
    assert user.username == "ops" and user.is_superuser
    assert user.check_password("correct horse battery staple")
    assert saved_password(password_file) == "correct horse battery staple"
    assert "Username:  ops" in output


def test_password_changed_in_the_admin_is_kept_and_the_stale_one_not_printed(password_file):
    run()
    stale = saved_password(password_file)
    admin = get_user_model().objects.get()
    admin.set_password("chosen in the admin")
    admin.save()

    output = run()

    admin.refresh_from_db()
    assert admin.check_password("chosen in the admin")
    assert stale not in output
    assert "no longer works" in output


def test_refuses_to_reuse_a_username_that_is_not_a_superuser(password_file):
    UserFactory(username="admin")

    with pytest.raises(CommandError, match="not a superuser"):
        run()

    assert not get_user_model().objects.get().is_superuser
    assert not password_file.exists()
