"""posting.py, the one service every way in goes through: submitting,
confirming by email, refusals that write nothing, rate limits, the business
answering, moderation, likes and flags, and the hooks other plugins hear."""

import datetime
import io
import socket
import time
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from hearthside import pagecache
from plugins.comments import hooks, posting
from plugins.comments.models import CommentState, PageComment, PageCommentSettings
from plugins.comments.posting import CommentRateLimited, CommentRejected
from plugins.comments.rules import CommentRules, save_rules
from tests.factories import UserFactory, make_article, make_section
from tests.plugins.comments.factories import store_comment

# Rate limits have their own tests; elsewhere they would only get in the way.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_rate_limits")]


@pytest.fixture
def section(site):
    return make_section(site.root_page)


@pytest.fixture
def article(section):
    return make_article(section, title="Spelt sourdough")


@pytest.fixture
def visitor():
    return UserFactory(username="priya", first_name="Priya", last_name="Shah", email="priya@example.com")


def anonymous(site, page, text="Could I use spelt flour?", **fields):
    fields.setdefault("name", "Tom")
    fields.setdefault("email", "tom@example.com")
    fields.setdefault("ip_address", "203.0.113.9")
    return posting.submit(site, page, text=text, **fields)


def approved(site, page, text="Lovely.", parent=None, email="earlier@example.com", name="Earlier"):
    return store_comment(page, text, site=site, parent=parent, email=email, name=name)


def cache_generation():
    return cache.get(pagecache.GENERATION_KEY)


# Submitting ---------------------------------------------------------------------


def test_a_signed_in_first_timer_is_stored_pending_with_their_account_name(site, article, visitor):
    comment = posting.submit(site, article, text="Lovely crumb.", user=visitor, ip_address="203.0.113.1")

    comment.refresh_from_db()
    assert comment.state == CommentState.PENDING
    assert comment.held_reason == "first comment from this person"
    assert (comment.user_id, comment.user_name, comment.user_email) == (
        visitor.pk,
        "Priya Shah",
        "priya@example.com",
    )
    assert comment.confirmed_at is not None
    assert (comment.page_id, comment.wagtail_site_id) == (article.pk, site.pk)
    assert comment.is_public is False


def test_a_signed_in_person_is_published_at_once_when_the_site_holds_nobody(site, article, visitor):
    save_rules(site, CommentRules(hold_first_time=False))

    comment = posting.submit(site, article, text="Lovely crumb.", user=visitor)

    comment.refresh_from_db()
    assert comment.state == CommentState.APPROVED
    assert comment.is_public is True
    assert comment.held_reason == ""


def test_a_signed_in_person_cannot_pass_someone_else_name_or_email(site, article, visitor):
    comment = posting.submit(
        site, article, text="Hi", user=visitor, name="The Owner", email="owner@example.com"
    )

    assert (comment.user_name, comment.user_email) == ("Priya Shah", "priya@example.com")


def test_an_anonymous_comment_waits_unconfirmed_and_a_confirmation_is_queued(
    site, article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        comment = anonymous(
            site, article, user_agent="Firefox", url="https://tom.example", wants_replies=True
        )

    comment.refresh_from_db()
    assert comment.state == CommentState.UNCONFIRMED
    assert comment.confirmed_at is None and comment.confirmation_sent_at is None
    assert (comment.user_name, comment.user_email, comment.user_url) == (
        "Tom",
        "tom@example.com",
        "https://tom.example",
    )
    assert comment.followup is True
    assert comment.user_agent == "Firefox"
    assert comment.is_public is False
    assert len(callbacks) == 1  # the confirmation email, sent only once the comment is safely stored


def test_an_anonymous_comment_is_emailed_a_confirmation_on_commit(
    site, article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = anonymous(site, article)

    assert [message.to for message in mail.outbox] == [["tom@example.com"]]
    comment.refresh_from_db()
    assert comment.confirmation_sent_at is not None


def test_wants_replies_without_an_email_follows_nothing(site, article):
    user = UserFactory(email="")

    comment = posting.submit(site, article, text="Hi", user=user, wants_replies=True)

    assert comment.followup is False


# Confirming ------------------------------------------------------------------------


def test_confirming_judges_the_comment_by_the_site_rules(site, article):
    comment = anonymous(site, article)

    confirmed = posting.confirm(posting.confirmation_key(comment))

    assert confirmed.pk == comment.pk
    confirmed.refresh_from_db()
    assert confirmed.state == CommentState.PENDING
    assert confirmed.held_reason == "first comment from this person"
    assert confirmed.confirmed_at is not None


def test_confirming_a_known_author_publishes_at_once(site, article):
    approved(site, article, email="tom@example.com")
    comment = anonymous(site, article)

    assert posting.confirm(posting.confirmation_key(comment)).state == CommentState.APPROVED


def test_confirming_twice_is_harmless(site, article, moderator, django_capture_on_commit_callbacks):
    comment = anonymous(site, article)
    key = posting.confirmation_key(comment)
    first = posting.confirm(key)
    posting.moderate(PageComment.objects.filter(pk=comment.pk), CommentState.REMOVED, moderator)

    with django_capture_on_commit_callbacks() as callbacks:
        again = posting.confirm(key)

    assert again.pk == first.pk
    assert again.state == CommentState.REMOVED  # not judged again, not brought back
    assert again.confirmed_at == PageComment.objects.get(pk=comment.pk).confirmed_at
    assert callbacks == []


def test_a_tampered_confirmation_link_is_refused(site, article):
    comment = anonymous(site, article)
    key = posting.confirmation_key(comment)

    with pytest.raises(CommentRejected, match="not valid"):
        posting.confirm(key[:-3] + ("aaa" if not key.endswith("aaa") else "bbb"))

    assert PageComment.objects.get(pk=comment.pk).state == CommentState.UNCONFIRMED


def test_a_link_signed_for_another_purpose_does_not_confirm(site, article):
    comment = anonymous(site, article)

    with pytest.raises(CommentRejected, match="not valid"):
        posting.confirm(posting.mute_key(comment.user_email, comment.thread_id))


def test_an_expired_confirmation_link_is_refused(site, article):
    comment = anonymous(site, article)
    days_ago = settings.COMMENTS_CONFIRMATION_DAYS + 1
    # Sign the key as if it had been made days_ago: the signer stamps time.time().
    with mock.patch("django.core.signing.time.time", return_value=time.time() - days_ago * 86400):
        old_key = posting.confirmation_key(comment)

    with pytest.raises(CommentRejected, match=f"more than {settings.COMMENTS_CONFIRMATION_DAYS} days old"):
        posting.confirm(old_key)

    assert PageComment.objects.get(pk=comment.pk).state == CommentState.UNCONFIRMED


def test_a_link_for_a_deleted_comment_says_so(site, article):
    comment = anonymous(site, article)
    key = posting.confirmation_key(comment)
    comment.delete()

    with pytest.raises(CommentRejected, match="has been deleted"):
        posting.confirm(key)


# Bad input: a clear message, nothing written ---------------------------------------------


def assert_nothing_written(callbacks):
    assert PageComment.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("fields", "message", "field"),
    [
        ({"text": "   \n "}, "Please write a comment before posting.", "comment"),
        ({"text": "x" * 3001}, "Comments can be at most 3000 characters; this one has 3001.", "comment"),
        ({"email": "tom-at-example"}, "Please give a valid email address", "email"),
        ({"email": ""}, "Please give a valid email address", "email"),
        ({"name": " "}, "Please give your name.", "name"),
        ({"name": "N" * 51}, "Names can be at most 50 characters.", "name"),
        ({"url": "javascript:alert(1)"}, "Your website must be a full http:// or https:// address.", "url"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    site, article, fields, message, field, settings, django_capture_on_commit_callbacks
):
    settings.COMMENT_MAX_LENGTH = 3000
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(CommentRejected) as refused:
        anonymous(site, article, **fields)

    assert refused.value.message.startswith(message)
    assert refused.value.field == field
    assert refused.value.status == 400
    assert_nothing_written(callbacks)


def test_a_reply_to_a_comment_on_another_page_is_refused(
    site, section, article, django_capture_on_commit_callbacks
):
    elsewhere = approved(site, make_article(section))

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(CommentRejected) as refused:
        anonymous(site, article, parent_id=elsewhere.pk)

    assert refused.value.message == "You can only reply to a comment on the same page."
    assert refused.value.field == "reply_to"
    assert PageComment.objects.count() == 1
    assert callbacks == [] and mail.outbox == []


@pytest.mark.parametrize("state", [CommentState.PENDING, CommentState.SPAM, CommentState.UNCONFIRMED])
def test_a_reply_to_a_hidden_or_missing_comment_is_refused(site, article, state):
    hidden = approved(site, article)
    PageComment.objects.filter(pk=hidden.pk).update(state=state)

    for parent_id in (hidden.pk, 999_999):
        with pytest.raises(CommentRejected, match="does not exist"):
            anonymous(site, article, parent_id=parent_id)

    assert PageComment.objects.count() == 1


def test_a_reply_past_the_maximum_depth_is_refused(site, article, django_capture_on_commit_callbacks):
    save_rules(site, CommentRules(max_depth=1))
    top = approved(site, article)
    reply = approved(site, article, parent=top)
    assert anonymous(site, article, parent_id=top.pk).level == 1  # one level is allowed

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(CommentRejected) as refused:
        anonymous(site, article, parent_id=reply.pk)

    assert refused.value.message == "Replies can nest at most 1 level deep; reply further up the thread."
    assert PageComment.objects.count() == 3
    assert callbacks == []


def test_depth_zero_allows_no_replies(site, article, django_capture_on_commit_callbacks):
    save_rules(site, CommentRules(max_depth=0))
    top = approved(site, article)

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(CommentRejected) as refused:
        anonymous(site, article, parent_id=top.pk)

    assert refused.value.message == "Replies are turned off on this site."
    assert PageComment.objects.count() == 1
    assert callbacks == []


def test_posting_where_comments_are_closed_is_refused(
    site, article, visitor, django_capture_on_commit_callbacks
):
    PageCommentSettings.objects.create(page=article, comments_open=False)

    with django_capture_on_commit_callbacks() as callbacks:
        for attempt in (
            lambda: anonymous(site, article),
            lambda: posting.submit(site, article, text="Hi", user=visitor),
        ):
            with pytest.raises(CommentRejected, match="Comments are closed on this page."):
                attempt()

    assert_nothing_written(callbacks)


def test_posting_on_a_page_type_without_comments_is_refused(site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(CommentRejected) as refused:
        anonymous(site, site.root_page)

    assert refused.value.message == "This page does not take comments."
    assert_nothing_written(callbacks)


# Rate limits ------------------------------------------------------------------------


def test_too_many_posts_from_one_address_are_refused(site, article, settings):
    settings.COMMENTS_RATE_PER_IP = "2/d"
    anonymous(site, article, email="a@example.com", ip_address="198.51.100.7")
    anonymous(site, article, email="b@example.com", ip_address="198.51.100.7")

    with pytest.raises(CommentRateLimited) as limited:
        anonymous(site, article, email="c@example.com", ip_address="198.51.100.7")

    assert limited.value.status == 429
    assert 0 < limited.value.retry_after <= 86400
    assert "too many comments" in limited.value.message and "nothing was posted" in limited.value.message
    assert PageComment.objects.count() == 2
    anonymous(
        site, article, email="c@example.com", ip_address="198.51.100.8"
    )  # another address may still post


def test_too_many_posts_from_one_email_are_refused_whatever_the_address(site, article, settings):
    settings.COMMENTS_RATE_PER_EMAIL = "2/d"
    anonymous(site, article, email="tom@example.com", ip_address="198.51.100.1")
    anonymous(site, article, email="TOM@example.com", ip_address="198.51.100.2")

    with pytest.raises(CommentRateLimited) as limited:
        anonymous(site, article, email="tom@example.com ", ip_address="198.51.100.3")

    assert limited.value.retry_after > 0
    assert PageComment.objects.count() == 2


def test_a_refused_comment_does_not_use_up_the_rate_limit(site, article, settings):
    settings.COMMENTS_RATE_PER_IP = "1/d"
    with pytest.raises(CommentRejected):
        anonymous(site, article, text="")

    anonymous(site, article)

    assert PageComment.objects.count() == 1


# The business answering --------------------------------------------------------------------


def test_a_business_reply_is_published_marked_and_answers_every_comment_above(
    site, article, moderator, django_capture_on_commit_callbacks
):
    top = approved(site, article, text="Do you open on Sundays?")
    follow_up = approved(site, article, text="And bank holidays?", parent=top)
    other_thread = approved(site, article, text="Unrelated")

    with django_capture_on_commit_callbacks(execute=True):
        reply = posting.reply_as_business(follow_up, "Yes, 8 till 2, both.", moderator)

    reply.refresh_from_db()
    assert reply.state == CommentState.APPROVED
    assert reply.is_business_reply is True
    assert reply.user_name == "Copper Kettle"
    assert (reply.parent_id, reply.level, reply.thread_id) == (follow_up.pk, 2, top.pk)
    answered = dict(PageComment.objects.values_list("pk", "answered_at"))
    assert answered[top.pk] is not None and answered[follow_up.pk] is not None
    assert answered[other_thread.pk] is None
    assert list(PageComment.objects.needing_response(site, hours=0)) == [other_thread]


def test_the_business_cannot_reply_to_a_held_comment(site, article, moderator):
    held = approved(site, article)
    PageComment.objects.filter(pk=held.pk).update(state=CommentState.PENDING)
    held.refresh_from_db()

    with pytest.raises(CommentRejected, match="Approve this comment before replying"):
        posting.reply_as_business(held, "Thanks!", moderator)
    with pytest.raises(CommentRejected, match="Please write a comment"):
        posting.reply_as_business(approved(site, article), "  ", moderator)

    assert PageComment.objects.filter(is_business_reply=True).count() == 0


def test_mark_answered_takes_comments_off_the_needs_a_response_list(site, article):
    question = approved(site, article)

    assert posting.mark_answered(PageComment.objects.filter(pk=question.pk)) == 1
    assert posting.mark_answered(PageComment.objects.filter(pk=question.pk)) == 0
    assert list(PageComment.objects.needing_response(site, hours=0)) == []


# Moderation -----------------------------------------------------------------------------


def test_approving_a_held_comment_publishes_it_and_purges_cached_pages(
    site, article, visitor, moderator, django_capture_on_commit_callbacks
):
    held = posting.submit(site, article, text="Lovely crumb.", user=visitor)
    before = cache_generation()

    with django_capture_on_commit_callbacks(execute=True):
        changed = posting.moderate(PageComment.objects.filter(pk=held.pk), CommentState.APPROVED, moderator)

    held.refresh_from_db()
    assert changed == 1
    assert (held.state, held.is_public, held.held_reason) == (CommentState.APPROVED, True, "")
    assert held.moderated_by == moderator and held.moderated_at is not None
    assert cache_generation() != before


@pytest.mark.parametrize("state", [CommentState.REMOVED, CommentState.SPAM, CommentState.PENDING])
def test_hiding_a_published_comment_purges_cached_pages(
    site, article, moderator, state, django_capture_on_commit_callbacks
):
    shown = approved(site, article)
    before = cache_generation()

    with django_capture_on_commit_callbacks(execute=True):
        assert posting.moderate(PageComment.objects.filter(pk=shown.pk), state, moderator) == 1

    shown.refresh_from_db()
    assert shown.state == state
    assert shown.is_public is False
    assert shown.is_removed is (state != CommentState.PENDING)
    assert cache_generation() != before


def test_moderation_leaves_unconfirmed_and_unchanged_comments_alone(site, article, moderator):
    unconfirmed = anonymous(site, article)
    already = approved(site, article)

    changed = posting.moderate(PageComment.objects.all(), CommentState.APPROVED, moderator)

    assert changed == 0
    assert PageComment.objects.get(pk=unconfirmed.pk).state == CommentState.UNCONFIRMED
    assert PageComment.objects.get(pk=already.pk).moderated_by is None


def test_moderating_to_an_unknown_state_is_refused(site, article, moderator):
    comment = approved(site, article)

    with pytest.raises(CommentRejected, match="“unconfirmed” is not a moderation state"):
        posting.moderate(PageComment.objects.all(), CommentState.UNCONFIRMED, moderator)

    assert PageComment.objects.get(pk=comment.pk).state == CommentState.APPROVED


# Likes and flags ----------------------------------------------------------------------------


def test_liking_twice_takes_the_like_back(site, article, visitor):
    comment = approved(site, article)
    other = UserFactory()

    assert posting.toggle_like(comment.pk, visitor) == (True, 1)
    assert posting.toggle_like(comment.pk, other) == (True, 2)
    assert posting.toggle_like(comment.pk, visitor) == (False, 1)


def test_hidden_comments_cannot_be_liked_or_flagged(site, article, visitor):
    held = approved(site, article)
    PageComment.objects.filter(pk=held.pk).update(state=CommentState.PENDING)

    with pytest.raises(CommentRejected, match="There is no such comment."):
        posting.toggle_like(held.pk, visitor)
    with pytest.raises(CommentRejected, match="There is no such comment."):
        posting.flag_for_removal(held.pk, visitor)


def test_flags_past_the_threshold_return_the_comment_to_the_queue(
    site, article, django_capture_on_commit_callbacks
):
    save_rules(site, CommentRules(flag_threshold=2))
    comment = approved(site, article)
    first, second = UserFactory(), UserFactory()

    assert posting.flag_for_removal(comment.pk, first) is False
    assert posting.flag_for_removal(comment.pk, first) is False  # one person, one flag
    assert PageComment.objects.get(pk=comment.pk).state == CommentState.APPROVED
    before = cache_generation()
    with django_capture_on_commit_callbacks(execute=True):
        assert posting.flag_for_removal(comment.pk, second) is True

    comment.refresh_from_db()
    assert (comment.state, comment.is_public) == (CommentState.PENDING, False)
    assert comment.held_reason == "flagged by 2 people"
    assert cache_generation() != before


# Hooks -------------------------------------------------------------------------------------


class Heard:
    """A receiver as another plugin (members) writes it: keyword arguments
    only, plain data only, no import of the comments models."""

    def __init__(self):
        self.calls = []

    def __call__(self, site, **kwargs):
        self.calls.append({"site": site, **kwargs})


PLAIN_TYPES = (int, str, bool, type(None), datetime.datetime)


def test_a_signed_in_comment_tells_plugins_the_email_once_committed(
    site, article, visitor, django_capture_on_commit_callbacks
):
    heard = Heard()
    with hooks.comment_posted.connected(heard), django_capture_on_commit_callbacks(execute=True):
        comment = posting.submit(site, article, text="Lovely", user=visitor, wants_replies=True)
        assert heard.calls == []  # not before the comment is committed

    [call] = heard.calls
    assert call["site"] == site
    assert call["page"].pk == article.pk
    assert (call["email"], call["name"], call["wants_replies"]) == ("priya@example.com", "Priya Shah", True)
    assert call["comment"]["id"] == comment.pk
    assert call["comment"]["state"] == CommentState.PENDING  # held comments are announced too


def test_the_comment_posted_contract_is_plain_data(
    site, article, visitor, django_capture_on_commit_callbacks
):
    heard = Heard()
    with hooks.comment_posted.connected(heard), django_capture_on_commit_callbacks(execute=True):
        posting.submit(site, article, text="Lovely", user=visitor, url="https://ignored.example")

    comment = heard.calls[0]["comment"]
    assert set(comment) == {
        "id",
        "page_id",
        "name",
        "email",
        "user_id",
        "text",
        "state",
        "is_business_reply",
        "parent_id",
        "submitted_at",
        "ip_address",
    }
    assert all(isinstance(value, PLAIN_TYPES) for value in comment.values())
    assert comment["email"] == "priya@example.com"


def test_an_anonymous_email_is_passed_on_only_after_confirmation(
    site, article, django_capture_on_commit_callbacks
):
    heard = Heard()
    with hooks.comment_posted.connected(heard):
        with django_capture_on_commit_callbacks(execute=True):
            comment = anonymous(site, article, wants_replies=True)
        assert heard.calls == []  # an address nobody has verified is not passed on

        with django_capture_on_commit_callbacks(execute=True):
            posting.confirm(posting.confirmation_key(comment))
            assert heard.calls == []

    [call] = heard.calls
    assert (call["email"], call["name"], call["wants_replies"]) == ("tom@example.com", "Tom", True)


def test_comment_published_is_sent_when_a_comment_becomes_visible(
    site, article, visitor, moderator, django_capture_on_commit_callbacks
):
    published = Heard()
    with hooks.comment_published.connected(published):
        with django_capture_on_commit_callbacks(execute=True):
            held = posting.submit(site, article, text="Lovely", user=visitor)
        assert published.calls == []  # held, not visible

        with django_capture_on_commit_callbacks(execute=True):
            posting.moderate(PageComment.objects.filter(pk=held.pk), CommentState.APPROVED, moderator)

    [call] = published.calls
    assert call["comment"]["id"] == held.pk
    assert call["comment"]["state"] == CommentState.APPROVED
    assert call["page"].pk == article.pk


def test_comment_published_is_sent_for_a_business_reply(
    site, article, moderator, django_capture_on_commit_callbacks
):
    published = Heard()
    question = approved(site, article)
    with hooks.comment_published.connected(published), django_capture_on_commit_callbacks(execute=True):
        reply = posting.reply_as_business(question, "Thanks!", moderator)

    [call] = published.calls
    assert call["comment"]["id"] == reply.pk
    assert call["comment"]["is_business_reply"] is True
    assert call["comment"]["parent_id"] == question.pk


# Nothing lost when the mail server is down -------------------------------------------------------


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_with_smtp_down_the_comment_is_kept_and_comments_resend_sends_it_later(
    site, article, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_PORT = unused_port()
    settings.EMAIL_TIMEOUT = 5

    with django_capture_on_commit_callbacks(execute=True):
        comment = anonymous(site, article)

    comment.refresh_from_db()
    assert comment.state == CommentState.UNCONFIRMED
    assert comment.confirmation_sent_at is None
    assert smtp_server.messages() == []

    settings.EMAIL_PORT = smtp_server.port
    call_command("comments_resend", stdout=io.StringIO())
    call_command("comments_resend", stdout=io.StringIO())  # once sent, never again

    [message] = smtp_server.messages()
    assert message["To"] == "tom@example.com"
    comment.refresh_from_db()
    assert comment.confirmation_sent_at is not None
    assert comment.state == CommentState.UNCONFIRMED


def test_comments_resend_deletes_unconfirmed_comments_whose_link_expired(site, article, capsys):
    stale = anonymous(site, article, email="old@example.com")
    fresh = anonymous(site, article, email="new@example.com")
    PageComment.objects.filter(pk=stale.pk).update(
        submit_date=timezone.now() - timezone.timedelta(days=settings.COMMENTS_CONFIRMATION_DAYS + 1),
        confirmation_sent_at=timezone.now()
        - timezone.timedelta(days=settings.COMMENTS_CONFIRMATION_DAYS + 1),
    )
    PageComment.objects.filter(pk=fresh.pk).update(confirmation_sent_at=timezone.now())

    call_command("comments_resend")

    assert list(PageComment.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert "deleted 1 expired" in capsys.readouterr().out


def test_moderating_a_comment_leaves_its_replies_is_public_mirroring_their_own_state(
    site, article, moderator, make_comment
):
    parent = make_comment(article, "Do you bake on Sundays?")
    held_reply = make_comment(article, "Me too!", parent=parent, state=CommentState.PENDING)
    approved_reply = make_comment(article, "Yes, from eight.", parent=parent)

    posting.moderate(PageComment.objects.filter(pk=parent.pk), CommentState.REMOVED, moderator)
    posting.moderate(PageComment.objects.filter(pk=parent.pk), CommentState.APPROVED, moderator)

    # django-comments-xtd's own receiver would have rewritten both replies' is_public.
    held_reply.refresh_from_db()
    approved_reply.refresh_from_db()
    assert (held_reply.is_public, approved_reply.is_public) == (False, True)
