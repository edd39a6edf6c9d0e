"""``manage.py load_demo`` gives the Copper Kettle demo real conversations:
visitors' comments on the articles, some answered by the business."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from wagtail.models import Site

from hearthside.models import ArticlePage
from plugins.comments.models import CommentState, PageComment
from plugins.comments.posting import business_name

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, built once for the module (a build takes seconds) inside a
    transaction rolled back afterwards; each test rolls back to a savepoint."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo_site(built_demo, db):
    return Site.objects.get(is_default_site=True)


def test_demo_articles_have_approved_comments_and_business_replies(demo_site):
    comments = PageComment.objects.select_related("page")
    articles = set(ArticlePage.objects.live().values_list("pk", flat=True))

    assert comments.exists()
    assert {comment.state for comment in comments} == {CommentState.APPROVED}
    assert {comment.page_id for comment in comments} <= articles
    assert len({comment.page_id for comment in comments}) > 1
    assert all(comment.wagtail_site_id == demo_site.pk for comment in comments)
    assert all(comment.is_public and not comment.is_removed for comment in comments)
    replies = [comment for comment in comments if comment.is_business_reply]
    assert replies
    for reply in replies:
        parent = PageComment.objects.get(pk=reply.parent_id)
        assert reply.level == 1 and parent.page_id == reply.page_id
        assert reply.user_name == business_name(demo_site)
        assert parent.answered_at is not None  # answered questions leave the "needs a response" list
        assert not parent.is_business_reply


def test_the_demo_shows_comments_still_waiting_for_an_answer(demo_site):
    waiting = list(PageComment.objects.needing_response(demo_site, hours=24))

    assert waiting
    assert not any(comment.is_business_reply for comment in waiting)


def test_reloading_the_demo_does_not_duplicate_comments(demo_site):
    before = PageComment.objects.count()

    call_command("load_demo", "--reset", stdout=io.StringIO())

    assert PageComment.objects.count() == before


def test_a_demo_article_shows_its_conversation(demo_site, client):
    reply = PageComment.objects.filter(is_business_reply=True).select_related("page").first()
    question = PageComment.objects.get(pk=reply.parent_id)

    html = client.get(reply.page.url).content.decode()

    assert f'id="{question.anchor}"' in html
    assert f'id="{reply.anchor}"' in html
