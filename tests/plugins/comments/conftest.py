"""Fixtures shared by the comments plugin's tests: an article to comment on,
comments made directly, site rules, members who can sign in, and the page's
real comment form read from its HTML."""

from __future__ import annotations

import dataclasses
import functools
import re

import pytest
from bs4 import BeautifulSoup

from plugins.comments.rules import rules_for, save_rules
from tests.factories import UserFactory, make_article, make_section

from .factories import store_comment


@pytest.fixture
def section(root_page):
    return make_section(root_page, title="Journal", show_in_menus=True)


@pytest.fixture
def article(section):
    return make_article(section, title="How we make our sourdough")


@pytest.fixture
def set_rules(site):
    """``set_rules(hold_first_time=False, ...)``: change the site's comment rules."""

    def _set(**changes):
        rules = dataclasses.replace(rules_for(site), **changes)
        save_rules(site, rules)
        return rules

    return _set


@pytest.fixture
def make_comment(site):
    """``make_comment(page, text=..., parent=None, ...)``: an approved comment,
    stored directly (no rules, no emails); see factories.store_comment."""
    return functools.partial(store_comment, site=site)


@pytest.fixture
def generous_rate_limits(settings):
    """Rate limits high enough to stay out of the way of tests about something else."""
    settings.COMMENTS_RATE_PER_IP = "1000/d"
    settings.COMMENTS_RATE_PER_EMAIL = "1000/d"


@pytest.fixture
def member(db):
    """Someone with an account on the site (not staff)."""
    return UserFactory(username="sam", first_name="Sam", last_name="Baker", email="sam@example.com")


@pytest.fixture
def no_wait(settings):
    """Post forms without waiting the minimum time robots are refused for."""
    settings.COMMENTS_MIN_SECONDS_TO_POST = 0


def _form_values(form) -> dict:
    values = {}
    for field in form.find_all(["input", "textarea"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button"):
            continue
        if field.get("type") == "checkbox":
            if field.has_attr("checked"):
                values[name] = field.get("value", "on")
            continue
        values[name] = field.get_text() if field.name == "textarea" else field.get("value", "")
    return values


@pytest.fixture
def comment_form():
    """``comment_form(html, reply_to=None)``: the action and the fields (hidden
    ones included, as the page rendered them) of the page's comment form, or
    of the reply form under comment ``reply_to``."""

    def _read(html, reply_to=None):
        soup = BeautifulSoup(html, "html.parser")
        for form in soup.find_all("form", class_="comment-form"):
            values = _form_values(form)
            if str(values.get("reply_to", "0")) == str(reply_to or 0):
                return form["action"], values
        raise AssertionError(f"No comment form for reply_to={reply_to} in the page.")

    return _read


CONFIRM_LINK = re.compile(r"https?://[^\s\"<>]+/comments/confirm/[^\s\"<>/]+/")


@pytest.fixture
def confirm_link():
    """``confirm_link(message)``: the confirmation URL in an email's text."""

    def _find(message):
        found = CONFIRM_LINK.search(message.body)
        assert found, f"No confirmation link in: {message.body}"
        return found.group(0)

    return _find
