"""The comments plugin in the Wagtail admin: the moderation queue and its bulk
actions, replying as the business, the "needs a response" list, the rules
screen, who may use them, and the email that tells moderators a comment waits."""
import re
from email.header import decode_header, make_header

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import ModelLogEntry, Page, Site

from hearthside.models import HomePage
from plugins.comments import posting
from plugins.comments.models import CommentState, PageComment
from plugins.comments.rules import CommentRules, rules_for, save_rules
from tests.factories import UserFactory, make_article, make_section
from tests.plugins.comments.factories import store_comment

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comments/"
BULK = "/admin/comments/bulk/"
NEEDS_RESPONSE = "/admin/comments/needs-response/"
RULES = "/admin/comments/rules/"


def reply_url(comment):
    return f"/admin/comments/{comment.pk}/reply/"


@pytest.fixture
def article(site):
    return make_article(make_section(site.root_page, title="Journal"), title="Spelt sourdough")


@pytest.fixture
def add_comment():
    """``add_comment(page, text, state=..., hours_ago=0, ...)``: a stored comment
    as if it had been posted and judged."""

    def _add(page, text, *, state=CommentState.PENDING, name="Ada", email="ada@example.com", hours_ago=0,
             parent=None, held_reason="", is_business_reply=False, site=None):
        return store_comment(
            page, text, site=site, state=state, name=name, email=email, parent=parent,
            held_reason=held_reason, business=is_business_reply,
            submitted=timezone.now() - timezone.timedelta(hours=hours_ago),
        )

    return _add


@pytest.fixture
def other_site(site):
    root = Page.get_first_root_node()
    home = HomePage(title="Other bakery", slug="other-bakery", hero_title="Elsewhere")
    root.add_child(instance=home)
    home.save_revision().publish()
    return Site.objects.create(hostname="other.example", port=80, root_page=home, site_name="Other bakery")


@pytest.fixture
def other_site_comment(other_site, add_comment):
    article = make_article(make_section(other_site.root_page), title="Rye loaf")
    return add_comment(article, "A comment on the other site", site=other_site)


def messages_in(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def states(*comments) -> list[str]:
    return [PageComment.objects.get(pk=comment.pk).state for comment in comments]


def page_html(client, page) -> str:
    """The page as an anonymous visitor sees it."""
    client.logout()
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


# The moderation queue ------------------------------------------------------------------------


def test_the_queue_shows_each_state_on_its_own_tab_with_counts(client, site, article, moderator, add_comment):
    add_comment(article, "Waiting for a moderator", held_reason="first comment from this person")
    add_comment(article, "Also waiting", name="Brian")
    add_comment(article, "Already published", state=CommentState.APPROVED)
    add_comment(article, "Buy cheap watches", state=CommentState.SPAM)
    add_comment(article, "Taken down", state=CommentState.REMOVED)
    add_comment(article, "Not confirmed yet", state=CommentState.UNCONFIRMED)
    client.force_login(moderator)

    pending = client.get(QUEUE).content.decode()
    assert "Waiting for a moderator" in pending and "Also waiting" in pending
    assert "Held: first comment from this person" in pending
    assert "ada@example.com" in pending and "Spelt sourdough" in pending
    assert f'/admin/pages/{article.pk}/edit/' in pending
    assert f'href="{article.url}#comment-' in pending
    for absent in ("Already published", "Buy cheap watches", "Taken down", "Not confirmed yet"):
        assert absent not in pending
    tab_count = r'data-state="(\w+)"[^>]*>\s*[^<]+<span class="w-status w-status--label">(\d+)<'
    counts = dict(re.findall(tab_count, pending))
    assert counts == {"pending": "2", "approved": "1", "spam": "1", "removed": "1", "unconfirmed": "1"}

    for state, text in [
        ("approved", "Already published"),
        ("spam", "Buy cheap watches"),
        ("removed", "Taken down"),
        ("unconfirmed", "Not confirmed yet"),
    ]:
        html = client.get(QUEUE, {"state": state}).content.decode()
        assert text in html and "Waiting for a moderator" not in html


def test_the_awaiting_confirmation_tab_is_read_only(client, site, article, moderator, add_comment):
    add_comment(article, "Not confirmed yet", state=CommentState.UNCONFIRMED)
    client.force_login(moderator)

    html = client.get(QUEUE, {"state": "unconfirmed"}).content.decode()

    assert "Not confirmed yet" in html
    assert 'name="comment"' not in html and 'name="action"' not in html
    assert "cannot be moderated until then" in html


def test_an_unknown_tab_says_so_and_shows_the_pending_comments(client, site, article, moderator, add_comment):
    add_comment(article, "Waiting for a moderator")
    client.force_login(moderator)

    response = client.get(QUEUE, {"state": "deleted"})

    assert "There is no “deleted” list of comments; showing the pending ones." in messages_in(response)[0]
    assert "Waiting for a moderator" in response.content.decode()


def test_comment_text_in_the_queue_is_sanitised(client, site, article, moderator, add_comment):
    hostile = (
        '<script>alert("x")</script> **Crusty** [click](javascript:alert(1)) <img src=x onerror=alert(2)>'
    )
    add_comment(article, hostile)
    client.force_login(moderator)

    html = client.get(QUEUE).content.decode()

    assert "<strong>Crusty</strong>" in html
    assert '<script>alert("x")' not in html
    assert 'href="javascript:' not in html  # left as text, never a link
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html


def test_the_queue_shows_only_the_request_sites_comments(
    client, site, article, moderator, add_comment, other_site_comment
):
    add_comment(article, "A comment here")
    client.force_login(moderator)

    here = client.get(QUEUE).content.decode()
    there = client.get(QUEUE, HTTP_HOST="other.example").content.decode()

    assert "A comment here" in here and "A comment on the other site" not in here
    assert "A comment on the other site" in there and "A comment here" not in there


def test_the_queue_is_paginated(client, site, article, moderator, add_comment):
    for n in range(51):
        add_comment(article, f"Comment number {n:02d}", hours_ago=n)
    client.force_login(moderator)

    first = client.get(QUEUE).content.decode()
    second = client.get(QUEUE, {"state": "pending", "p": 2}).content.decode()

    assert first.count('name="comment"') == 50
    assert "Page 1 of 2" in first and "Comment number 00" in first and "Comment number 50" not in first
    assert second.count('name="comment"') == 1 and "Comment number 50" in second


def test_bulk_approve_publishes_and_reject_takes_down(
    client, site, article, moderator, add_comment, django_capture_on_commit_callbacks
):
    welcome = add_comment(article, "The crust is perfect")
    rude = add_comment(article, "Published but rude", state=CommentState.APPROVED, name="Troll")
    assert "Published but rude" in page_html(client, article)  # and now in the page cache
    client.force_login(moderator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            BULK, {"action": "approve", "comment": [welcome.pk], "next": QUEUE}, follow=True
        )
    assert messages_in(response) == ["1 comment approved."]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BULK, {"action": "reject", "comment": [rude.pk]}, follow=True)
    assert messages_in(response) == ["1 comment rejected."]

    assert states(welcome, rude) == [CommentState.APPROVED, CommentState.REMOVED]
    approved = PageComment.objects.get(pk=welcome.pk)
    assert approved.moderated_by == moderator and approved.held_reason == ""
    html = page_html(client, article)
    assert "The crust is perfect" in html
    assert "Published but rude" not in html
    logged = ModelLogEntry.objects.filter(object_id=str(welcome.pk)).values_list("action", "user")
    assert list(logged) == [("comments.approved", moderator.pk)]
    assert ModelLogEntry.objects.filter(object_id=str(rude.pk), action="comments.rejected").exists()


def test_bulk_mark_as_spam_and_move_back_to_pending(client, site, article, moderator, add_comment):
    first = add_comment(article, "Cheap watches", name="Spammer")
    second = add_comment(article, "More cheap watches", name="Spammer")
    already = add_comment(article, "Old spam", state=CommentState.SPAM)
    client.force_login(moderator)

    chosen = [first.pk, second.pk, already.pk]
    response = client.post(BULK, {"action": "spam", "comment": chosen}, follow=True)
    assert messages_in(response) == ["2 comments marked as spam. 1 was already spam."]
    assert states(first, second, already) == [CommentState.SPAM] * 3

    response = client.post(BULK, {"action": "pending", "comment": [second.pk]}, follow=True)
    assert messages_in(response) == ["1 comment moved back to pending."]
    assert states(first, second) == [CommentState.SPAM, CommentState.PENDING]
    assert "Cheap watches" in client.get(QUEUE, {"state": "spam"}).content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "delete", "comment": ["{pending}"]}, "“delete” is not something the queue can do"),
        ({"comment": ["{pending}"]}, "Choose what to do with the selected comments."),
        ({"action": "approve"}, "Select at least one comment first."),
        ({"action": "approve", "comment": ["{pending}", "abc"]}, "The selection was not understood."),
        (
            {"action": "approve", "comment": ["{pending}", "{other}"]},
            "1 of the selected comments does not exist on Copper Kettle",
        ),
        ({"action": "approve", "comment": ["{pending}", "999999"]}, "does not exist on Copper Kettle"),
        (
            {"action": "approve", "comment": ["{pending}", "{unconfirmed}"]},
            "Comments awaiting email confirmation cannot be moderated",
        ),
    ],
)
def test_bad_bulk_requests_say_why_and_change_nothing(
    client, site, article, moderator, add_comment, other_site_comment, data, message
):
    pending = add_comment(article, "Waiting")
    unconfirmed = add_comment(article, "Unconfirmed", state=CommentState.UNCONFIRMED)
    ids = {"pending": pending.pk, "other": other_site_comment.pk, "unconfirmed": unconfirmed.pk}
    data = {**data, "comment": [value.format(**ids) for value in data.get("comment", [])]}
    client.force_login(moderator)

    response = client.post(BULK, data, follow=True)

    shown = messages_in(response)
    assert len(shown) == 1 and message in shown[0] and "Nothing was changed." in shown[0]
    assert states(pending, unconfirmed, other_site_comment) == [
        CommentState.PENDING, CommentState.UNCONFIRMED, CommentState.PENDING,
    ]
    assert not ModelLogEntry.objects.filter(action__startswith="comments.").exists()


def test_bulk_actions_only_take_posts(client, site, moderator):
    client.force_login(moderator)
    assert client.get(BULK).status_code == 405


def test_bulk_actions_are_csrf_protected(site, article, moderator, add_comment):
    from django.test import Client

    pending = add_comment(article, "Waiting")
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)

    assert client.post(BULK, {"action": "approve", "comment": [pending.pk]}).status_code == 403
    assert states(pending) == [CommentState.PENDING]


# Who may moderate ------------------------------------------------------------------------------


def every_admin_url(comment) -> list[str]:
    return [QUEUE, f"{QUEUE}?state=spam", NEEDS_RESPONSE, reply_url(comment), RULES]


def test_editors_without_the_permission_are_turned_away_everywhere(
    client, site, article, editor, add_comment
):
    comment = add_comment(article, "Waiting")
    approved = add_comment(article, "Published", state=CommentState.APPROVED, hours_ago=48)
    client.force_login(editor)

    for url in every_admin_url(approved):
        response = client.get(url)
        assert response.status_code == 302 and response.url == "/admin/", url
    client.post(BULK, {"action": "approve", "comment": [comment.pk]})
    client.post(reply_url(approved), {"text": "Sneaky reply"})
    client.post(NEEDS_RESPONSE, {"comment": [approved.pk]})
    client.post(RULES, {"max_depth": 0, "max_links": 0, "needs_response_hours": 1, "flag_threshold": 1})

    assert states(comment) == [CommentState.PENDING]
    assert not PageComment.objects.filter(is_business_reply=True).exists()
    assert PageComment.objects.get(pk=approved.pk).answered_at is None
    assert rules_for(site) == CommentRules()
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "/admin/comments/" not in dashboard.content.decode()


def test_the_refusal_says_why(client, site, editor):
    client.force_login(editor)
    response = client.get(QUEUE, follow=True)
    assert messages_in(response)[0].strip() == "Sorry, you do not have permission to access this area."


def test_moderators_and_superusers_may_use_every_screen(
    client, site, article, moderator, admin_user, add_comment
):
    approved = add_comment(article, "Published", state=CommentState.APPROVED)
    for user in (moderator, admin_user):
        client.force_login(user)
        for url in every_admin_url(approved):
            assert client.get(url).status_code == 200, (user, url)
        menu = client.get("/admin/").content.decode()
        for url in (QUEUE, NEEDS_RESPONSE, RULES):
            assert url in menu


def test_the_permission_can_be_given_on_the_group_screen(client, site, admin_user):
    client.force_login(admin_user)
    editors = Group.objects.get(name="Editors")
    html = client.get(f"/admin/groups/edit/{editors.pk}/").content.decode()
    assert "Can moderate comments and reply as the business" in html


def test_an_inactive_plugins_admin_screens_answer_404_and_its_menu_hides(
    client, site, article, admin_user, add_comment, deactivate_plugin
):
    pending = add_comment(article, "Waiting")
    deactivate_plugin(site, "comments")
    client.force_login(admin_user)

    for url in every_admin_url(pending):
        assert client.get(url).status_code == 404, url
    assert client.post(BULK, {"action": "approve", "comment": [pending.pk]}).status_code == 404
    assert states(pending) == [CommentState.PENDING]
    assert "/admin/comments/" not in client.get("/admin/").content.decode()


# Replying as the business ------------------------------------------------------------------------------


def test_replying_as_the_business_publishes_a_marked_reply(
    client, site, article, moderator, add_comment, django_capture_on_commit_callbacks
):
    question = add_comment(article, "Do you bake **on Sundays**?", state=CommentState.APPROVED, hours_ago=30)
    client.force_login(moderator)
    back = f"{QUEUE}?state=approved"

    form = client.get(reply_url(question), {"next": back}).content.decode()
    assert "Do you bake <strong>on Sundays</strong>?" in form
    assert "Copper Kettle" in form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reply_url(question), {"text": "Yes, from 8 till noon!", "next": back})
    assert response.status_code == 302 and response.url == back
    assert messages_in(client.get(back)) == ["Your reply to Ada on “Spelt sourdough” is published."]

    reply = PageComment.objects.get(is_business_reply=True)
    assert (reply.parent_id, reply.state, reply.user_name, reply.user) == (
        question.pk, CommentState.APPROVED, "Copper Kettle", moderator,
    )
    assert PageComment.objects.get(pk=question.pk).answered_at is not None
    assert ModelLogEntry.objects.filter(object_id=str(reply.pk), action="comments.business_reply").exists()
    html = page_html(client, article)
    # The reply sits in the thread with its "business reply" mark.
    assert re.search(rf'id="{reply.anchor}".*?Business reply.*?Yes, from 8 till noon!', html, re.S)


def test_a_refused_reply_keeps_the_text_and_says_why(client, site, article, moderator, add_comment):
    held = add_comment(article, "Held comment")
    client.force_login(moderator)

    response = client.post(reply_url(held), {"text": "Thanks for <writing>"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Approve this comment before replying to it" in html
    assert "Thanks for &lt;writing&gt;</textarea>" in html
    assert not PageComment.objects.filter(is_business_reply=True).exists()


def test_an_empty_reply_is_refused(client, site, article, moderator, add_comment):
    question = add_comment(article, "Open on Sunday?", state=CommentState.APPROVED)
    client.force_login(moderator)

    response = client.post(reply_url(question), {"text": "   "})

    assert "Please write a comment before posting." in response.content.decode()
    assert not PageComment.objects.filter(is_business_reply=True).exists()


def test_replying_to_another_sites_comment_or_a_missing_one_is_not_found(
    client, site, moderator, other_site_comment
):
    client.force_login(moderator)
    assert client.get(reply_url(other_site_comment)).status_code == 404
    assert client.post(reply_url(other_site_comment), {"text": "Hello"}).status_code == 404
    assert client.get("/admin/comments/999999/reply/").status_code == 404
    assert not PageComment.objects.filter(is_business_reply=True).exists()


def test_the_reply_button_is_on_approved_comments(client, site, article, moderator, add_comment):
    question = add_comment(article, "Open on Sunday?", state=CommentState.APPROVED)
    client.force_login(moderator)
    html = client.get(QUEUE, {"state": "approved"}).content.decode()
    assert f"/admin/comments/{question.pk}/reply/?next=" in html


# Needs a response ------------------------------------------------------------------------------


@pytest.fixture
def waiting(site, article, add_comment):
    """Visitors' comments in every situation, on a site that answers within 24 hours."""
    save_rules(site, CommentRules(needs_response_hours=24))
    older = add_comment(article, "Oldest unanswered question", state=CommentState.APPROVED, hours_ago=50)
    old = add_comment(article, "Unanswered question", state=CommentState.APPROVED, hours_ago=30, name="Brian")
    recent = add_comment(article, "Recent question", state=CommentState.APPROVED, hours_ago=2)
    answered = add_comment(article, "Answered question", state=CommentState.APPROVED, hours_ago=60)
    add_comment(article, "Thanks!", state=CommentState.APPROVED, hours_ago=55, parent=answered,
                is_business_reply=True, name="Copper Kettle")
    PageComment.objects.filter(pk=answered.pk).update(answered_at=timezone.now())
    add_comment(article, "Held question", state=CommentState.PENDING, hours_ago=70)
    return {"older": older, "old": old, "recent": recent, "answered": answered}


def test_needs_a_response_lists_unanswered_visitor_comments_oldest_first(client, site, moderator, waiting):
    client.force_login(moderator)

    html = client.get(NEEDS_RESPONSE).content.decode().replace("\xa0", " ")  # timesince avoids wrapping

    assert html.index("Oldest unanswered question") < html.index("Unanswered question</p>")
    for absent in ("Recent question", "Answered question", "Thanks!", "Held question"):
        assert absent not in html
    assert "2 days" in html and "1 day, 6 hours" in html
    assert f"/admin/comments/{waiting['older'].pk}/reply/?next=" in html
    assert "No reply needed" in html
    assert "answered 24 hours after" in html


def test_the_menu_shows_how_many_comments_need_a_response(client, site, moderator, waiting):
    client.force_login(moderator)
    assert "Needs a response (2)" in client.get("/admin/").content.decode()


def test_the_hours_follow_the_sites_rules(client, site, moderator, waiting):
    save_rules(site, CommentRules(needs_response_hours=1))
    client.force_login(moderator)

    html = client.get(NEEDS_RESPONSE).content.decode()

    assert "Recent question" in html and "answered 1 hour after" in html


def test_a_business_reply_takes_a_comment_off_the_list(client, site, moderator, waiting):
    client.force_login(moderator)

    response = client.post(
        reply_url(waiting["older"]), {"text": "Sorry for the wait!", "next": NEEDS_RESPONSE}, follow=True
    )

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == NEEDS_RESPONSE
    assert "Oldest unanswered question" not in html and "Unanswered question" in html


def test_no_reply_needed_takes_a_comment_off_the_list(client, site, moderator, waiting):
    client.force_login(moderator)

    response = client.post(NEEDS_RESPONSE, {"comment": waiting["old"].pk}, follow=True)

    assert messages_in(response) == ["1 comment taken off the list: no reply needed."]
    assert "Unanswered question" not in response.content.decode()
    assert "Oldest unanswered question" in response.content.decode()
    assert PageComment.objects.get(pk=waiting["old"].pk).answered_at is not None
    assert not PageComment.objects.filter(is_business_reply=True, parent_id=waiting["old"].pk).exists()
    logged = ModelLogEntry.objects.filter(object_id=str(waiting["old"].pk), action="comments.marked_answered")
    assert logged.exists()


@pytest.mark.parametrize("chosen", [None, "abc", "999999", "other", "business"])
def test_bad_no_reply_needed_requests_change_nothing(
    client, site, article, moderator, waiting, other_site_comment, chosen
):
    business = PageComment.objects.get(is_business_reply=True)
    value = {"other": other_site_comment.pk, "business": business.pk}.get(chosen, chosen)
    client.force_login(moderator)

    response = client.post(NEEDS_RESPONSE, {"comment": value} if value else {}, follow=True)

    assert "Nothing was changed." in messages_in(response)[0]
    assert PageComment.objects.filter(answered_at__isnull=False).count() == 1  # only the answered one


# Rules ---------------------------------------------------------------------------------------------


def rules_post(**changes):
    data = {
        "open_by_default": "on",
        "max_depth": 2,
        "hold_first_time": "on",
        "auto_approve_known": "on",
        "max_links": 1,
        "blocklist": "casino\ncheap watches",
        "needs_response_hours": 12,
        "flag_threshold": 5,
        "notify_moderators": "on",
        "moderator_emails": "owner@example.com, manager@example.com",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_rules_screen_shows_the_sites_rules(client, site, moderator):
    save_rules(site, CommentRules(max_depth=5, blocklist="casino"))
    client.force_login(moderator)

    html = client.get(RULES).content.decode()

    assert 'name="max_depth" value="5"' in html
    assert "casino</textarea>" in html


def test_saving_the_rules(client, site, moderator):
    client.force_login(moderator)

    response = client.post(RULES, rules_post(hold_first_time=None), follow=True)

    assert messages_in(response) == ["Comment rules saved for Copper Kettle."]
    rules = rules_for(site)
    saved = (rules.max_depth, rules.hold_first_time, rules.needs_response_hours, rules.flag_threshold)
    assert saved == (2, False, 12, 5)
    assert rules.blocked_words == ["casino", "cheap watches"]
    assert rules.extra_moderator_emails == ["owner@example.com", "manager@example.com"]


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"max_depth": 99}, "Ensure this value is less than or equal to 8."),
        ({"max_depth": "deep"}, "Enter a whole number."),
        ({"needs_response_hours": 0}, "Ensure this value is greater than or equal to 1."),
        ({"flag_threshold": None}, "This field is required."),
        (
            {"moderator_emails": "owner@example.com, not-an-address"},
            "“not-an-address” is not an email address.",
        ),
    ],
)
def test_bad_rules_are_refused_and_nothing_is_saved(client, site, moderator, changes, error):
    save_rules(site, CommentRules(max_depth=4))
    client.force_login(moderator)

    response = client.post(RULES, rules_post(**changes))

    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    assert "The rules were not saved: correct the errors below." in messages_in(response)
    assert rules_for(site) == CommentRules(max_depth=4)


# Telling moderators ------------------------------------------------------------------------------


def test_moderators_are_emailed_about_a_held_comment(
    site, article, moderator, editor, admin_user, smtp_server, django_capture_on_commit_callbacks
):
    newcomer = UserFactory(username="newcomer", first_name="Nadia", last_name="Baker")

    with django_capture_on_commit_callbacks(execute=True):
        comment = posting.submit(site, article, text="My first comment, be gentle", user=newcomer)

    assert comment.state == CommentState.PENDING
    [message] = smtp_server.messages()
    recipients = {address.strip() for address in message["X-RcptTo"].split(",")}
    assert recipients == {moderator.email, admin_user.email}
    assert editor.email not in message["X-RcptTo"] and "Bcc" not in message
    assert "Spelt sourdough" in str(make_header(decode_header(message["Subject"])))
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode()
    assert "http://testserver/admin/comments/?state=pending" in body
    assert "My first comment, be gentle" in body


def test_the_alert_link_opens_the_pending_tab(client, site, article, moderator, add_comment, mailoutbox):
    from plugins.comments.tasks import alert_moderators

    comment = add_comment(article, "Held for links", held_reason="3 links (more than 2)")
    alert_moderators.enqueue(comment.pk)

    [message] = mailoutbox
    link = re.search(r"http://testserver(/admin/comments/\S*)", message.body).group(1)
    client.force_login(moderator)
    html = client.get(link).content.decode()
    assert "Held for links" in html and "Held: 3 links (more than 2)" in html
