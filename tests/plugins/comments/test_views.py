"""Commenting through the page's own form: posting (anonymous and signed in),
confirming by email, every refusal, CSRF and caching, rate limits, likes and
flags, muting reply emails, and what the thread shows."""

from __future__ import annotations

import datetime
import html

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_comments.models import CommentFlag

from hearthside import pagecache
from hearthside.models import SiteBranding
from plugins.comments import forms as comment_forms
from plugins.comments import posting
from plugins.comments.models import CommentState, PageComment, PageCommentSettings
from tests.factories import make_article

pytestmark = pytest.mark.usefixtures("no_wait")

VISITOR = {"name": "Priya Shah", "email": "priya@example.com", "comment": "Could I use spelt flour instead?"}


def page_html(client, page, query=""):
    response = client.get(page.url + query)
    assert response.status_code == 200
    return response.content.decode()


def reply_page_html(client, page, comment_id) -> str:
    """Follow the Reply link of comment ``comment_id`` on ``page``."""
    soup = BeautifulSoup(page_html(client, page), "html.parser")
    link = soup.find("li", id=f"comment-{comment_id}").find("a", class_="comment__reply-link")
    response = client.get(link["href"])
    assert response.status_code == 200
    return response.content.decode()


def post_from_page(client, page, comment_form, under=None, ip="203.0.113.7", **entries):
    """GET the page, fill in its comment form (or, following the Reply link of
    comment ``under``, its reply form) as a person would, and post it from ``ip``."""
    html = reply_page_html(client, page, under) if under else page_html(client, page)
    action, fields = comment_form(html, reply_to=under)
    fields.update(entries)
    return client.post(action, fields, REMOTE_ADDR=ip)


def assert_sent(response, page):
    """The answer to a visitor's accepted post: a 303 to the page's "check your email" notice."""
    assert response.status_code == 303, response.content.decode()[:2000]
    assert response["Location"] == f"/comments/sent/{page.pk}/"


def shown(response) -> str:
    """The response's HTML with entities decoded, to look for messages in."""
    return html.unescape(response.content.decode())


# Posting as a visitor, confirming by email ------------------------------------------


def test_a_visitor_posts_confirms_through_the_emailed_link_and_sees_the_comment(
    client, article, comment_form, confirm_link, set_rules, django_capture_on_commit_callbacks
):
    set_rules(hold_first_time=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_from_page(client, article, comment_form, **VISITOR)

    assert_sent(response, article)
    notice = client.get(response["Location"])
    assert "Check your email to confirm your comment" in shown(notice)
    assert "priya@example.com" not in shown(notice), "the notice is the same for everyone, so it can be cached"
    assert client.get(response["Location"])["X-Page-Cache"] == "hit"
    comment = PageComment.objects.get()
    assert comment.state == CommentState.UNCONFIRMED
    assert (comment.user_name, comment.user_email, comment.ip_address) == (
        "Priya Shah",
        "priya@example.com",
        "203.0.113.7",
    )
    assert "spelt flour" not in page_html(client, article)
    [message] = mail.outbox
    assert message.to == ["priya@example.com"]

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.get(confirm_link(message))

    comment.refresh_from_db()
    assert comment.state == CommentState.APPROVED
    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"{article.url}#comment-{comment.pk}"
    assert f'id="comment-{comment.pk}"' in page_html(client, article)
    assert "Could I use spelt flour instead?" in page_html(client, article)


def test_a_visitors_post_stays_within_its_query_budget_and_starts_a_thread(
    client, article, comment_form, django_assert_max_num_queries
):
    html = page_html(client, article)
    action, fields = comment_form(html)
    fields.update(VISITOR)

    # The page (its site, the site's plugins and rules come from the cache the
    # page view filled), its view restrictions and comment settings, then the
    # comment's three rows, its thread ids written with them, in a savepoint.
    with django_assert_max_num_queries(8):
        response = client.post(action, fields, REMOTE_ADDR="203.0.113.7")

    assert_sent(response, article)
    comment = PageComment.objects.get()
    assert comment.thread_id == comment.parent_id == comment.pk
    assert comment.level == 0


def test_a_first_time_visitor_is_held_for_a_moderator_after_confirming(
    client, article, comment_form, confirm_link, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_from_page(client, article, comment_form, **VISITOR)

    response = client.get(confirm_link(mail.outbox[0]))

    assert response.status_code == 200
    assert "waiting for a moderator" in shown(response)
    assert PageComment.objects.get().state == CommentState.PENDING
    assert "spelt flour" not in page_html(client, article)


def test_a_visitor_replies_through_the_reply_link_of_a_comment(
    client, article, comment_form, make_comment, confirm_link, set_rules, django_capture_on_commit_callbacks
):
    set_rules(hold_first_time=False)
    question = make_comment(article, "Is the café open on Sundays?", name="Tom")
    with django_capture_on_commit_callbacks(execute=True):
        post_from_page(
            client,
            article,
            comment_form,
            under=question.pk,
            name="Marta",
            email="marta@example.com",
            comment="Yes, from nine till two.",
        )
    with django_capture_on_commit_callbacks(execute=True):
        client.get(confirm_link(mail.outbox[0]))

    reply = PageComment.objects.get(user_name="Marta")
    assert (reply.parent_id, reply.level, reply.state) == (question.pk, 1, CommentState.APPROVED)
    assert "Yes, from nine till two." in page_html(client, article)


def test_confirming_twice_is_harmless(
    client, article, make_comment, set_rules, django_capture_on_commit_callbacks
):
    set_rules(hold_first_time=False)
    comment = make_comment(article, state=CommentState.UNCONFIRMED)
    link = f"/comments/confirm/{posting.confirmation_key(comment)}/"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(link)
    second = client.get(link)
    assert first["Location"] == second["Location"] == f"{article.url}#comment-{comment.pk}"


@pytest.mark.parametrize(
    "key, message",
    [
        ("not-a-real-key", "This confirmation link is not valid."),
        (None, "has expired"),
    ],
)
def test_a_bad_or_expired_confirmation_link_explains_itself(
    client, article, make_comment, key, message, settings
):
    comment = make_comment(article, state=CommentState.UNCONFIRMED)
    if key is None:
        key = posting.confirmation_key(comment)
        settings.COMMENTS_CONFIRMATION_DAYS = -1  # every link is older than that
    response = client.get(f"/comments/confirm/{key}/")

    assert response.status_code == 400
    assert message in shown(response)
    comment.refresh_from_db()
    assert comment.state == CommentState.UNCONFIRMED


# Posting signed in ----------------------------------------------------------------------


def test_a_signed_in_person_posts_without_name_or_email_and_lands_on_the_comment(
    client, article, member, comment_form, set_rules
):
    set_rules(hold_first_time=False)
    client.force_login(member)
    page = page_html(client, article)
    assert "Posting as <strong>Sam Baker</strong>" in page
    assert not {"name", "email", "url"} & set(comment_form(page)[1]), "nothing asked that the account knows"

    response = post_from_page(client, article, comment_form, comment="Lovely crumb!")

    comment = PageComment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"{article.url}#comment-{comment.pk}"
    assert (comment.user, comment.user_name, comment.user_email, comment.state) == (
        member,
        "Sam Baker",
        "sam@example.com",
        CommentState.APPROVED,
    )
    assert mail.outbox == []  # nothing to confirm


def test_a_signed_in_first_timer_held_for_moderation_is_told_so(client, article, member, comment_form):
    client.force_login(member)
    response = post_from_page(client, article, comment_form, comment="Lovely crumb!")

    assert response.status_code == 303
    assert response["Location"] == f"/comments/held/{article.pk}/"
    held = client.get(response["Location"])
    assert "Your comment is waiting for a moderator" in shown(held)
    assert PageComment.objects.get().state == CommentState.PENDING


def test_a_comment_on_the_second_page_of_threads_is_linked_there(
    client, article, member, comment_form, make_comment, set_rules
):
    set_rules(hold_first_time=False)
    start = timezone.now() - datetime.timedelta(days=1)
    for n in range(20):  # one full page of threads
        make_comment(article, f"Thread {n}", submitted=start + datetime.timedelta(minutes=n))
    client.force_login(member)

    response = post_from_page(client, article, comment_form, comment="Twenty-first")

    comment = PageComment.objects.get(comment="Twenty-first")
    assert response["Location"] == f"{article.url}?comments_page=2#comment-{comment.pk}"
    assert "Twenty-first" in page_html(client, article, "?comments_page=2")


# Refusals: a clear message, nothing stored, nothing the visitor wrote lost ---------------


def assert_refused(response, status, message, kept_text=VISITOR["comment"], stored=0):
    """Refused with ``message``, the visitor's text kept in the form shown
    again, and still only ``stored`` comments in the database."""
    text = shown(response)
    assert response.status_code == status, text
    assert message in text
    assert "Your comment was not posted" in text
    if kept_text:
        assert f">{kept_text}</textarea>" in text, "the visitor's text is kept in the form"
    assert PageComment.objects.count() == stored


@pytest.mark.parametrize(
    "entries, message, field",
    [
        ({"comment": "   "}, "Please write a comment before posting.", "comment"),
        ({"comment": "a" * 3001}, "Comments can be at most 3000 characters; this one has 3001.", "comment"),
        ({"email": "priya-at-example.com"}, "Please give a valid email address", "email"),
        ({"name": ""}, "Please give your name.", "name"),
        ({"url": "javascript:alert(1)"}, "Your website must be a full http:// or https:// address.", "url"),
    ],
    ids=["empty", "too-long", "invalid-email", "no-name", "bad-website"],
)
def test_bad_entries_are_refused_next_to_their_field(client, article, comment_form, entries, message, field):
    response = post_from_page(client, article, comment_form, **{**VISITOR, **entries})

    kept = entries.get("comment", VISITOR["comment"]).strip() or None
    assert_refused(response, 400, message, kept_text=kept if kept and len(kept) < 100 else None)
    assert f'id="comment-form-{field}-error"' in response.content.decode()
    assert f'aria-describedby="comment-form-{field}-error' in response.content.decode()
    assert PageComment.objects.count() == 0
    assert mail.outbox == []


def test_a_refused_long_comment_is_still_kept_in_full(client, article, comment_form):
    long_text = "word " * 700
    response = post_from_page(client, article, comment_form, **{**VISITOR, "comment": long_text})
    assert response.status_code == 400
    assert long_text.strip() in shown(response)


def test_a_reply_to_a_comment_on_another_page_is_refused(
    client, article, section, comment_form, make_comment
):
    elsewhere = make_comment(make_article(section))
    response = post_from_page(client, article, comment_form, **VISITOR, reply_to=elsewhere.pk)

    assert_refused(response, 400, "You can only reply to a comment on the same page.", stored=1)
    # Offered again as a new comment: posting it as is no longer names the other page's comment.
    assert comment_form(response.content.decode())[1]["reply_to"] == "0"


def test_a_reply_past_the_maximum_depth_is_refused(client, article, comment_form, make_comment, set_rules):
    set_rules(max_depth=1)
    top = make_comment(article, "Top")
    reply = make_comment(article, "Reply", parent=top)
    page = page_html(client, article)
    assert f'href="/comments/reply/{top.pk}/"' in page
    assert f'href="/comments/reply/{reply.pk}/"' not in page, "no reply link where replies are too deep"

    action, fields = comment_form(page)
    response = client.post(action, {**fields, **VISITOR, "reply_to": reply.pk})

    assert_refused(response, 400, "Replies can nest at most 1 level deep", stored=2)


def test_the_reply_page_shows_the_comment_and_its_own_form(client, article, comment_form, make_comment):
    top = make_comment(article, "Do you bake **rye**?", name="Tom")
    response = client.get(f"/comments/reply/{top.pk}/")

    assert response.status_code == 200
    assert "<strong>rye</strong>" in response.content.decode()
    action, fields = comment_form(response.content.decode(), reply_to=top.pk)
    assert action == f"/comments/post/{article.pk}/"
    assert "csrfmiddlewaretoken" not in fields and not response.cookies, "anonymous: no session cookie"


def test_the_reply_page_refuses_what_cannot_be_answered(client, article, make_comment, set_rules):
    set_rules(max_depth=1)
    top = make_comment(article, "Top")
    reply = make_comment(article, "Reply", parent=top)
    held = make_comment(article, "Held", state=CommentState.PENDING)

    too_deep = client.get(f"/comments/reply/{reply.pk}/")
    assert too_deep.status_code == 400
    assert "as deep as replies go" in shown(too_deep)
    assert client.get(f"/comments/reply/{held.pk}/").status_code == 404
    PageCommentSettings.objects.create(page=article, comments_open=False)
    closed = client.get(f"/comments/reply/{top.pk}/")
    assert closed.status_code == 400
    assert "Comments are closed on this page." in shown(closed)


def test_a_refused_reply_shows_the_comment_it_answers(client, article, comment_form, make_comment):
    top = make_comment(article, "Do you bake **rye**?", name="Tom")
    response = post_from_page(client, article, comment_form, under=top.pk, **{**VISITOR, "email": "nope"})

    assert_refused(response, 400, "Please give a valid email address", stored=1)
    assert "You are replying to <strong>Tom</strong>" in response.content.decode()
    assert "<strong>rye</strong>" in response.content.decode()
    comment_form(response.content.decode(), reply_to=top.pk)  # still a reply to Tom


def test_posting_where_the_page_switched_comments_off_is_refused(client, article, comment_form):
    action, fields = comment_form(page_html(client, article))
    PageCommentSettings.objects.create(page=article, comments_open=False)

    response = client.post(action, {**fields, **VISITOR})

    assert_refused(response, 400, "Comments are closed on this page.")
    pagecache.purge()  # as publishing the page's new settings would
    page = page_html(Client(), article)
    assert "Comments are closed on this page." in page
    assert 'class="comment-form"' not in page


def test_comments_close_automatically_after_the_sites_number_of_days(
    client, article, comment_form, set_rules
):
    action, fields = comment_form(page_html(client, article))
    set_rules(close_after_days=30)
    type(article).objects.filter(pk=article.pk).update(
        first_published_at=timezone.now() - datetime.timedelta(days=31)
    )

    response = client.post(action, {**fields, **VISITOR})

    assert_refused(response, 400, "Comments closed 30 days after this page was published.")


def test_a_pages_own_close_after_days_applies_too(client, article, comment_form):
    action, fields = comment_form(page_html(client, article))
    PageCommentSettings.objects.create(page=article, close_after_days=7)
    type(article).objects.filter(pk=article.pk).update(
        first_published_at=timezone.now() - datetime.timedelta(days=8)
    )

    response = client.post(action, {**fields, **VISITOR})

    assert_refused(response, 400, "Comments closed 7 days after this page was published.")


def test_posting_while_the_plugin_is_inactive_answers_404(
    client, site, article, comment_form, deactivate_plugin
):
    action, fields = comment_form(page_html(client, article))
    deactivate_plugin(site, "comments")

    response = client.post(action, {**fields, **VISITOR})

    assert response.status_code == 404
    assert PageComment.objects.count() == 0


def test_posting_to_a_page_that_is_not_live_answers_404(client, article, comment_form):
    action, fields = comment_form(page_html(client, article))
    article.unpublish()
    assert client.post(action, {**fields, **VISITOR}).status_code == 404
    assert client.post("/comments/post/999999/", {**fields, **VISITOR}).status_code == 404


def test_a_page_that_takes_no_comments_refuses_them(client, section, root_page):
    from plugins.comments.forms import PageCommentForm

    form = PageCommentForm(section)  # a section index: not a commenting page type
    fields = {**dict(form.security_data), **VISITOR, "reply_to": 0}
    response = client.post(f"/comments/post/{section.pk}/", fields)
    assert response.status_code == 400
    assert "This page does not take comments." in shown(response)
    assert PageComment.objects.count() == 0


@pytest.mark.parametrize(
    "tamper, message",
    [
        (lambda f: {**f, "security_hash": "0" * 40}, "This form could not be checked"),
        (lambda f: {k: v for k, v in f.items() if k != "security_hash"}, "This form could not be checked"),
        (lambda f: {**f, "timestamp": str(int(f["timestamp"]) - 10)}, "This form could not be checked"),
        (lambda f: {**f, "honeypot": "http://cheap-watches.example"}, "meant to catch spam robots"),
    ],
    ids=["bad-hash", "no-hash", "changed-timestamp", "honeypot-filled"],
)
def test_a_form_that_fails_its_security_checks_is_refused(client, article, comment_form, tamper, message):
    action, fields = comment_form(page_html(client, article))

    response = client.post(action, tamper({**fields, **VISITOR}))

    assert_refused(response, 400, message)
    assert PageComment.objects.count() == 0
    assert mail.outbox == []


def test_a_form_from_another_page_is_refused(client, article, section, comment_form):
    other = make_article(section)
    _, fields = comment_form(page_html(client, other))

    response = client.post(f"/comments/post/{article.pk}/", {**fields, **VISITOR})

    assert_refused(response, 400, "This form could not be checked")


@pytest.mark.parametrize(
    "content_type", ["hearthside.standardpage", "wagtailcore.page", "auth.user", "nonsense", ""]
)
def test_a_form_that_names_another_kind_of_page_is_refused_as_tampered(client, article, comment_form, content_type):
    # The view loads the page as the form's content_type says (one query
    # instead of two); a form naming another class still finds the page, and
    # the security check refuses it.
    action, fields = comment_form(page_html(client, article))

    response = client.post(action, {**fields, **VISITOR, "content_type": content_type})

    assert_refused(response, 400, "This form could not be checked")
    assert PageComment.objects.count() == 0


def test_posting_to_a_private_page_answers_404(client, article, section, comment_form):
    from wagtail.models import PageViewRestriction

    action, fields = comment_form(page_html(client, article))
    # On the section above the article: the restriction covers everything below.
    PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.PASSWORD, password="x")

    assert client.post(action, {**fields, **VISITOR}).status_code == 404
    assert PageComment.objects.count() == 0


def test_posting_to_another_sites_page_answers_404(client, site, article, comment_form):
    from wagtail.models import Page, Site

    action, fields = comment_form(page_html(client, article))
    # The article's host now answers with another site, whose tree holds only its home page.
    other_home = Page.get_first_root_node().add_child(instance=Page(title="Market stall", slug="stall"))
    Site.objects.create(hostname="stall.example", port=80, root_page=other_home)

    assert client.post(action, {**fields, **VISITOR}, HTTP_HOST="stall.example").status_code == 404
    assert PageComment.objects.count() == 0


@pytest.mark.parametrize("field", ["name", "comment", "url"])
def test_a_nul_character_is_refused_with_a_reason_not_a_database_error(client, article, comment_form, field):
    action, fields = comment_form(page_html(client, article))
    entries = {**VISITOR, "url": "https://example.com/"}
    entries[field] = entries[field][:5] + "\x00" + entries[field][5:]

    response = client.post(action, {**fields, **entries})

    # What the visitor wrote comes back in the form as they wrote it.
    assert_refused(response, 400, "contains a NUL character", kept_text=entries["comment"])


def test_an_expired_form_is_refused(client, article, comment_form, monkeypatch):
    action, fields = comment_form(page_html(client, article))
    monkeypatch.setattr(comment_forms, "DEFAULT_COMMENTS_TIMEOUT", -1)  # every form is too old

    response = client.post(action, {**fields, **VISITOR})

    assert_refused(response, 400, "and has expired")


def test_a_form_posted_faster_than_a_person_types_is_refused(client, article, comment_form, settings):
    settings.COMMENTS_MIN_SECONDS_TO_POST = 3

    response = post_from_page(client, article, comment_form, **VISITOR)

    assert_refused(response, 400, "That was very quick")
    # The form shown again carries a fresh timestamp, so posting it a little later works.
    action, fields = comment_form(response.content.decode())
    settings.COMMENTS_MIN_SECONDS_TO_POST = 0
    assert_sent(client.post(action, fields), article)
    assert PageComment.objects.count() == 1


# CSRF and the page cache ---------------------------------------------------------------------


def test_signed_in_posts_need_the_csrf_token(article, member, comment_form, set_rules):
    set_rules(hold_first_time=False)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    action, fields = comment_form(page_html(browser, article))
    assert "csrfmiddlewaretoken" in fields

    forged = browser.post(
        action,
        {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"}
        | {"comment": "Posted by another site"},
    )
    assert forged.status_code == 403
    assert "security check failed" in shown(forged)
    assert "Posted by another site" in shown(forged), "the text is kept"
    assert PageComment.objects.count() == 0

    genuine = browser.post(action, {**fields, "comment": "Posted from the page"})
    assert genuine.status_code == 303
    assert PageComment.objects.get().comment == "Posted from the page"


def test_anonymous_posts_need_no_csrf_token_and_article_pages_stay_cacheable(article, comment_form):
    browser = Client(enforce_csrf_checks=True)
    first = browser.get(article.url)
    assert first["X-Page-Cache"] == "miss"
    assert not first.cookies, "the comment form must not set a cookie (CSRF) on anonymous pages"
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert browser.get(article.url)["X-Page-Cache"] == "hit"

    action, fields = comment_form(first.content.decode())
    response = browser.post(action, {**fields, **VISITOR})

    assert_sent(response, article)
    assert PageComment.objects.count() == 1


# Rate limits ------------------------------------------------------------------------------------


def test_too_many_posts_from_one_ip_answer_429_with_retry_after(client, article, comment_form, settings):
    settings.COMMENTS_RATE_PER_IP = "2/d"  # a day: the window cannot roll over mid-test
    for n in range(2):
        assert_sent(post_from_page(client, article, comment_form, **{**VISITOR, "email": f"p{n}@example.com"}), article)

    response = post_from_page(client, article, comment_form, **{**VISITOR, "email": "p3@example.com"})

    assert_refused(response, 429, "You have posted too many comments in a short time.", stored=2)
    assert 0 < int(response["Retry-After"]) <= 86400
    other_ip = post_from_page(
        client, article, comment_form, ip="198.51.100.9", **{**VISITOR, "email": "p4@example.com"}
    )
    assert_sent(other_ip, article)


def test_too_many_posts_from_one_email_answer_429_with_retry_after(client, article, comment_form, settings):
    settings.COMMENTS_RATE_PER_EMAIL = "2/d"
    for n in range(2):
        assert_sent(post_from_page(client, article, comment_form, ip=f"198.51.100.{n}", **VISITOR), article)

    response = post_from_page(
        client, article, comment_form, ip="198.51.100.77", **{**VISITOR, "email": "PRIYA@example.com"}
    )

    assert_refused(response, 429, "You have posted too many comments in a short time.", stored=2)
    assert 0 < int(response["Retry-After"]) <= 86400


# Likes and flags ------------------------------------------------------------------------------


def test_a_signed_in_person_likes_and_unlikes_a_comment(client, article, member, make_comment):
    comment = make_comment(article)
    client.force_login(member)

    response = client.post(f"/comments/{comment.pk}/like/")

    assert response.status_code == 303
    assert response["Location"] == f"{article.url}#comment-{comment.pk}"
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "You like this comment." in page
    assert "1 like" in page
    assert 'aria-pressed="true"' in page
    assert CommentFlag.objects.filter(comment=comment, user=member).count() == 1

    client.post(f"/comments/{comment.pk}/like/")
    assert CommentFlag.objects.filter(comment=comment, user=member).count() == 0


def test_likes_answer_json_when_asked(client, article, member, make_comment):
    comment = make_comment(article)
    client.force_login(member)

    response = client.post(f"/comments/{comment.pk}/like/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json() == {"liked": True, "likes": 1}


def test_anonymous_visitors_cannot_like_or_flag(client, article, make_comment):
    comment = make_comment(article)
    for action, message in (("like", "Sign in to like comments."), ("flag", "Sign in to report comments.")):
        response = client.post(f"/comments/{comment.pk}/{action}/")
        assert response.status_code == 403
        assert message in shown(response)
        as_json = client.post(f"/comments/{comment.pk}/{action}/", HTTP_ACCEPT="application/json")
        assert as_json.status_code == 403
        assert as_json.json() == {"detail": message}
    assert CommentFlag.objects.count() == 0


def test_likes_and_flags_need_the_csrf_token(article, member, make_comment):
    comment = make_comment(article)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    assert browser.post(f"/comments/{comment.pk}/like/").status_code == 403
    assert browser.post(f"/comments/{comment.pk}/flag/").status_code == 403
    assert CommentFlag.objects.count() == 0


def test_liking_a_comment_that_is_not_shown_explains_itself(client, article, member, make_comment):
    held = make_comment(article, state=CommentState.PENDING)
    client.force_login(member)
    response = client.post(f"/comments/{held.pk}/like/", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no such comment."}
    assert CommentFlag.objects.count() == 0


def test_flags_past_the_threshold_return_the_comment_to_the_queue(client, article, make_comment, set_rules):
    from tests.factories import UserFactory

    set_rules(flag_threshold=2)
    comment = make_comment(article, "Buy cheap watches")
    first, second = UserFactory(), UserFactory()

    client.force_login(first)
    response = client.post(f"/comments/{comment.pk}/flag/")
    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.state == CommentState.APPROVED
    assert "the moderators will take a look" in html.unescape(
        client.get(response["Location"]).content.decode()
    )

    client.force_login(second)
    response = client.post(f"/comments/{comment.pk}/flag/", HTTP_ACCEPT="application/json")
    assert response.json() == {"flagged": True, "returned_to_queue": True}
    comment.refresh_from_db()
    assert comment.state == CommentState.PENDING
    assert "cheap watches" not in page_html(Client(), article)


# Muting reply emails -------------------------------------------------------------------------------


def test_the_mute_link_stops_reply_emails_in_one_click(client, article, make_comment):
    comment = make_comment(article, followup=True)
    key = posting.mute_key(comment.user_email, comment.thread_id)

    response = client.get(f"/comments/mute/{key}/")

    assert response.status_code == 200
    assert "You will no longer get reply emails for this conversation" in shown(response)
    assert f'href="{article.url}#comment-{comment.pk}"' in response.content.decode()
    comment.refresh_from_db()
    assert comment.followup is False


def test_mail_clients_can_mute_with_a_one_click_post(article, make_comment):
    comment = make_comment(article, followup=True)
    key = posting.mute_key(comment.user_email, comment.thread_id)

    response = Client(enforce_csrf_checks=True).post(
        f"/comments/mute/{key}/", {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.followup is False


def test_a_bad_mute_link_explains_itself(client, article, make_comment):
    comment = make_comment(article, followup=True)
    response = client.get("/comments/mute/forged-key/")
    assert response.status_code == 400
    assert "This link is not valid." in shown(response)
    comment.refresh_from_db()
    assert comment.followup is True


# What the page shows --------------------------------------------------------------------------------


def test_no_script_handler_or_javascript_link_reaches_the_page(client, article, make_comment):
    make_comment(
        article,
        '<script>alert("x")</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) '
        '<a href="javascript:alert(2)">more</a>',
        name='<script>alert("name")</script>',
        url="javascript:alert(3)",
    )

    page = page_html(client, article)

    soup = BeautifulSoup(page, "html.parser")
    assert soup.find(id="comments").find_all(["script", "img"]) == []
    assert [tag.name for tag in soup.find_all(True) if any(name.startswith("on") for name in tag.attrs)] == []
    assert [a["href"] for a in soup.find_all(href=True) if "javascript:" in a["href"].lower()] == []
    assert "javascript:alert(3)" not in page  # the stored website is not linked
    # What the visitor typed is shown as text, harmlessly.
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in page
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in page


def test_a_business_reply_carries_a_visible_badge(client, article, make_comment):
    question = make_comment(article, "Do you do gluten-free?", name="Marta")
    answer = make_comment(article, "Every Saturday!", name="Copper Kettle", parent=question, business=True)

    page = page_html(client, article)

    assert f'<li class="comment comment--business" id="comment-{answer.pk}">' in page
    assert '<span class="comment__badge">Business reply</span>' in page
    assert page.count("Business reply</span>") == 1


@pytest.mark.parametrize("theme", ["hearth", "meadow"])
def test_both_themes_render_the_thread(client, site, article, make_comment, theme):
    branding = SiteBranding.for_site(site)
    branding.theme = theme
    branding.save()
    question = make_comment(article, "Do you do **gluten-free**?", name="Marta")
    make_comment(article, "Every Saturday!", name="Copper Kettle", parent=question, business=True)

    page = page_html(client, article)

    assert f'class="theme-{theme}' in page
    assert '<section class="comments" id="comments"' in page
    assert "<strong>gluten-free</strong>" in page
    assert "Business reply" in page
    assert 'id="comment-form-title"' in page
    assert f'href="/comments/page/{article.pk}/feed/rss/"' in page
