"""Fixtures shared by the polls plugin's tests: polls of each kind, a page
showing one, and a voter that the ``poll_voter`` filter names as a member."""
from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from plugins.polls import hooks

from .factories import make_poll, page_with_poll


@pytest.fixture
def poll(site):
    """One answer, no words, open with no end, results after voting."""
    return make_poll(site)


@pytest.fixture
def multi_poll(site):
    return make_poll(
        site, question="What should the new café corner have?", choices=("Sofas", "Plugs", "Books", "Games"),
        multiple=True, allow_text=True, text_label="Anything else?",
    )


@pytest.fixture
def closed_poll(site):
    now = timezone.now()
    return make_poll(site, question="Best cake of the summer?", opens_at=now - datetime.timedelta(days=10),
                     closes_at=now - datetime.timedelta(days=1))


@pytest.fixture
def future_poll(site):
    return make_poll(site, question="Next month's special?", opens_at=timezone.now() + datetime.timedelta(days=2))


@pytest.fixture
def poll_page(root_page, poll):
    return page_with_poll(root_page, poll, title="Saturday bread")


@pytest.fixture
def as_member():
    """``with as_member(42):`` requests vote as member 42, the way the
    members plugin answers ``poll_voter`` for a signed-in member."""

    def _as_member(member_id):
        def answer(value, site, request=None, **kwargs):
            return {"member_id": member_id}

        return hooks.poll_voter.connected(answer)

    return _as_member


@pytest.fixture
def generous_vote_limits(settings):
    """Rate limits high enough to stay out of the way of tests about something else."""
    settings.HEARTHSIDE_RATE_LIMITS = [
        rule if rule[0] != "poll votes" else (*rule[:3], "1000/h") for rule in settings.HEARTHSIDE_RATE_LIMITS
    ]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public_write": "1000/min"},
    }
