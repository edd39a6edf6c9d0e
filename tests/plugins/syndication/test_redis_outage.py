"""Publishing while the task queue's Redis refuses connections: the editor's
publish succeeds, its follow-up tasks (the update's start, Wagtail's
indexing) are held in the database, and the held worker sends the update."""
from __future__ import annotations

import pytest
from django.core import mail

from hearthside.tasks import HELD
from tests.factories import make_article
from tests.plugins.members.factories import make_member
from tests.support.held_tasks import redis_refusing, run_held_tasks

# The held worker closes connections between tasks, as in production; in a
# test's transaction that would end the test's data, so the test commits.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def redis_down():
    with redis_refusing():
        yield


def test_publishing_while_redis_is_down_succeeds_and_its_update_goes_out_from_the_held_worker(
    site, journal, activate_plugin, no_delay, redis_down
):
    from django_tasks_db.models import DBTaskResult

    from plugins.syndication.models import Update, UpdateStatus

    activate_plugin(site, "members")
    activate_plugin(site, "syndication")
    make_member(site, email="baker@example.com", channels={"email": "immediate"})
    page = make_article(journal, title="Published in the outage")

    held = set(DBTaskResult.objects.filter(backend_name=HELD).values_list("task_path", flat=True))
    assert "plugins.syndication.tasks.start_update" in held
    assert Update.objects.get(page=page).status == UpdateStatus.SCHEDULED

    run_held_tasks()

    assert Update.objects.get(page=page).status == UpdateStatus.SENT
    assert "baker@example.com" in [address for message in mail.outbox for address in message.to]
