"""An update's email: rendered once, then filled in per member. The fast
path (the message's bytes with the member's parts dropped in) must give the
same message as building it through Django, and step aside for any value
that would need encoding."""
from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from plugins.syndication import emails
from plugins.syndication.models import Update
from tests.factories import make_article

HEADERS = ("Subject", "From", "To", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Precedence",
           "Auto-Submitted", "MIME-Version")


@pytest.fixture
def rendered(site, journal):
    page = make_article(journal, title="Crème brûlée <for> two")
    return emails.render_update(Update.objects.create(site=site, page=page, title=page.title))


def contact(**given):
    return {
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "unsubscribe_url": "http://testserver/members/unsubscribe/eyJtIjoxfQ:1x:abc/",
        "preferences_url": "http://testserver/members/access/",
        **given,
    }


def parse(data: bytes):
    return message_from_bytes(data, policy=policy.default)


def test_the_fast_path_gives_the_message_django_would_build(rendered):
    data, message_id, envelope_from = rendered.wire(contact())
    fast, slow = parse(data), parse(emails.smtp_bytes(rendered.message(contact())))
    for header in HEADERS:
        assert str(fast[header]) == str(slow[header]), header
    assert fast["Message-ID"] == message_id and fast["Date"]
    assert fast.get_body(("plain",)).get_content() == slow.get_body(("plain",)).get_content()
    assert fast.get_body(("html",)).get_content() == slow.get_body(("html",)).get_content()
    assert "Hi Ada Lovelace," in fast.get_body(("html",)).get_content()
    assert envelope_from == "hello@hearthside.localhost"


def test_a_plain_ascii_page_takes_the_fast_path_too(site, journal):
    page = make_article(journal, title="Plain bread")
    rendered = emails.render_update(Update.objects.create(site=site, page=page, title=page.title))
    assert rendered.wire_template is not None and rendered.wire(contact()) is not None


def test_each_message_gets_its_own_message_id(rendered):
    first, second = rendered.wire(contact())[1], rendered.wire(contact())[1]
    assert first != second


@pytest.mark.parametrize(
    "given",
    [
        {"name": "Zoë"},  # needs an encoded word
        {"name": "Ada\r\nBcc: everyone@example.com"},  # becomes one line, but with a colon
        {"name": 'Ada "the first"'},
        {"email": "ada@bücher.de"},  # members mails the IDNA form; here it must not slip through raw
        {"unsubscribe_url": "http://testserver/unsubscribe/ spaced/"},
    ],
)
def test_values_that_need_encoding_take_the_full_path_and_inject_nothing(rendered, given):
    assert rendered.wire(contact(**given)) is None
    message = parse(emails.smtp_bytes(rendered.message(contact(**given))))
    assert message["Bcc"] is None and len(message["To"].addresses) == 1
