"""Fixtures shared by the syndication plugin's tests.

Most tests go through the real members plugin (its receivers answer the
syndication hooks). ``directory`` is for the outbox's own tests: a
stand-in recipient source, connected to the same hooks, that lets a test
choose exactly who is reachable and change it mid-send.
"""
from __future__ import annotations

import pytest

from plugins.syndication import hooks
from plugins.syndication.config import SyndicationSettings, save_settings
from tests.factories import make_section


@pytest.fixture
def no_delay(site):
    """Updates go out as soon as their page is published."""
    save_settings(site, SyndicationSettings(send_delay_minutes=0))


@pytest.fixture
def sms_outbox():
    """The texts sent during the test (hearthside.sms.LocmemBackend)."""
    from hearthside import sms

    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def journal(root_page):
    return make_section(root_page, title="Journal", show_in_menus=True)


class Directory:
    """Who an update reaches, answering ``update_recipients`` and
    ``recipient_contacts`` from a dict: member id -> contact (with a
    ``channels`` dict of channel -> frequency)."""

    def __init__(self):
        self.members: dict[int, dict] = {}
        self.contact_calls = 0
        self.undeliverable: list[dict] = []

    def add(self, member_id: int, email: str = "", *, name: str = "", channels=None, phone: str = "",
            webhook_url: str = "") -> dict:
        self.members[member_id] = {
            "email": email or f"member{member_id}@example.com",
            "name": name,
            "phone": phone,
            "webhook_url": webhook_url,
            "channels": channels or {"email": "immediate"},
        }
        return self.members[member_id]

    def leave(self, member_id: int) -> None:
        self.members.pop(member_id, None)

    def recipients(self, site, page=None, audience=None, channels=None, **kwargs):
        for member_id, member in sorted(self.members.items()):
            for channel, frequency in member["channels"].items():
                if channels is None or channel in channels:
                    yield member_id, channel, frequency

    def contacts(self, site, channel, member_ids, update_id=None, **kwargs):
        self.contact_calls += 1
        found = {}
        for member_id in member_ids:
            member = self.members.get(member_id)
            if member is not None and channel in member["channels"]:
                found[member_id] = {
                    **{key: member[key] for key in ("email", "name", "phone", "webhook_url")},
                    "unsubscribe_url": f"http://testserver/members/unsubscribe/t{member_id}-{update_id}/",
                    "preferences_url": f"http://testserver/members/access/p{member_id}/",
                }
        return found

    def suppress(self, site, channel, address, member_id=None, reason="", **kwargs):
        self.undeliverable.append({"channel": channel, "address": address, "member_id": member_id, "reason": reason})


@pytest.fixture
def directory(site):
    """A stand-in for the members plugin, for the outbox's own tests."""
    found = Directory()
    answered = (hooks.update_recipients, hooks.recipient_contacts, hooks.address_undeliverable)
    # The members plugin's receivers step aside so the test decides who is reachable.
    saved = {hook: list(hook._receivers) for hook in answered}
    for hook in answered:
        hook._receivers = [receiver for receiver in hook._receivers if receiver.plugin != "members"]
    hooks.update_recipients.connect(found.recipients, plugin=None)
    hooks.recipient_contacts.connect(found.contacts, plugin=None)
    hooks.address_undeliverable.connect(found.suppress, plugin=None)
    yield found
    for hook, receivers in saved.items():
        hook._receivers = receivers
