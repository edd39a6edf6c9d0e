"""The comments API (/api/v1/comments/): a page's thread nested and
paginated, posting with the form's rules (visitors confirm by email, token
and session authentication, CSRF for sessions), likes and flags, refusals
that write nothing, rate limits, the gate, the schema and the query budget."""
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from wagtail.models import Page, PageViewRestriction, Site

from hearthside.models import StandardPage
from plugins.comments import posting
from plugins.comments.models import CommentState, PageComment, PageCommentSettings
from tests.factories import UserFactory, make_article, make_section, make_standard, publish

# Rate limits have their own tests; elsewhere they would only get in the way.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_rate_limits")]

CSRF = "c" * 32


@pytest.fixture
def priya(db):
    return UserFactory(username="priya", first_name="Priya", last_name="Shah", email="priya@example.com")


@pytest.fixture
def priya_token(priya):
    return Token.objects.create(user=priya).key


def token_client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def thread_url(page):
    return f"/api/v1/comments/pages/{page.pk}/"


def like_url(comment):
    return f"/api/v1/comments/{comment.pk}/like/"


def flag_url(comment):
    return f"/api/v1/comments/{comment.pk}/flag/"


def post_comment(client, page, ip="203.0.113.9", **body):
    """POST ``body`` as JSON; ``HTTP_*`` keywords are request headers, not body."""
    headers = {name: body.pop(name) for name in list(body) if name.startswith("HTTP_")}
    body.setdefault("comment", "Could I use spelt flour?")
    return client.post(thread_url(page), body, format="json", REMOTE_ADDR=ip, **headers)


def visitor_post(client, page, **body):
    body.setdefault("name", "Tom")
    body.setdefault("email", "tom@example.com")
    return post_comment(client, page, **body)


def ids_in(results):
    found = []
    for node in results:
        found.append(node["id"])
        found.extend(ids_in(node["replies"]))
    return found


# Reading a thread ---------------------------------------------------------------


def test_a_page_thread_nests_replies_and_marks_business_replies(
    api_client, site, article, moderator, make_comment
):
    first = make_comment(article, "Could I use **spelt**?", name="Tom", url="https://tom.example")
    reply = make_comment(article, "Yes, I did.", parent=first, name="Ann")
    answer = posting.reply_as_business(reply, "It works with 80% spelt.", moderator)
    second = make_comment(article, "Lovely crumb.", name="Bea")

    response = api_client.get(thread_url(article))

    assert response.status_code == 200
    data = response.json()
    paging = ("count", "comment_count", "page", "page_count", "next", "previous")
    assert {key: data[key] for key in paging} == {
        "count": 2, "comment_count": 4, "page": 1, "page_count": 1, "next": None, "previous": None,
    }
    assert (data["open"], data["closed_reason"], data["max_depth"]) == (True, None, 3)
    assert [thread["id"] for thread in data["results"]] == [first.pk, second.pk]
    top = data["results"][0]
    assert top["author"] == {"name": "Tom", "url": "https://tom.example"}
    assert top["html"] == "<p>Could I use <strong>spelt</strong>?</p>\n"
    assert (top["parent_id"], top["level"], top["can_reply"]) == (None, 0, True)
    assert top["is_business_reply"] is False
    [nested] = top["replies"]
    assert (nested["id"], nested["parent_id"], nested["level"]) == (reply.pk, first.pk, 1)
    [business] = nested["replies"]
    assert (business["id"], business["level"], business["is_business_reply"]) == (answer.pk, 2, True)
    assert business["author"]["name"] == "Copper Kettle"
    assert business["replies"] == []


def test_only_visible_comments_are_listed(api_client, site, article, make_comment):
    shown = make_comment(article, "Shown")
    held = make_comment(article, "Held", state=CommentState.PENDING)
    make_comment(article, "Under a held comment", parent=held)  # hidden with the comment above it
    for state in (CommentState.UNCONFIRMED, CommentState.SPAM, CommentState.REMOVED):
        make_comment(article, state, state=state)

    data = api_client.get(thread_url(article)).json()

    assert ids_in(data["results"]) == [shown.pk]
    assert data["count"] == 1


class _TagsAndAttributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes = set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.extend(attrs)


def test_comment_html_is_sanitised(api_client, site, article, make_comment):
    make_comment(
        article,
        "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) "
        '<a href="javascript:alert(2)" onclick="alert(3)">y</a> [fine](https://example.com)',
    )

    html = api_client.get(thread_url(article)).json()["results"][0]["html"]

    found = _TagsAndAttributes()
    found.feed(html)
    assert found.tags <= {"p", "a"}
    assert "<script" not in html and "<img" not in html
    assert not [name for name, _value in found.attributes if name.startswith("on")]
    hrefs = [value for name, value in found.attributes if name == "href"]
    assert hrefs == ["https://example.com"]  # the one safe link; the others are left as text
    assert ("rel", "nofollow ugc noopener noreferrer") in found.attributes


def test_threads_are_paginated_with_links(api_client, site, article, make_comment):
    threads = [make_comment(article, f"Thread {n}") for n in range(5)]
    make_comment(article, "A reply, on its thread's page", parent=threads[2])

    first = api_client.get(thread_url(article), {"page_size": 2}).json()
    assert [t["id"] for t in first["results"]] == [threads[0].pk, threads[1].pk]
    assert (first["count"], first["comment_count"], first["page_count"], first["page_size"]) == (5, 6, 3, 2)
    assert first["previous"] is None
    assert first["next"] == f"http://testserver{thread_url(article)}?page=2&page_size=2"

    second = api_client.get(first["next"]).json()
    assert [t["id"] for t in second["results"]] == [threads[2].pk, threads[3].pk]
    assert len(second["results"][0]["replies"]) == 1
    assert second["previous"] == f"http://testserver{thread_url(article)}?page_size=2"

    last = api_client.get(second["next"]).json()
    assert [t["id"] for t in last["results"]] == [threads[4].pk]
    assert last["next"] is None


def test_a_page_size_above_the_cap_is_lowered(api_client, site, article, settings, make_comment):
    settings.WAGTAILAPI_LIMIT_MAX = 3
    for n in range(4):
        make_comment(article, f"Thread {n}")

    data = api_client.get(thread_url(article), {"page_size": 1000}).json()

    assert data["page_size"] == 3
    assert len(data["results"]) == 3


@pytest.mark.parametrize("name", ["page", "page_size"])
@pytest.mark.parametrize("value", ["abc", "0", "-2", "1.5"])
def test_a_bad_page_parameter_is_a_400_with_a_clear_message(api_client, site, article, name, value):
    response = api_client.get(thread_url(article), {name: value})

    assert response.status_code == 400
    assert response.json() == {
        "detail": f"?{name}= must be a whole number from 1 up, not “{value}”.",
        "field": name,
    }


def test_a_page_of_results_past_the_last_is_a_404(api_client, site, article, make_comment):
    make_comment(article)
    assert api_client.get(thread_url(article), {"page": 1}).status_code == 200

    response = api_client.get(thread_url(article), {"page": 2})

    assert response.status_code == 404
    assert response.json()["detail"] == "There is no page 2 of comments: with 20 threads per page there is 1."


def test_a_page_without_comments_has_an_empty_first_page(api_client, site, article):
    data = api_client.get(thread_url(article)).json()
    assert (data["count"], data["page"], data["page_count"], data["results"]) == (0, 1, 1, [])


def test_a_closed_page_lists_its_comments_and_says_why_it_is_closed(api_client, site, article, make_comment):
    comment = make_comment(article)
    PageCommentSettings.objects.create(page=article, comments_open=False)

    data = api_client.get(thread_url(article)).json()

    assert ids_in(data["results"]) == [comment.pk]
    assert (data["open"], data["closed_reason"]) == (False, "Comments are closed on this page.")


def test_the_signed_in_reader_sees_what_they_like(site, article, priya, priya_token, make_comment):
    comment = make_comment(article)
    posting.toggle_like(comment.pk, priya)
    posting.toggle_like(comment.pk, UserFactory())

    mine = token_client(priya_token).get(thread_url(article)).json()["results"][0]
    anonymous = APIClient().get(thread_url(article)).json()["results"][0]

    assert (mine["likes"], mine["liked"]) == (2, True)
    assert (anonymous["likes"], anonymous["liked"]) == (2, False)


@pytest.fixture
def pages_without_comments(site, section):
    """Pages the API must not take comments on, none of them a live, public,
    commentable page of the request's site."""
    draft = StandardPage(title="Draft", slug="draft", live=False)
    site.root_page.add_child(instance=draft)
    withdrawn = make_standard(site.root_page, title="Withdrawn")
    withdrawn.unpublish()
    members = make_section(site.root_page, title="Members")
    private = make_article(members, title="Members' recipe")
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.LOGIN)
    other_home = publish(Page.get_first_root_node(), StandardPage(title="Other shop", slug="other-shop"))
    Site.objects.create(hostname="other.example", port=80, root_page=other_home, site_name="Other shop")
    other_article = make_standard(other_home, title="Other shop news")
    return {
        "draft": draft,
        "withdrawn": withdrawn,
        "private": private,
        "on another site": other_article,
        "a section (no comments on that type)": section,
        "the home page (no comments on that type)": site.root_page,
    }


def test_pages_that_take_no_comments_here_are_404_and_get_no_comment(
    api_client, site, pages_without_comments
):
    for what, page in pages_without_comments.items():
        listed = api_client.get(thread_url(page))
        posted = visitor_post(api_client, page)

        for response in (listed, posted):
            assert response.status_code == 404, what
            assert response.json() == {
                "detail": f"There is no public page {page.pk} that takes comments on this site."
            }, what
    missing = api_client.get("/api/v1/comments/pages/999999/")
    assert missing.status_code == 404
    assert PageComment.objects.count() == 0
    assert mail.outbox == []


# Posting --------------------------------------------------------------------------


def test_a_visitor_posts_confirms_by_email_and_the_comment_shows_once_approved(
    api_client, client, site, article, moderator, confirm_link, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor_post(
            api_client, article, comment="Could I use *spelt*?", url="https://tom.example", followup=True,
            HTTP_USER_AGENT="Firefox",
        )

    assert response.status_code == 201
    comment = PageComment.objects.get()
    assert response.json() == {
        "id": comment.pk,
        "state": "unconfirmed",
        "message": "Check your email to confirm your comment: we sent a link to tom@example.com. "
        "It appears once you follow it.",
        "comment": None,
    }
    assert (comment.user_name, comment.user_email) == ("Tom", "tom@example.com")
    assert comment.user_url == "https://tom.example"
    assert (comment.ip_address, comment.user_agent, comment.followup) == ("203.0.113.9", "Firefox", True)
    assert comment.user_id is None
    assert api_client.get(thread_url(article)).json()["results"] == []

    [email] = mail.outbox
    assert email.to == ["tom@example.com"]
    link = confirm_link(email)
    assert link.startswith("http://testserver/")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(link).status_code == 200

    comment.refresh_from_db()
    assert comment.state == CommentState.PENDING  # a first-time commenter is held
    assert api_client.get(thread_url(article)).json()["results"] == []

    posting.moderate(PageComment.objects.filter(pk=comment.pk), CommentState.APPROVED, moderator)

    [shown] = api_client.get(thread_url(article)).json()["results"]
    assert (shown["id"], shown["author"]["name"]) == (comment.pk, "Tom")
    assert shown["html"] == "<p>Could I use <em>spelt</em>?</p>\n"


def test_a_signed_in_first_timer_is_held_for_moderation(site, article, priya, priya_token):
    response = post_comment(token_client(priya_token), article, name="The Owner", email="owner@example.com")

    assert response.status_code == 201
    comment = PageComment.objects.get()
    assert response.json() == {
        "id": comment.pk,
        "state": "pending",
        "message": "Thank you! Your comment is held for moderation and appears once a moderator approves it.",
        "comment": None,
    }
    assert comment.user_id == priya.pk
    assert (comment.user_name, comment.user_email) == ("Priya Shah", "priya@example.com")  # not what was sent
    assert mail.outbox == []  # no confirmation: the account's address is known


def test_a_token_user_with_an_approved_history_is_published_at_once_and_can_reply(
    site, article, priya, priya_token, make_comment
):
    make_comment(article, "Earlier", user=priya, email=priya.email)
    top = make_comment(article, "Question")

    response = post_comment(token_client(priya_token), article, comment="An **answer**", reply_to=top.pk)

    assert response.status_code == 201
    body = response.json()
    reply = PageComment.objects.get(pk=body["id"])
    assert (body["state"], body["message"]) == ("approved", "Thank you! Your comment is published.")
    assert body["comment"]["html"] == "<p>An <strong>answer</strong></p>\n"
    assert (body["comment"]["parent_id"], body["comment"]["level"]) == (top.pk, 1)
    assert (reply.parent_id, reply.level, reply.state) == (top.pk, 1, CommentState.APPROVED)
    listed = APIClient().get(thread_url(article)).json()["results"]
    assert [r["id"] for r in listed[1]["replies"]] == [reply.pk]


def test_a_comment_the_spam_check_catches_is_reported_as_held(site, article, priya, priya_token, monkeypatch):
    monkeypatch.setattr("plugins.comments.posting.spam_check_enabled", lambda: True)
    monkeypatch.setattr("plugins.comments.posting.is_spam", lambda comment: True)

    response = post_comment(token_client(priya_token), article)

    assert response.json()["state"] == "pending"
    assert PageComment.objects.get().state == CommentState.SPAM


def test_a_session_post_needs_the_csrf_token(site, article, priya):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(priya)

    refused = post_comment(browser, article)

    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF Failed")
    assert PageComment.objects.count() == 0

    browser.cookies["csrftoken"] = CSRF
    allowed = post_comment(browser, article, HTTP_X_CSRFTOKEN=CSRF)

    assert allowed.status_code == 201
    assert PageComment.objects.get().user_id == priya.pk


def test_a_visitor_needs_no_csrf_token(site, article):
    response = visitor_post(APIClient(enforce_csrf_checks=True), article)

    assert response.status_code == 201
    assert PageComment.objects.get().state == CommentState.UNCONFIRMED


def test_a_bad_token_is_refused_and_writes_nothing(site, article):
    response = visitor_post(token_client("not-a-real-token"), article)

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
    assert PageComment.objects.count() == 0


@pytest.fixture
def other_article(section):
    return make_article(section, title="Rye")


BAD_POSTS = [
    ({"comment": ""}, "Please write a comment before posting.", "comment"),
    ({"comment": "  \n "}, "Please write a comment before posting.", "comment"),
    ({"comment": None}, "comment: This field may not be null.", "comment"),
    ({"comment": "x" * 3001}, "Comments can be at most 3000 characters; this one has 3001.", "comment"),
    ({"name": ""}, "Please give your name.", "name"),
    ({"name": "N" * 51}, "Names can be at most 50 characters.", "name"),
    ({"email": "tom-at-example"}, "Please give a valid email address", "email"),
    ({"email": ""}, "Please give a valid email address", "email"),
    ({"email": "t" * 250 + "@example.com"}, "Email addresses can be at most 254 characters.", "email"),
    ({"url": "javascript:alert(1)"}, "Your website must be a full http:// or https:// address.", "url"),
    ({"url": "https://example.com/" + "a" * 200}, "Your website address can be at most 200", "url"),
    ({"reply_to": "first"}, "reply_to: A valid integer is required.", "reply_to"),
    ({"reply_to": 999999}, "The comment you are replying to does not exist.", "reply_to"),
    ({"followup": "perhaps"}, "followup: Must be a valid boolean.", "followup"),
]


@pytest.mark.parametrize(("body", "message", "field"), BAD_POSTS)
def test_bad_input_is_a_400_with_a_clear_message_and_writes_nothing(
    api_client, site, article, body, message, field, settings, django_capture_on_commit_callbacks
):
    settings.COMMENT_MAX_LENGTH = 3000
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor_post(api_client, article, **body)

    assert response.status_code == 400
    assert response.json()["detail"].startswith(message)
    assert response.json()["field"] == field
    assert PageComment.objects.count() == 0
    assert mail.outbox == []


def test_a_body_that_is_not_an_object_is_refused(api_client, site, article):
    for body, content_type in (('["a list"]', "application/json"), ("{not json", "application/json")):
        response = api_client.post(thread_url(article), body, content_type=content_type)
        assert response.status_code == 400
        assert response.json()["detail"]
    assert PageComment.objects.count() == 0


def assert_refused(response, message, field):
    assert response.status_code == 400
    assert response.json() == {"detail": message, "field": field}


def test_a_reply_to_a_comment_on_another_page_is_refused(
    api_client, site, article, other_article, make_comment
):
    elsewhere = make_comment(other_article)

    response = visitor_post(api_client, article, reply_to=elsewhere.pk)

    assert_refused(response, "You can only reply to a comment on the same page.", "reply_to")
    assert PageComment.objects.count() == 1
    assert mail.outbox == []


def test_a_reply_to_a_hidden_comment_is_refused(api_client, site, article, make_comment):
    held = make_comment(article, state=CommentState.PENDING)

    response = visitor_post(api_client, article, reply_to=held.pk)

    assert_refused(response, "The comment you are replying to does not exist.", "reply_to")
    assert PageComment.objects.count() == 1


def test_a_reply_past_the_maximum_depth_is_refused(api_client, site, article, make_comment, set_rules):
    set_rules(max_depth=1)
    top = make_comment(article)
    reply = make_comment(article, parent=top)

    listed = api_client.get(thread_url(article)).json()
    assert listed["max_depth"] == 1
    assert listed["results"][0]["can_reply"] is True
    assert listed["results"][0]["replies"][0]["can_reply"] is False

    response = visitor_post(api_client, article, reply_to=reply.pk)

    assert_refused(
        response, "Replies can nest at most 1 level deep; reply further up the thread.", "reply_to"
    )
    assert PageComment.objects.count() == 2


def test_posting_on_a_closed_page_is_refused(api_client, site, article, priya_token):
    PageCommentSettings.objects.create(page=article, comments_open=False)

    for response in (visitor_post(api_client, article), post_comment(token_client(priya_token), article)):
        assert_refused(response, "Comments are closed on this page.", None)
    assert PageComment.objects.count() == 0
    assert mail.outbox == []


def test_posting_after_the_page_closed_by_age_is_refused(api_client, site, article, set_rules):
    set_rules(close_after_days=30)
    Page.objects.filter(pk=article.pk).update(first_published_at=timezone.now() - timezone.timedelta(days=31))

    response = visitor_post(api_client, article)

    assert_refused(response, "Comments closed 30 days after this page was published.", None)
    assert PageComment.objects.count() == 0


def test_the_inactive_plugin_answers_404_everywhere_and_writes_nothing(
    api_client, site, article, priya, priya_token, deactivate_plugin, make_comment
):
    comment = make_comment(article)
    deactivate_plugin(site, "comments")
    signed_in = token_client(priya_token)

    responses = [
        api_client.get(thread_url(article)),
        visitor_post(api_client, article),
        post_comment(signed_in, article),
        signed_in.post(like_url(comment)),
        signed_in.post(flag_url(comment)),
    ]

    for response in responses:
        assert response.status_code == 404
        assert response.json() == {"detail": "The plugin “Comments” is not active on this site."}
    assert list(PageComment.objects.values_list("pk", flat=True)) == [comment.pk]
    assert not comment.flags.exists()
    assert mail.outbox == []


def test_posting_past_the_per_ip_limit_is_a_429_with_retry_after(api_client, site, article, settings):
    settings.COMMENTS_RATE_PER_IP = "2/m"
    for n in range(2):
        assert visitor_post(api_client, article, email=f"tom{n}@example.com").status_code == 201

    refused = visitor_post(api_client, article, email="tom9@example.com")

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json() == {
        "detail": "You have posted too many comments in a short time. Please try again in about 1 minute; "
        "nothing was posted.",
        "field": None,
    }
    assert PageComment.objects.count() == 2
    assert visitor_post(api_client, article, ip="198.51.100.7").status_code == 201  # another address


def test_posting_is_throttled_by_the_public_write_rate(api_client, site, article, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public_write": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    for _ in range(2):
        assert visitor_post(api_client, article).status_code == 201

    refused = visitor_post(api_client, article)

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert PageComment.objects.count() == 2
    assert api_client.get(thread_url(article)).status_code == 200  # reading is not a write


# Likes and flags ----------------------------------------------------------------


def test_liking_toggles(site, article, priya_token, make_comment):
    comment = make_comment(article)
    app = token_client(priya_token)

    liked = app.post(like_url(comment))
    assert liked.status_code == 200
    assert liked.json() == {"liked": True, "likes": 1}
    assert app.get(thread_url(article)).json()["results"][0]["liked"] is True

    unliked = app.post(like_url(comment))
    assert unliked.json() == {"liked": False, "likes": 0}
    assert app.get(thread_url(article)).json()["results"][0]["likes"] == 0


def test_reactions_are_throttled_apart_from_posting(site, article, priya_token, make_comment, settings):
    """Each like purges the page cache, so it is a limited write; but liking
    while reading must not use up the budget for posting."""
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public_write": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    comment = make_comment(article)
    app = token_client(priya_token)

    assert [app.post(like_url(comment)).status_code for _ in range(2)] == [200, 200]
    refused = app.post(flag_url(comment))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert not comment.flags.filter(flag="removal suggestion").exists()

    assert post_comment(app, article).status_code == 201


def test_likes_and_flags_need_a_signed_in_user(api_client, site, article, priya, make_comment):
    comment = make_comment(article)

    for url in (like_url(comment), flag_url(comment)):
        response = api_client.post(url)
        assert response.status_code == 401
        assert response.json() == {"detail": "Authentication credentials were not provided."}

    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(priya)
    for url in (like_url(comment), flag_url(comment)):
        response = browser.post(url)
        assert response.status_code == 403
        assert response.json()["detail"].startswith("CSRF Failed")

    assert not comment.flags.exists()
    browser.cookies["csrftoken"] = CSRF
    assert browser.post(like_url(comment), HTTP_X_CSRFTOKEN=CSRF).json() == {"liked": True, "likes": 1}


def test_unknown_and_hidden_comments_cannot_be_liked_or_flagged(site, article, priya_token, make_comment):
    held = make_comment(article, state=CommentState.PENDING)
    other_home = publish(Page.get_first_root_node(), StandardPage(title="Other shop", slug="other-shop"))
    other_site = Site.objects.create(hostname="other.example", port=80, root_page=other_home)
    elsewhere = make_comment(make_standard(other_home))
    PageComment.objects.filter(pk=elsewhere.pk).update(wagtail_site=other_site)
    app = token_client(priya_token)

    for comment_id in (held.pk, elsewhere.pk, 999999):
        for action in ("like", "flag"):
            response = app.post(f"/api/v1/comments/{comment_id}/{action}/")
            assert response.status_code == 404
            assert response.json() == {
                "detail": f"There is no comment {comment_id} on this site, or it is hidden."
            }
    assert not held.flags.exists() and not elsewhere.flags.exists()


def test_flags_past_the_threshold_hide_the_comment(site, article, priya_token, make_comment, set_rules):
    set_rules(flag_threshold=2)
    comment = make_comment(article)
    kept = make_comment(article, "Kept")
    first, second = token_client(priya_token), token_client(Token.objects.create(user=UserFactory()).key)

    assert first.post(flag_url(comment)).json() == {"flagged": True, "returned_to_queue": False}
    # once per person: flagging again counts nothing more
    assert first.post(flag_url(comment)).json() == {"flagged": True, "returned_to_queue": False}
    assert ids_in(first.get(thread_url(article)).json()["results"]) == [comment.pk, kept.pk]

    assert second.post(flag_url(comment)).json() == {"flagged": True, "returned_to_queue": True}

    listed = APIClient().get(thread_url(article)).json()
    assert ids_in(listed["results"]) == [kept.pk]
    assert listed["comment_count"] == 1
    comment.refresh_from_db()
    assert comment.state == CommentState.PENDING
    assert second.post(flag_url(comment)).status_code == 404


# Schema -----------------------------------------------------------------------------


def test_the_endpoints_are_described_in_the_schema(api_client, site):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]

    thread = paths["/api/v1/comments/pages/{page_id}/"]
    like = paths["/api/v1/comments/{comment_id}/like/"]["post"]
    flag = paths["/api/v1/comments/{comment_id}/flag/"]["post"]
    operations = {
        "comments_page_thread": thread["get"],
        "comments_post": thread["post"],
        "comments_like": like,
        "comments_flag": flag,
    }
    for operation_id, operation in operations.items():
        assert operation["operationId"] == operation_id
        assert operation["tags"] == ["comments"]
        assert operation["summary"] and operation["description"]
        assert "404" in operation["responses"] and "429" in operation["responses"]

    def body_ref(response):
        return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]

    assert body_ref(thread["get"]["responses"]["200"]) == "ThreadPage"
    assert {p["name"] for p in thread["get"]["parameters"]} == {"page_id", "page", "page_size"}
    assert body_ref(thread["post"]["requestBody"]) == "NewComment"
    assert body_ref(thread["post"]["responses"]["201"]) == "PostedComment"
    assert body_ref(thread["post"]["responses"]["400"]) == "CommentError"
    assert "Retry-After" in thread["post"]["responses"]["429"]["headers"]
    assert body_ref(like["responses"]["200"]) == "Like"
    assert body_ref(flag["responses"]["200"]) == "Flag"
    assert {"401", "403"} <= set(like["responses"]) and {"401", "403"} <= set(flag["responses"])

    components = schema["components"]["schemas"]
    assert set(components["NewComment"]["properties"]) == {
        "comment", "name", "email", "url", "reply_to", "followup"
    }
    # the nested shape is recursive: a reply is a comment
    assert components["Comment"]["properties"]["replies"]["items"] == {"$ref": "#/components/schemas/Comment"}
    state = components["PostedComment"]["properties"]["state"]["allOf"][0]["$ref"].rsplit("/", 1)[1]
    assert set(components[state]["enum"]) == {"unconfirmed", "pending", "approved"}


def test_the_schema_has_no_warnings(tmp_path):
    """What CI runs (``manage.py spectacular --validate --fail-on-warn``), with these endpoints in it."""
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/comments/pages/{page_id}/:" in out.read_text()


# Query budget ----------------------------------------------------------------------


def add_nested_threads(make_comment, page, threads: int, replies_per_thread: int, likers=()):
    """``threads`` top-level comments, each with replies spread over three levels."""
    for n in range(threads):
        top = make_comment(page, f"Thread {n}")
        parents = [top]
        for r in range(replies_per_thread):
            reply = make_comment(page, f"Reply {n}.{r}", parent=parents[r % len(parents)])
            if reply.level < 3:
                parents.append(reply)
            for user in likers:
                posting.toggle_like(reply.pk, user)


def listing_queries(client, page) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(thread_url(page), {"page_size": 20})
    assert response.status_code == 200
    return len(queries), response.json()


def test_listing_costs_the_same_queries_for_a_handful_of_comments_or_200(
    site, section, priya, priya_token, make_comment
):
    few, many = make_article(section, title="Few"), make_article(section, title="Many")
    likers = [priya, UserFactory()]
    add_nested_threads(make_comment, few, threads=2, replies_per_thread=2, likers=likers)
    add_nested_threads(make_comment, many, threads=10, replies_per_thread=19, likers=likers)

    for client in (APIClient(), token_client(priya_token)):
        listing_queries(client, few)  # warm per-process caches (content types, site, activation)
        few_queries, few_data = listing_queries(client, few)
        many_queries, many_data = listing_queries(client, many)

        assert len(ids_in(few_data["results"])) == few_data["comment_count"] == 6
        assert len(ids_in(many_data["results"])) == many_data["comment_count"] == 200
        assert max(node["level"] for node in many_data["results"][0]["replies"]) == 1
        assert many_queries == few_queries
