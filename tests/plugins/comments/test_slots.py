"""The comment thread after a page's body: its data (what the pages API and a
headless front end get), its HTML, and what it costs in queries."""

from __future__ import annotations

import datetime

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_comments.models import CommentFlag
from django_comments_xtd.models import LIKEDIT_FLAG

from hearthside.extending import slots
from hearthside.models import SiteBranding
from plugins.comments.models import CommentState, PageComment, PageCommentSettings
from plugins.comments.slots import CommentThread
from tests.factories import make_article, make_offer, make_standard
from tests.themes.test_accessibility import check_accessibility


def thread_data(page, user=None, query=None):
    request = RequestFactory().get(page.url, query or {}, HTTP_HOST="testserver")
    request.user = user or AnonymousUser()
    return CommentThread().data(request, page=page)


def test_pages_that_take_no_comments_get_no_thread(site, root_page, section):
    assert thread_data(root_page) is None  # the home page type is not in COMMENTS_PAGE_TYPES
    assert thread_data(section) is None
    request = RequestFactory().get("/search/")
    request.user = AnonymousUser()
    assert CommentThread().data(request, page=None) is None


@pytest.mark.parametrize("make_page", [make_standard, make_offer], ids=["standard", "offer"])
def test_every_configured_page_type_gets_a_thread(client, root_page, make_page):
    page = make_page(root_page)
    assert thread_data(page)["open"] is True
    assert '<section class="comments" id="comments"' in client.get(page.url).content.decode()


def test_the_thread_as_data_is_nested_json_with_everything_needed_to_post(site, article, make_comment):
    question = make_comment(article, "Is the **rye** sourdough back?", name="Tom", url="https://tom.example")
    answer = make_comment(article, "Yes, on Fridays.", name="Copper Kettle", parent=question, business=True)

    data = thread_data(article)

    assert data["page_id"] == article.pk
    assert (data["open"], data["closed_reason"], data["comment_count"], data["max_depth"]) == (
        True,
        None,
        2,
        3,
    )
    [thread] = data["threads"]
    assert thread["id"] == question.pk
    assert thread["author"] == {"name": "Tom", "url": "https://tom.example"}
    assert thread["html"] == "<p>Is the <strong>rye</strong> sourdough back?</p>\n"
    assert thread["can_reply"] is True
    [reply] = thread["replies"]
    assert (reply["id"], reply["parent_id"], reply["level"], reply["is_business_reply"]) == (
        answer.pk,
        question.pk,
        1,
        True,
    )
    assert data["pagination"] == {
        "number": 1,
        "page_count": 1,
        "per_page": 20,
        "thread_count": 1,
        "has_previous": False,
        "has_next": False,
        "param": "comments_page",
    }
    assert data["signed_in"] is False and data["user"] is None
    assert data["feeds"] == {
        "rss": f"/comments/page/{article.pk}/feed/rss/",
        "atom": f"/comments/page/{article.pk}/feed/atom/",
        "site_rss": "/comments/feed/rss/",
        "site_atom": "/comments/feed/atom/",
    }
    form = data["form"]
    assert form["action"] == f"/comments/post/{article.pk}/"
    assert set(form["fields"]) == {
        "content_type",
        "object_pk",
        "timestamp",
        "security_hash",
        "reply_to",
        "honeypot",
    }
    assert (form["fields"]["content_type"], form["fields"]["object_pk"]) == (
        "hearthside.articlepage",
        str(article.pk),
    )
    assert form["asks_for"] == ["name", "email", "url", "comment", "followup"]
    assert form["csrf_required"] is False


def test_a_headless_front_end_can_post_with_the_fields_from_the_data(client, article, no_wait):
    form = thread_data(article)["form"]

    response = client.post(
        form["action"],
        {
            **form["fields"],
            "name": "Priya",
            "email": "priya@example.com",
            "comment": "Posted from an app",
        },
    )

    assert response.status_code == 303
    assert PageComment.objects.get().comment == "Posted from an app"


def test_the_pages_api_gives_the_same_thread(client, article, make_comment):
    comment = make_comment(article)
    response = client.get(f"/api/v2/pages/{article.pk}/")
    [entry] = [
        e for e in response.json()["meta"]["slots"]["page.after_body"] if e["component"] == "CommentThread"
    ]
    assert entry["plugin"] == "comments"
    assert entry["data"]["threads"][0]["id"] == comment.pk
    assert entry["data"]["form"]["action"] == f"/comments/post/{article.pk}/"


def test_signed_in_people_see_what_they_liked_and_are_not_asked_who_they_are(
    site, article, member, make_comment
):
    comment = make_comment(article)
    CommentFlag.objects.create(comment=comment, user=member, flag=LIKEDIT_FLAG)

    data = thread_data(article, user=member)

    assert data["signed_in"] is True
    assert data["user"] == {"name": "Sam Baker"}
    assert data["form"]["asks_for"] == ["comment", "followup"]
    assert data["form"]["csrf_required"] is True
    assert (data["threads"][0]["likes"], data["threads"][0]["liked"]) == (1, True)


def test_a_closed_page_still_shows_its_comments_without_a_form(client, site, article, make_comment):
    make_comment(article, "Said before it closed")
    PageCommentSettings.objects.create(page=article, comments_open=False)

    data = thread_data(article)
    assert (data["open"], data["closed_reason"], data["form"]) == (
        False,
        "Comments are closed on this page.",
        None,
    )
    assert data["threads"][0]["html"] == "<p>Said before it closed</p>\n"

    soup = BeautifulSoup(client.get(article.url).content.decode(), "html.parser")
    thread = soup.find(id="comments")
    assert "Said before it closed" in thread.get_text()
    assert thread.find("form") is None
    assert thread.find(class_="comments__closed").get_text(strip=True) == "Comments are closed on this page."


def test_threads_are_paginated_with_comments_page(client, site, article, make_comment):
    start = timezone.now() - datetime.timedelta(days=1)
    for n in range(25):
        make_comment(article, f"Thread number {n}", submitted=start + datetime.timedelta(minutes=n))

    second = thread_data(article, query={"comments_page": 2})
    assert second["pagination"]["number"] == 2
    assert [t["html"] for t in second["threads"]] == [f"<p>Thread number {n}</p>\n" for n in range(20, 25)]
    assert thread_data(article, query={"comments_page": "nonsense"})["pagination"]["number"] == 1

    html = client.get(article.url + "?comments_page=2").content.decode()
    assert "Thread number 24" in html and "Thread number 3<" not in html
    soup = BeautifulSoup(html, "html.parser")
    nav = soup.find("nav", attrs={"aria-label": "Pages of comments"})
    assert [a["href"] for a in nav.find_all("a")] == [
        "?comments_page=1#comments",
        "?comments_page=2#comments",
    ]
    assert nav.find("a", attrs={"aria-current": "page"}).get_text(strip=True).endswith("2")


def test_the_html_nests_replies_with_a_reply_link_on_each_comment_that_takes_one(
    client, article, make_comment, set_rules
):
    set_rules(max_depth=1)
    top = make_comment(article, "Top")
    reply = make_comment(article, "Reply", parent=top)

    soup = BeautifulSoup(client.get(article.url).content.decode(), "html.parser")

    top_item = soup.find("li", id=f"comment-{top.pk}")
    assert top_item.find("ol", class_="comment-list--replies").find("li", id=f"comment-{reply.pk}")
    link = top_item.find("a", class_="comment__reply-link")
    assert link.get_text(" ", strip=True) == "Reply to Priya"
    assert link["href"] == f"/comments/reply/{top.pk}/"
    assert soup.find("li", id=f"comment-{reply.pk}").find("a", class_="comment__reply-link") is None, (
        "replies are as deep as allowed"
    )
    # The thread carries one form, not one per comment.
    assert len(soup.find_all("form", class_="comment-form")) == 1


def test_like_and_report_buttons_are_only_for_signed_in_people(client, article, member, make_comment):
    comment = make_comment(article)
    anonymous = BeautifulSoup(client.get(article.url).content.decode(), "html.parser")
    assert anonymous.find("form", action=f"/comments/{comment.pk}/like/") is None

    client.force_login(member)
    signed_in = BeautifulSoup(client.get(article.url).content.decode(), "html.parser")
    like = signed_in.find("form", action=f"/comments/{comment.pk}/like/")
    assert like.find("input", attrs={"name": "csrfmiddlewaretoken"})
    assert like.find("button")["aria-pressed"] == "false"
    assert (
        signed_in.find("form", action=f"/comments/{comment.pk}/flag/")
        .find("button")
        .get_text(" ", strip=True)
        .startswith("Report")
    )


def test_comments_held_or_awaiting_confirmation_are_not_shown(client, article, make_comment):
    make_comment(article, "Visible one")
    make_comment(article, "Held one", state=CommentState.PENDING)
    make_comment(article, "Unconfirmed one", state=CommentState.UNCONFIRMED)

    html = client.get(article.url).content.decode()

    assert "Visible one" in html
    assert "Held one" not in html and "Unconfirmed one" not in html
    assert ">1 comment</h2>" in html


def test_the_thread_disappears_while_the_plugin_is_inactive(
    client, site, article, make_comment, deactivate_plugin
):
    make_comment(article, "Lovely crumb")
    deactivate_plugin(site, "comments")
    html = client.get(article.url).content.decode()
    assert 'data-plugin="comments"' not in html and "Lovely crumb" not in html


@pytest.mark.parametrize("theme", ["hearth", "meadow"])
def test_a_thread_with_replies_passes_the_accessibility_basics(
    client, site, article, member, make_comment, theme
):
    branding = SiteBranding.for_site(site)
    branding.theme = theme
    branding.save()
    top = make_comment(article, "Top", url="https://example.com")
    reply = make_comment(article, "Reply", parent=top, business=True)
    make_comment(article, "Deeper", parent=reply)
    for signed_in in (False, True):
        if signed_in:
            client.force_login(member)
        check_accessibility(BeautifulSoup(client.get(article.url).content.decode(), "html.parser"))


# Queries ---------------------------------------------------------------------------------------------


def add_nested_comments(make_comment, page, total, per_thread=20):
    """``total`` approved comments in threads of ``per_thread``, each reply
    under the one before until the maximum depth, then under the thread's top."""
    made = []
    start = timezone.now() - datetime.timedelta(days=2)
    for n in range(total):
        if n % per_thread == 0:
            top = parent = None
        else:
            parent = made[-1] if made[-1].level < 3 else top
        comment = make_comment(
            page,
            f"Comment {n} with a [link](https://example.com/{n}).",
            name=f"Person {n}",
            parent=parent,
            submitted=start + datetime.timedelta(minutes=n),
        )
        top = top or comment
        made.append(comment)
    return made


def queries_to_render(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_an_article_with_200_nested_comments_costs_the_queries_of_one_with_5(
    client, section, member, make_comment, settings, signed_in
):
    settings.HEARTHSIDE_PAGE_CACHE_SECONDS = 0
    few, many = make_article(section, title="Few"), make_article(section, title="Many")
    add_nested_comments(make_comment, few, 5)
    lots = add_nested_comments(make_comment, many, 200)
    for comment in lots[::7]:
        CommentFlag.objects.create(comment=comment, user=member, flag=LIKEDIT_FLAG)
    if signed_in:
        client.force_login(member)
    client.get(few.url)  # warm caches that do not depend on the page (site, settings, content types)

    few_queries, _ = queries_to_render(client, few.url)
    many_queries, html = queries_to_render(client, many.url)

    assert many_queries == few_queries
    assert html.count('<li class="comment') == 200
    assert PageComment.objects.filter(page=many, level=3).exists()


def test_the_thread_component_itself_runs_a_fixed_handful_of_queries(
    site, article, make_comment, django_assert_max_num_queries
):
    add_nested_comments(make_comment, article, 60)
    request = RequestFactory().get(article.url, HTTP_HOST="testserver")
    request.user = AnonymousUser()
    slots.page_after_body.data(request, site, page=article)  # warm the site and activation caches

    with django_assert_max_num_queries(6):
        slots.page_after_body.render(request, site, page=article)
