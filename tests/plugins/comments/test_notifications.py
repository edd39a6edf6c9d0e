"""The plugin's emails, sent over SMTP to a real aiosmtpd process: the
confirmation link, reply notifications with their one-click mute link, and
alerts to moderators. No email carries a visitor's markup."""

import re
from email.header import decode_header, make_header
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from hypothesis import HealthCheck, given, settings

from hearthside.mail import one_line
from plugins.comments import posting
from plugins.comments.models import CommentState, PageComment
from plugins.comments.rules import CommentRules, save_rules
from tests.factories import UserFactory, make_article, make_section
from tests.support.hostile import ENVELOPE_HEADERS, HOSTILE_TEXT_VALUES, LINE_BREAKS, parsed_back, storable

# Rate limits have their own tests; elsewhere they would only get in the way.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_rate_limits")]

HOSTILE_TEXT = (
    "<script>alert('boo')</script> **Lovely** loaf. "
    '[click](javascript:alert(1)) <img src=x onerror=alert(1)> <a href="javascript:alert(2)">x</a>'
)


@pytest.fixture
def article(site):
    return make_article(make_section(site.root_page), title="Spelt sourdough")


@pytest.fixture
def open_rules(site):
    save_rules(site, CommentRules(hold_first_time=False))


def person(username, **fields):
    return UserFactory(
        username=username, first_name=username.title(), email=f"{username}@example.com", **fields
    )


def parts(message) -> tuple[str, str]:
    """The text and HTML bodies of a message as it arrived."""
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            found[part.get_content_subtype()] = part.get_payload(decode=True).decode(
                part.get_content_charset()
            )
    return found["plain"], found["html"]


def header(message, name) -> str:
    """A header as people read it: decoded and unfolded."""
    return re.sub(r"\s*\n\s*", " ", str(make_header(decode_header(message[name])))).strip()


def recipients(message) -> list[str]:
    """Envelope recipients (aiosmtpd records them; Bcc never shows in headers)."""
    return sorted(address.strip() for address in message["X-RcptTo"].split(","))


def links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


class MarkupAudit(HTMLParser):
    """Collects anything in an HTML body that could run script."""

    def __init__(self, html):
        super().__init__()
        self.problems = []
        self.hrefs = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "img", "iframe", "object", "embed", "style"):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"{tag} {name}={value}")
            if name == "href":
                self.hrefs.append(value)


def assert_safe(message):
    text, html = parts(message)
    assert "<script" not in text.lower()
    audit = MarkupAudit(html)
    assert audit.problems == []
    assert "<script" not in html.lower()
    return text, html


# Confirmation ------------------------------------------------------------------------------


def test_the_confirmation_email_has_a_working_signed_link(
    site, article, smtp_server, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = posting.submit(
            site,
            article,
            text="Could I use **spelt**?",
            name="Tom",
            email="tom@example.com",
            ip_address="203.0.113.2",
        )

    [message] = smtp_server.messages()
    assert message["To"] == "tom@example.com"
    assert header(message, "Subject") == "Confirm your comment on “Spelt sourdough”"
    text, html = parts(message)
    [confirm_url] = [url for url in links(text) if "/comments/confirm/" in url]
    assert confirm_url.startswith("http://testserver/comments/confirm/")
    assert f'href="{confirm_url}"' in html
    assert "7 days" in text and "7 days" in html
    assert "Copper Kettle" in text and "Copper Kettle" in html
    assert "Could I use spelt?" in text
    assert "<strong>spelt</strong>" in html  # the comment as sanitised HTML, not raw Markdown
    assert all(url.startswith("http://testserver/") for url in links(text) + MarkupAudit(html).hrefs)

    response = client.get(urlsplit(confirm_url).path)

    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.state == CommentState.PENDING
    assert comment.confirmed_at is not None


# Reply notifications --------------------------------------------------------------------------


def reply(site, article, author, parent, text="Yes, up to half.", wants_replies=False):
    return posting.submit(
        site, article, text=text, user=author, parent_id=parent.pk, wants_replies=wants_replies
    )


def test_a_reply_is_emailed_to_followers_of_the_thread_only(
    site, article, open_rules, smtp_server, django_capture_on_commit_callbacks
):
    follower, quiet, elsewhere, replier = person("ada"), person("bob"), person("cy"), person("dee")
    with django_capture_on_commit_callbacks(execute=True):
        question = posting.submit(site, article, text="Spelt?", user=follower, wants_replies=True)
        reply(site, article, quiet, question, "Same question.")  # in the thread, not following
        posting.submit(site, article, text="Other thread", user=elsewhere, wants_replies=True)
    smtp_server.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer = reply(site, article, replier, question, "Yes, up to half.", wants_replies=True)

    [message] = smtp_server.messages()
    assert recipients(message) == ["ada@example.com"]  # not the replier, not bob, not cy
    assert header(message, "Subject") == "New reply on “Spelt sourdough”"
    text, html = parts(message)
    assert "Dee replied" in text and "Dee</strong> replied" in html
    assert "Spelt sourdough" in text
    assert "Yes, up to half." in text
    assert answer.get_full_url() in text
    assert f'href="{answer.get_full_url()}"' in html
    assert answer.get_full_url().startswith("http://testserver/")


def test_a_reply_email_can_be_muted_with_one_click(
    site, article, open_rules, smtp_server, client, django_capture_on_commit_callbacks
):
    follower, replier, later = person("ada"), person("dee"), person("eve")
    with django_capture_on_commit_callbacks(execute=True):
        question = posting.submit(site, article, text="Spelt?", user=follower, wants_replies=True)
        reply(site, article, replier, question)
    [message] = smtp_server.messages()
    text, html = parts(message)
    [mute_url] = [url for url in links(text) if "/comments/mute/" in url]
    assert mute_url.startswith("http://testserver/comments/mute/")
    assert header(message, "List-Unsubscribe") == f"<{mute_url}>"
    assert header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert f'href="{mute_url}"' in html

    response = client.get(urlsplit(mute_url).path)

    assert response.status_code == 200
    assert PageComment.objects.get(pk=question.pk).followup is False
    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply(site, article, later, question, "Another answer")
    assert smtp_server.messages() == []


def test_a_business_reply_is_emailed_as_the_business(
    site, article, open_rules, moderator, smtp_server, django_capture_on_commit_callbacks
):
    follower = person("ada")
    with django_capture_on_commit_callbacks(execute=True):
        question = posting.submit(site, article, text="Open Sundays?", user=follower, wants_replies=True)
    smtp_server.clear()

    with django_capture_on_commit_callbacks(execute=True):
        posting.reply_as_business(question, "Yes, 8 till 2.", moderator)

    [message] = smtp_server.messages()
    assert recipients(message) == ["ada@example.com"]
    text, _html = parts(message)
    assert "Copper Kettle answered in a conversation you follow" in text
    assert "Yes, 8 till 2." in text


# Moderator alerts ------------------------------------------------------------------------------


def test_moderators_and_extra_addresses_hear_of_held_comments_editors_do_not(
    site, article, moderator, editor, admin_user, smtp_server, django_capture_on_commit_callbacks
):
    save_rules(site, CommentRules(moderator_emails="owner@example.com, MODERATOR@example.com"))
    assert not editor.has_perm("comments.moderate_comments")
    with django_capture_on_commit_callbacks(execute=True):
        posting.submit(site, article, text="First time here!", user=person("ada"))

    [message] = smtp_server.messages()
    assert recipients(message) == ["admin@example.com", "moderator@example.com", "owner@example.com"]
    assert "editor@example.com" not in message.as_string()
    assert message["To"] is None and message["Bcc"] is None  # moderators don't see each other's addresses
    text, html = parts(message)
    assert "Ada" in text and "Spelt sourdough" in text
    assert "Held because: first comment from this person" in text
    assert "first comment from this person" in html
    assert "First time here!" in text
    [queue_url] = [url for url in links(text) if "/admin/" in url]
    assert queue_url == "http://testserver/admin/comments/?state=pending"
    assert f'href="{queue_url}"' in html
    assert article.full_url in text


def test_a_moderator_group_member_gets_alerts_and_leaving_the_group_stops_them(
    site, article, moderator, smtp_server, django_capture_on_commit_callbacks
):
    moderator.groups.remove(Group.objects.get(name="Moderators"))
    with django_capture_on_commit_callbacks(execute=True):
        posting.submit(site, article, text="First time here!", user=person("ada"))

    assert smtp_server.messages() == []  # nobody left to tell


def test_moderators_are_not_emailed_when_the_site_says_so(
    site, article, moderator, smtp_server, django_capture_on_commit_callbacks
):
    save_rules(site, CommentRules(notify_moderators=False))
    with django_capture_on_commit_callbacks(execute=True):
        posting.submit(site, article, text="First time here!", user=person("ada"))

    assert smtp_server.messages() == []


def test_approved_comments_do_not_alert_moderators(
    site, article, moderator, open_rules, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        posting.submit(site, article, text="Hello", user=person("ada"))

    assert smtp_server.messages() == []


# No markup from a visitor in any email --------------------------------------------------------------


def test_no_script_from_a_comment_survives_into_any_email(
    site, article, moderator, smtp_server, django_capture_on_commit_callbacks
):
    hostile_name = "<script>alert(3)</script>Mallory"
    with django_capture_on_commit_callbacks(execute=True):
        follower = person("ada")
        save_rules(site, CommentRules(hold_first_time=False))
        question = posting.submit(site, article, text="Spelt?", user=follower, wants_replies=True)
        save_rules(site, CommentRules(hold_first_time=True))
        hostile = posting.submit(
            site,
            article,
            text=HOSTILE_TEXT,
            name=hostile_name,
            email="mallory@example.com",
            parent_id=question.pk,
            ip_address="203.0.113.66",
        )
    [confirmation] = smtp_server.messages()
    smtp_server.clear()

    with django_capture_on_commit_callbacks(execute=True):
        posting.confirm(posting.confirmation_key(hostile))  # held: moderators are alerted
    [alert] = smtp_server.messages()
    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        posting.moderate(PageComment.objects.filter(pk=hostile.pk), CommentState.APPROVED, moderator)
    [notification] = smtp_server.messages()
    assert recipients(notification) == ["ada@example.com"]

    for message in (confirmation, alert, notification):
        text, html = assert_safe(message)
        assert "<strong>Lovely</strong>" in html  # the harmless Markdown still shows
        assert "&lt;script&gt;" in html  # the visitor's markup shows as text, escaped
        assert "Lovely" in text
        assert "Mallory" in text


# Header injection ------------------------------------------------------------------------------

CONFIRMATION_HEADERS = {
    "content-type", "mime-version", "subject", "from", "to", "date", "message-id", *ENVELOPE_HEADERS,
}


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(title=HOSTILE_TEXT_VALUES, name=HOSTILE_TEXT_VALUES)
def test_no_title_or_name_injects_a_header_into_the_confirmation(
    site, smtp_server, django_capture_on_commit_callbacks, title, name
):
    # PostgreSQL stores no NUL in text; a title is an editor's, cut to Wagtail's 255.
    title = storable(title, 255).strip() or "Untitled"
    article = make_article(make_section(site.root_page), title=title)
    smtp_server.clear()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            posting.submit(site, article, text="A fine loaf.", name=name, email="tom@example.com",
                           ip_address="203.0.113.2")
    except posting.CommentRejected as refused:
        # A name the rules refuse (empty once trimmed, too long, a NUL in it) is
        # refused with a reason, and nothing is stored or sent.
        assert refused.field == "name" and refused.message
        assert smtp_server.messages() == []
        assert not PageComment.objects.filter(page=article).exists()
        return

    [arrived] = smtp_server.messages()
    message = parsed_back(arrived)
    assert {key.lower() for key in message.keys()} <= CONFIRMATION_HEADERS
    assert recipients(arrived) == ["tom@example.com"]
    assert message["To"] == "tom@example.com"
    subject = str(message["Subject"]).strip()  # a folded first line leaves a space in front
    assert not any(c in subject for c in LINE_BREAKS)
    assert subject == one_line(f"Confirm your comment on “{title}”")
    assert message.get_body(("plain",)) is not None
