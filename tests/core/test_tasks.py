"""hearthside.tasks.RQBackend: with Redis refusing connections (a port no
server listens on), a task is held in the database and ``task_worker
--backend held`` runs it; with Redis up (the machine's, database 13, which
these tests flush), tasks go to RQ and nothing is held."""
from __future__ import annotations

import logging
import os
from datetime import timedelta

import pytest
from django.core import mail
from django.core.checks import run_checks
from django.test import override_settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus

from hearthside.tasks import HELD
from tests.plugins.members.test_views import post_from
from tests.support.held_tasks import HOLDING_TASKS, redis_refusing, rq_queues, run_held_tasks

pytestmark = pytest.mark.django_db
# The held worker closes connections between tasks, as in production; in a
# test's transaction that would end the test's data, so these tests commit.
commits = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REDIS_URL = os.environ.get("HEARTHSIDE_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@task
def note_in_mail(subject: str) -> str:
    """Leaves a trace a test can read: a message in Django's test outbox."""
    mail.send_mail(subject, "A held task ran.", "site@example.com", ["editor@example.com"])
    return subject


@pytest.fixture
def redis_down():
    with redis_refusing():
        yield


@commits
def test_a_task_redis_refuses_is_held_in_the_database_and_run_by_the_held_worker(redis_down, caplog):
    from django_tasks_db.models import DBTaskResult

    with caplog.at_level(logging.WARNING, logger="hearthside.tasks"):
        result = note_in_mail.enqueue("Held through the outage")

    assert result.backend == HELD
    row = DBTaskResult.objects.get(id=result.id)
    assert (row.backend_name, row.task_path, row.status) == (HELD, note_in_mail.module_path, TaskResultStatus.READY)
    assert f"Redis cannot take task {note_in_mail.module_path}" in caplog.text and result.id in caplog.text
    assert mail.outbox == []

    run_held_tasks()

    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.task_result.return_value == "Held through the outage"
    assert [message.subject for message in mail.outbox] == ["Held through the outage"]


@commits
def test_a_held_task_for_later_waits_for_its_time(redis_down):
    from django_tasks_db.models import DBTaskResult

    later = note_in_mail.using(run_after=timezone.now() + timedelta(hours=1)).enqueue("An hour from now")

    run_held_tasks()

    assert DBTaskResult.objects.get(id=later.id).status == TaskResultStatus.READY
    assert mail.outbox == []


def test_with_redis_up_tasks_go_to_rq_and_nothing_is_held():
    import django_rq
    import redis
    from django_tasks_db.models import DBTaskResult

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not answering at {REDIS_URL} ({error}): start redis-server", pytrace=False)
    client.flushdb()
    try:
        with override_settings(TASKS=HOLDING_TASKS, RQ_QUEUES=rq_queues(REDIS_URL)):
            result = note_in_mail.enqueue("Straight to RQ")
            assert result.backend == "default"
            assert django_rq.get_queue("default").job_ids == [result.id]
        assert not DBTaskResult.objects.exists()
    finally:
        client.flushdb()
        client.close()


@commits
def test_a_signup_while_redis_is_down_is_answered_and_its_confirmation_goes_out(
    client, site, activate_plugin, redis_down
):
    from plugins.members.models import Member

    activate_plugin(site, "members")
    response = post_from(client, "/members/signup/", email="rye@example.com", channels=["email"])

    assert (response.status_code, response["Location"]) == (303, "/members/signup/check-your-inbox/")
    assert Member.objects.filter(email="rye@example.com").exists()
    assert mail.outbox == []

    run_held_tasks()

    assert [message.to for message in mail.outbox] == [["rye@example.com"]]


def test_holding_without_a_held_backend_is_a_configuration_error():
    with override_settings(TASKS={"default": {"BACKEND": "hearthside.tasks.RQBackend"}}):
        errors = [message for message in run_checks() if message.id == "hearthside.E030"]
    assert len(errors) == 1 and "TASKS['held'] is missing" in errors[0].msg

    with override_settings(TASKS=HOLDING_TASKS):
        assert not [message for message in run_checks() if message.id == "hearthside.E030"]
