"""The optional Akismet-compatible spam check, against a real HTTP server on
this machine that speaks Akismet's comment-check API."""

import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from plugins.comments import posting
from plugins.comments.models import CommentState
from plugins.comments.rules import CommentRules, save_rules
from plugins.comments.spam import is_spam, spam_check_enabled
from tests.factories import UserFactory, make_article, make_section

pytestmark = pytest.mark.django_db

API_KEY = "test-akismet-key"


class FakeAkismet:
    """Answers comment-check like Akismet: "true" for spam (any mention of
    viagra), "false" otherwise; or garbage, when told to misbehave."""

    def __init__(self):
        self.requests: list[dict[str, str]] = []
        self.answer_garbage = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                fields = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                fake.requests.append({"path": self.path, **fields})
                if fake.answer_garbage:
                    body = b"<html>Internal error</html>"
                else:
                    body = b"true" if "viagra" in fields.get("comment_content", "").lower() else b"false"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/1.1/comment-check"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def akismet(settings):
    with FakeAkismet() as server:
        settings.COMMENTS_SPAM_CHECK_KEY = API_KEY
        settings.COMMENTS_SPAM_CHECK_URL = server.url
        yield server


@pytest.fixture
def article(site):
    return make_article(make_section(site.root_page), title="Spelt sourdough")


@pytest.fixture
def visitor():
    return UserFactory(username="priya", first_name="Priya", last_name="Shah", email="priya@example.com")


@pytest.fixture
def open_rules(site):
    # Hold nobody for being new, so the spam check's answer alone decides.
    save_rules(site, CommentRules(hold_first_time=False))


def post(site, article, visitor, text):
    comment = posting.submit(
        site, article, text=text, user=visitor, ip_address="203.0.113.5", user_agent="Firefox/140"
    )
    comment.refresh_from_db()
    return comment


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_spam_is_stored_as_spam(site, article, visitor, akismet, open_rules):
    comment = post(site, article, visitor, "Cheap VIAGRA here")

    assert comment.state == CommentState.SPAM
    assert comment.held_reason == "the spam check flagged it"
    assert comment.is_removed is True


def test_the_check_gets_what_akismet_needs(site, article, visitor, akismet, open_rules):
    post(site, article, visitor, "Lovely crumb on this loaf.")

    [sent] = akismet.requests
    assert sent["path"] == "/1.1/comment-check"
    assert sent["api_key"] == API_KEY
    assert sent["blog"] == "http://testserver"
    assert sent["permalink"] == article.full_url
    assert sent["user_ip"] == "203.0.113.5"
    assert sent["user_agent"] == "Firefox/140"
    assert sent["comment_type"] == "comment"
    assert sent["comment_author"] == "Priya Shah"
    assert sent["comment_author_email"] == "priya@example.com"
    assert sent["comment_content"] == "Lovely crumb on this loaf."


def test_ham_goes_on_to_the_site_rules(site, article, visitor, akismet):
    # The site holds first-timers: the check says "not spam", the rules still hold it.
    comment = post(site, article, visitor, "Lovely crumb on this loaf.")

    assert len(akismet.requests) == 1
    assert comment.state == CommentState.PENDING
    assert comment.held_reason == "first comment from this person"


def test_ham_is_published_when_the_rules_allow(site, article, visitor, akismet, open_rules):
    assert post(site, article, visitor, "Lovely crumb.").state == CommentState.APPROVED


def test_a_visitor_comment_is_checked_when_confirmed(site, article, akismet, open_rules):
    comment = posting.submit(
        site, article, text="viagra viagra", name="Spammy", email="spam@example.com", ip_address="203.0.113.6"
    )
    assert akismet.requests == []  # unconfirmed comments are not worth asking about

    confirmed = posting.confirm(posting.confirmation_key(comment))

    assert confirmed.state == CommentState.SPAM
    assert akismet.requests[0]["comment_author_email"] == "spam@example.com"
    # Stored top-level comments are their own parent; it is still a comment, not a reply.
    assert akismet.requests[0]["comment_type"] == "comment"


def test_a_reply_is_checked_as_a_reply(site, article, visitor, akismet, open_rules):
    question = post(site, article, visitor, "Spelt?")
    reply = posting.submit(
        site, article, text="Also rye?", name="Tom", email="tom@example.com", parent_id=question.pk
    )

    posting.confirm(posting.confirmation_key(reply))

    assert [sent["comment_type"] for sent in akismet.requests] == ["comment", "reply"]


def test_a_comment_the_rules_already_hold_is_not_sent_to_the_check(site, article, visitor, akismet):
    save_rules(site, CommentRules(blocklist="casino", hold_first_time=False))

    comment = post(site, article, visitor, "Visit my casino")

    assert akismet.requests == []
    assert comment.state == CommentState.PENDING


def test_an_unreachable_check_holds_the_comment_with_the_reason(site, article, visitor, open_rules, settings):
    settings.COMMENTS_SPAM_CHECK_KEY = API_KEY
    settings.COMMENTS_SPAM_CHECK_URL = f"http://127.0.0.1:{unused_port()}/1.1/comment-check"

    comment = post(site, article, visitor, "Lovely crumb.")

    assert comment.state == CommentState.PENDING
    assert comment.held_reason == "the spam check could not be reached"


def test_a_garbled_answer_holds_the_comment(site, article, visitor, akismet, open_rules):
    akismet.answer_garbage = True

    comment = post(site, article, visitor, "Lovely crumb.")

    assert len(akismet.requests) == 1
    assert comment.state == CommentState.PENDING
    assert comment.held_reason == "the spam check could not be reached"


def test_is_spam_answers_true_false_or_none(site, article, visitor, akismet):
    comment = post(site, article, visitor, "Lovely crumb.")

    comment.comment = "VIAGRA"
    assert is_spam(comment) is True
    comment.comment = "Bread"
    assert is_spam(comment) is False
    akismet.answer_garbage = True
    assert is_spam(comment) is None


def test_without_a_key_the_check_is_never_called(site, article, visitor, akismet, open_rules, settings):
    settings.COMMENTS_SPAM_CHECK_KEY = ""

    assert spam_check_enabled() is False
    comment = post(site, article, visitor, "Cheap viagra")
    anonymous = posting.submit(site, article, text="More viagra", name="Tom", email="tom@example.com")
    posting.confirm(posting.confirmation_key(anonymous))

    assert akismet.requests == []
    assert comment.state == CommentState.APPROVED
    anonymous.refresh_from_db()
    assert anonymous.state == CommentState.APPROVED
