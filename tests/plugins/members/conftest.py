"""Fixtures shared by the members plugin's tests: topics to follow, members
made directly, the SMS outbox, and the links in the plugin's emails."""
from __future__ import annotations

import re

import pytest

from hearthside import sms
from plugins.members.models import Topic
from tests.factories import make_section

from .factories import make_member


@pytest.fixture
def section(root_page):
    return make_section(root_page, title="Journal", show_in_menus=True)


@pytest.fixture
def topic(site, section):
    return Topic.objects.create(site=site, name="Baking tips", slug="baking", section=section)


@pytest.fixture
def other_topic(site):
    return Topic.objects.create(site=site, name="Offers", slug="offers")


@pytest.fixture
def sms_outbox():
    """The texts sent during the test (hearthside.sms.LocmemBackend)."""
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def generous_member_limits(settings):
    """Rate limits high enough to stay out of the way of tests about something else."""
    settings.MEMBERS_RATE_PER_IP = "1000/d"
    settings.MEMBERS_RATE_PER_EMAIL = "1000/d"
    settings.MEMBERS_PHONE_CODES_PER_NUMBER = "1000/d"


@pytest.fixture
def member(site):
    """A confirmed member on email (immediate)."""
    return make_member(site, email="robin@example.com", name="Robin", channels={"email": "immediate"})


LINK = re.compile(r"https?://[^\s\"<>]+/members/(confirm|access)/[^\s\"<>/]+/")


def link_in(body: str, kind: str) -> str:
    """The ``kind`` ("confirm" or "access") link in an email body."""
    for found in LINK.finditer(body):
        if found.group(1) == kind:
            return found.group(0)
    raise AssertionError(f"No {kind} link in: {body}")


def link_payload(body: str, kind: str = "confirm") -> dict:
    """What the ``kind`` link in an email body is for (member, nonce): two
    emails of the same link compare equal even if signed in different
    seconds (the signature carries its time)."""
    from plugins.members import tokens

    token = link_in(body, kind).rstrip("/").rsplit("/", 1)[1]
    return tokens.read(tokens.CONFIRM if kind == "confirm" else tokens.ACCESS, token)


def text_body(message) -> str:
    """The text/plain part of a message parsed back from SMTP."""
    if message.is_multipart():
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
