"""The members services behind every way in (forms, blocks, the API, the
admin): changing preferences, leaving, downloading and erasing one's data,
stages, contacts from comments, the consent history, the suppression list,
signed links and the mobile number's code.

Everything runs through the real services with their on-commit work
executed; mail goes to Django's locmem outbox and texts to the SMS outbox.
"""
from __future__ import annotations

import hashlib
import json
import time

import pytest
from django.apps import apps
from django.core import mail, signing
from django.db import transaction
from django.utils import timezone

from plugins.comments import hooks as comment_hooks
from plugins.comments import posting
from plugins.comments.rules import CommentRules, save_rules
from plugins.members import consent, preferences, tokens
from plugins.members import hooks as member_hooks
from plugins.members import signup as service
from plugins.members.models import (
    ConsentRecord,
    Member,
    Source,
    Stage,
    Subscription,
    Suppression,
    TaggedMember,
    Topic,
)
from plugins.members.validation import MemberRateLimited, MemberRejected
from tests.factories import UserFactory, make_article

from .conftest import link_in, link_payload
from .factories import make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_member_limits")]


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def last_link(kind: str) -> str:
    return token_of(link_in(mail.outbox[-1].body, kind))


def channels_of(member) -> dict[str, str]:
    return dict(Subscription.objects.filter(member=member).values_list("channel", "frequency"))


def records_of(member) -> list[tuple[str, str]]:
    return list(ConsentRecord.objects.filter(member=member).values_list("channel", "action"))


class Heard:
    """A hook receiver that remembers what it was sent."""

    def __init__(self):
        self.calls: list[dict] = []

    def __call__(self, site, **kwargs):
        self.calls.append({"site": site, **kwargs})


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Run the block and then its on-commit work (emails, texts, hooks), as a request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def join(site, capture):
    """``join(email=..., **signup_fields)``: sign up and follow the emailed link."""

    def _join(**fields):
        with capture():
            service.signup(site, **fields)
        with capture():
            return service.confirm(last_link("confirm"))

    return _join


@pytest.fixture
def texter(site, member, capture, sms_outbox):
    """A confirmed member on email and texts (number confirmed by code)."""
    with capture():
        preferences.update_preferences(
            member, channels={"email": "immediate", "sms": "immediate"}, phone="07400 123456"
        )
    code = sms_outbox[-1].body[:6]
    with capture():
        return service.verify_phone_code(member, code)


# --- update_preferences -------------------------------------------------------------------


def test_a_new_channel_is_a_grant_and_a_dropped_one_a_withdrawal(member, capture):
    heard = Heard()
    with member_hooks.consent_changed.connected(heard), capture():
        preferences.update_preferences(member, channels={"rss": "immediate"}, ip_address="203.0.113.7")

    assert channels_of(member) == {"rss": "immediate"}
    assert records_of(member) == [("email", "granted"), ("email", "withdrawn"), ("rss", "granted")]
    rss = ConsentRecord.objects.get(member=member, channel="rss")
    assert rss.source == preferences.CENTRE
    assert "private feed" in rss.wording and "Copper Kettle" in rss.wording
    assert rss.ip_address.startswith("sha256:")
    assert sorted((call["channel"], call["granted"]) for call in heard.calls) == [("email", False), ("rss", True)]
    assert heard.calls[0]["member"]["email"] == "robin@example.com"


def test_a_new_frequency_is_not_a_new_consent(member, capture):
    with capture():
        preferences.update_preferences(member, channels={"email": "weekly"})

    assert channels_of(member) == {"email": "weekly"}
    assert records_of(member) == [("email", "granted")]


def test_leaving_out_channels_and_topics_keeps_them(member, topic, capture):
    member.topics.add(topic)
    with capture():
        preferences.update_preferences(member, name="  Robin   Hood ")

    member.refresh_from_db()
    assert member.name == "Robin Hood"
    assert channels_of(member) == {"email": "immediate"}
    assert list(member.topics.values_list("slug", flat=True)) == ["baking"]
    assert records_of(member) == [("email", "granted")]


def test_topics_are_replaced_by_the_new_set(member, topic, other_topic, capture):
    member.topics.add(topic)
    with capture():
        preferences.update_preferences(member, topics=["offers"])
    assert list(member.topics.values_list("slug", flat=True)) == ["offers"]


def test_dropping_every_channel_marks_the_member_unsubscribed(member, capture):
    with capture():
        updated = preferences.update_preferences(member, channels={})
    assert updated.unsubscribed_at is not None
    assert channels_of(member) == {}
    with capture():
        back = preferences.update_preferences(member, channels={"email": "daily"})
    assert back.unsubscribed_at is None


def test_texts_wait_for_the_code_sent_to_the_number(member, capture, sms_outbox):
    with capture():
        updated = preferences.update_preferences(
            member, channels={"email": "immediate", "sms": "immediate"}, phone="07400 123456"
        )
    assert channels_of(member) == {"email": "immediate"}
    assert str(updated.phone) == "+447400123456" and updated.phone_confirmed_at is None
    assert [text.to for text in sms_outbox] == ["+447400123456"]

    with capture():
        service.verify_phone_code(updated, sms_outbox[-1].body[:6])
    assert channels_of(member) == {"email": "immediate", "sms": "immediate"}
    assert ConsentRecord.objects.get(member=member, channel="sms").source.endswith("number confirmed by code")


def test_a_new_number_withdraws_texts_until_its_code_is_entered(texter, capture, sms_outbox):
    assert channels_of(texter) == {"email": "immediate", "sms": "immediate"}
    sms_outbox.clear()

    with capture():
        updated = preferences.update_preferences(
            texter, channels={"email": "immediate", "sms": "immediate"}, phone="+44 7400 654321"
        )

    assert channels_of(texter) == {"email": "immediate"}
    assert updated.phone_confirmed_at is None and str(updated.phone) == "+447400654321"
    withdrawal = ConsentRecord.objects.filter(member=texter, channel="sms").last()
    assert withdrawal.action == "withdrawn" and "mobile number changed" in withdrawal.source
    assert [text.to for text in sms_outbox] == ["+447400654321"]

    with capture():
        service.verify_phone_code(updated, sms_outbox[-1].body[:6])
    assert channels_of(texter) == {"email": "immediate", "sms": "immediate"}
    assert [action for _, action in records_of(texter) if _ == "sms"] == ["granted", "withdrawn", "granted"]


def test_removing_the_number_withdraws_texts(texter, capture):
    with capture():
        preferences.update_preferences(texter, channels={"email": "immediate"}, phone="")
    texter.refresh_from_db()
    assert not texter.phone and texter.phone_confirmed_at is None
    assert channels_of(texter) == {"email": "immediate"}


@pytest.mark.parametrize(
    "url, message",
    [
        ("", "Please give the URL"),
        ("javascript:alert(1)", "is not a web address"),
        ("ftp://hooks.example.com/in", "is not a web address"),
        ("https://" + "a" * 500 + ".example.com/", "at most 500"),
    ],
)
def test_a_webhook_needs_a_real_web_address(member, url, message):
    with pytest.raises(MemberRejected) as refused:
        preferences.update_preferences(
            member, channels={"email": "immediate", "webhook": "immediate"}, webhook_url=url
        )
    assert refused.value.field == "webhook_url"
    assert message in refused.value.message
    assert channels_of(member) == {"email": "immediate"}
    assert records_of(member) == [("email", "granted")]


def test_a_webhook_keeps_its_url_and_a_new_url_is_not_a_new_consent(member, capture):
    with capture():
        preferences.update_preferences(
            member, channels={"webhook": "immediate"}, webhook_url="https://hooks.example.com/in"
        )
    webhook = Subscription.objects.get(member=member, channel="webhook")
    assert webhook.config == {"url": "https://hooks.example.com/in"}

    with capture():
        preferences.update_preferences(member, webhook_url="https://hooks.example.com/new")

    webhook.refresh_from_db()
    assert webhook.config == {"url": "https://hooks.example.com/new"}
    assert records_of(member) == [("email", "granted"), ("email", "withdrawn"), ("webhook", "granted")]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"channels": {"carrier-pigeon": "immediate"}}, "channels"),
        ({"channels": {"email": "hourly"}}, "channels"),
        ({"channels": "email"}, "channels"),
        ({"channels": {"sms": "immediate"}}, "phone"),
        ({"topics": ["no-such-topic"]}, "topics"),
        ({"topics": "baking"}, "topics"),
        ({"name": "x" * 101}, "name"),
        ({"phone": "01174 960000", "channels": {"sms": "immediate"}}, "phone"),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(member, topic, change, field):
    with pytest.raises(MemberRejected) as refused:
        preferences.update_preferences(member, **change)
    assert refused.value.field == field
    member.refresh_from_db()
    assert member.name == "Robin" and not member.phone
    assert channels_of(member) == {"email": "immediate"}
    assert records_of(member) == [("email", "granted")]


def test_an_unconfirmed_member_cannot_change_preferences(site):
    waiting = make_member(site, email="waiting@example.com", confirmed=False)
    with pytest.raises(MemberRejected, match="confirm your email address first"):
        preferences.update_preferences(waiting, channels={"email": "immediate"})
    assert not Subscription.objects.exists()


# --- unsubscribe -----------------------------------------------------------------------------


def test_leaving_one_channel_keeps_the_others(site, capture):
    robin = make_member(site, email="robin@example.com", channels={"email": "weekly", "rss": "immediate"})
    with capture():
        left = preferences.unsubscribe(robin, "rss", source="One-click link in an email")
    robin.refresh_from_db()
    assert left == 1
    assert channels_of(robin) == {"email": "weekly"}
    assert robin.unsubscribed_at is None
    withdrawal = ConsentRecord.objects.filter(member=robin).last()
    assert (withdrawal.channel, withdrawal.action, withdrawal.source) == (
        "rss", "withdrawn", "One-click link in an email"
    )

    with capture():
        preferences.unsubscribe(robin, "email")
    robin.refresh_from_db()
    assert robin.unsubscribed_at is not None


def test_leaving_everything_withdraws_each_channel_once(site, capture):
    robin = make_member(site, email="robin@example.com", channels={"email": "weekly", "rss": "immediate"})
    heard = Heard()
    with member_hooks.consent_changed.connected(heard), capture():
        left = preferences.unsubscribe(robin, ip_address="203.0.113.7")
    robin.refresh_from_db()
    assert left == 2
    assert channels_of(robin) == {}
    assert robin.unsubscribed_at is not None
    withdrawn = ConsentRecord.objects.filter(member=robin, action="withdrawn")
    assert sorted(withdrawn.values_list("channel", flat=True)) == ["email", "rss"]
    assert all(record.ip_address.startswith("sha256:") for record in withdrawn)
    assert sorted(call["channel"] for call in heard.calls if not call["granted"]) == ["email", "rss"]

    at = robin.unsubscribed_at
    with capture():
        assert preferences.unsubscribe(robin) == 0
    robin.refresh_from_db()
    assert robin.unsubscribed_at == at
    assert withdrawn.count() == 2


def test_leaving_also_drops_texts_still_waiting_for_their_code(member, capture, sms_outbox):
    with capture():
        preferences.update_preferences(
            member, channels={"email": "immediate", "sms": "immediate"}, phone="07400 123456"
        )
    with capture():
        preferences.unsubscribe(member)
    member.refresh_from_db()
    assert member.pending == {}
    with pytest.raises(MemberRejected, match="no code waiting"):
        service.verify_phone_code(member, sms_outbox[-1].body[:6])
    assert channels_of(member) == {}


def test_leaving_an_unknown_channel_is_refused(member):
    with pytest.raises(MemberRejected) as refused:
        preferences.unsubscribe(member, "fax")
    assert refused.value.field == "channel"
    assert channels_of(member) == {"email": "immediate"}


# --- export ------------------------------------------------------------------------------------


def test_the_export_holds_everything_kept_about_the_member(site, topic, section, capture):
    page = make_article(section, title="Spelt sourdough")
    with capture():
        service.signup(
            site, email="robin@example.com", name="Robin", channels={"email": "weekly", "webhook": "immediate"},
            webhook_url="https://hooks.example.com/robin", topics=["baking"], source=Source.BLOCK,
            source_page=page, ip_address="203.0.113.7",
        )
    with capture():
        member = service.confirm(last_link("confirm"))
    member.tags.add("regular")

    data = preferences.export_data(member)

    assert json.loads(json.dumps(data)) == data  # plain JSON
    assert data["site"] == "Copper Kettle"
    assert (data["email"], data["name"], data["phone"]) == ("robin@example.com", "Robin", "")
    assert data["stage"] == "prospect"
    assert data["source"] == "Signup block on a page"
    assert data["source_page"] == page.full_url
    assert data["confirmed_at"] and data["unsubscribed_at"] is None
    assert {c["channel"]: c["frequency"] for c in data["channels"]} == {"email": "weekly", "webhook": "immediate"}
    assert [c["url"] for c in data["channels"] if c["channel"] == "webhook"] == ["https://hooks.example.com/robin"]
    assert data["topics"] == [{"slug": "baking", "name": "Baking tips"}]
    assert data["tags"] == ["regular"]
    history = data["consent_history"]
    assert sorted((h["channel"], h["action"]) for h in history) == [("email", "granted"), ("webhook", "granted")]
    email = next(h for h in history if h["channel"] == "email")
    assert "email me" in email["wording"]
    assert "Spelt sourdough" in email["source"] and "confirmed by email" in email["source"]
    assert email["ip_address"].startswith("sha256:")


# --- erase -------------------------------------------------------------------------------------

ERASED_EMAIL = "Robin.Erase@Example.com"
ERASED_PHONE = "+447400123987"


def text_in_database(*needles: str) -> list[str]:
    """Every (model, field) whose stored value contains one of ``needles``
    (case-insensitive), across every table of every installed app."""
    found = []
    wanted = [needle.casefold() for needle in needles]
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [field.attname for field in model._meta.concrete_fields]
        for row in model._base_manager.values_list(*fields):
            for name, value in zip(fields, row):
                text = (value if isinstance(value, str) else json.dumps(value, default=str)).casefold()
                if any(needle in text for needle in wanted):
                    found.append(f"{model._meta.label}.{name}")
    return found


@pytest.fixture
def erasable(site, topic, capture, sms_outbox):
    """A confirmed member with email, texts, a topic, a tag and a consent history."""
    with capture():
        service.signup(
            site, email=ERASED_EMAIL, name="Robin", phone=ERASED_PHONE, topics=["baking"],
            channels={"email": "weekly", "sms": "immediate"}, ip_address="203.0.113.7",
        )
    with capture():
        member = service.confirm(last_link("confirm"))
    with capture():
        member = service.verify_phone_code(member, sms_outbox[-1].body[:6])
    member.tags.add("regular", "wholesale")
    assert channels_of(member) == {"email": "weekly", "sms": "immediate"}
    mail.outbox.clear()
    sms_outbox.clear()
    return member


def test_erasing_deletes_the_member_and_everything_about_them(erasable, django_capture_on_commit_callbacks):
    member_id = erasable.pk
    with django_capture_on_commit_callbacks(execute=True):
        preferences.erase(erasable)

    assert not Member.objects.filter(pk=member_id).exists()
    assert not Subscription.objects.filter(member_id=member_id).exists()
    assert not ConsentRecord.objects.filter(member_id=member_id).exists()
    assert not TaggedMember.objects.filter(content_object_id=member_id).exists()
    assert not Member.topics.through.objects.filter(member_id=member_id).exists()
    assert Topic.objects.filter(slug="baking").exists()  # the topic itself is not theirs


def test_erasing_keeps_only_keyed_hashes_of_the_address_and_number(
    site, erasable, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        preferences.erase(erasable)

    suppressed = list(Suppression.objects.filter(site=site).order_by("kind"))
    assert [(row.kind, row.reason) for row in suppressed] == [("email", "erased"), ("phone", "erased")]
    plain = [ERASED_EMAIL, ERASED_EMAIL.casefold(), "robin.erase", ERASED_PHONE, ERASED_PHONE[1:], "7400123987"]
    unkeyed = {hashlib.sha256(value.encode()).hexdigest() for value in plain}
    unkeyed |= {hashlib.md5(value.encode()).hexdigest() for value in plain}
    for row in suppressed:
        for field in Suppression._meta.concrete_fields:
            value = str(getattr(row, field.attname)).casefold()
            assert not any(address.casefold() in value for address in plain), field.name
            assert value not in unkeyed, field.name
    assert text_in_database(ERASED_EMAIL, "robin.erase@", "7400123987") == []
    assert consent.is_suppressed(site, Suppression.EMAIL, "ROBIN.ERASE@example.com")
    assert consent.is_suppressed(site, Suppression.PHONE, ERASED_PHONE)


def test_plugins_hear_of_the_erasure_after_it_is_committed(site, erasable, django_capture_on_commit_callbacks):
    member_id = erasable.pk
    heard = []

    def on_erased(site, email, member_id, **kwargs):
        heard.append((site, email, member_id, Member.objects.filter(pk=member_id).exists()))

    with member_hooks.member_erased.connected(on_erased):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            preferences.erase(erasable)
        assert heard == []  # nothing before the commit
        for callback in callbacks:
            callback()

    assert heard == [(site, "Robin.Erase@example.com", member_id, False)]


def test_an_erased_address_is_never_mailed_or_stored_again(site, erasable, capture, sms_outbox):
    with capture():
        preferences.erase(erasable)
    user = UserFactory(username="robin", email="ROBIN.ERASE@example.com")

    with capture():
        assert service.signup(site, email="robin.erase@EXAMPLE.com", channels={"email": "weekly"}) is None
        service.request_access(site, "Robin.Erase@example.com")
        assert preferences.record_contact(site, email="robin.erase@example.com", name="Robin") is None
        comment_hooks.comment_posted.send(
            site, page=site.root_page.specific, comment={"id": 1}, email=user.email, name="Robin",
            wants_replies=False,
        )

    assert Member.objects.count() == 0
    assert mail.outbox == [] and sms_outbox == []
    assert text_in_database("robin.erase@example.com") == ["auth.User.email"]


def test_an_erased_number_gets_no_more_texts(site, erasable, capture, sms_outbox):
    with capture():
        preferences.erase(erasable)
    with capture():
        service.signup(site, email="someone.else@example.com", phone=ERASED_PHONE, channels={"sms": "immediate"})
    with capture():
        member = service.confirm(last_link("confirm"))
    assert sms_outbox == []
    assert channels_of(member) == {}


# --- stages ----------------------------------------------------------------------------------


def test_marking_a_customer_announces_the_new_stage(member, capture):
    heard = Heard()
    with member_hooks.member_stage_changed.connected(heard):
        with capture():
            assert preferences.set_stage(member, Stage.CUSTOMER) is True
        with capture():
            assert preferences.set_stage(member, Stage.CUSTOMER) is False  # no change, no news

    member.refresh_from_db()
    assert member.stage == "customer"
    [call] = heard.calls
    assert (call["old_stage"], call["new_stage"], call["source"]) == ("prospect", "customer", "admin")
    assert call["member"]["email"] == "robin@example.com" and call["member"]["stage"] == "customer"


def test_an_unknown_stage_is_refused(member):
    with pytest.raises(MemberRejected) as refused:
        preferences.set_stage(member, "vip")
    assert refused.value.field == "stage"
    member.refresh_from_db()
    assert member.stage == "prospect"


def test_a_new_signup_is_announced_as_a_new_prospect(site, capture):
    heard = Heard()
    with member_hooks.member_stage_changed.connected(heard), capture():
        service.signup(site, email="ada@example.com")
    [call] = heard.calls
    assert (call["old_stage"], call["new_stage"], call["source"]) == (None, "prospect", "signup")


# --- contacts from comments ----------------------------------------------------------------


@pytest.fixture
def article(section, site):
    save_rules(site, CommentRules(hold_first_time=False))
    return make_article(section, title="Spelt sourdough")


def test_a_signed_in_commenter_becomes_a_contact_with_nothing_granted_or_sent(site, article, capture):
    user = UserFactory(username="priya", first_name="Priya", last_name="Nair", email="Priya@Example.com")
    heard = Heard()
    with member_hooks.member_stage_changed.connected(heard), capture():
        comment = posting.submit(site, article, text="Could I use spelt?", user=user)

    contact = Member.objects.get()
    assert (contact.email, contact.name, contact.stage, contact.source) == (
        "Priya@example.com", "Priya Nair", "contact", "comment"
    )
    assert contact.source_page_id == article.pk
    assert contact.source_detail == f"comment {comment.pk}"
    assert contact.confirmed_at is None
    assert channels_of(contact) == {} and records_of(contact) == []
    assert mail.outbox == []
    assert [(call["old_stage"], call["new_stage"], call["source"]) for call in heard.calls] == [
        (None, "contact", "comment")
    ]


def test_a_visitor_becomes_a_contact_only_once_their_comment_is_confirmed(site, article, capture):
    with capture():
        posting.submit(site, article, text="Lovely loaf", name="Tom", email="tom@example.com")
    assert not Member.objects.exists()  # the address is not verified yet
    [confirmation] = mail.outbox
    key = confirmation.body.split("/comments/confirm/")[1].split("/")[0]

    with capture():
        posting.confirm(key)

    assert Member.objects.get().stage == "contact"
    assert len(mail.outbox) == 1  # the members plugin sent nothing


def test_a_comment_never_moves_a_member_back_or_changes_their_name(site, member, capture):
    with capture():
        comment_hooks.comment_posted.send(
            site, page=site.root_page.specific, comment={"id": 9}, email="ROBIN@example.com", name="Someone",
            wants_replies=True,
        )
    member.refresh_from_db()
    assert (member.stage, member.name, Member.objects.count()) == ("prospect", "Robin", 1)


def test_a_contact_who_signs_up_becomes_a_prospect(site, capture):
    preferences.record_contact(site, email="tom@example.com", name="Tom")
    heard = Heard()
    with member_hooks.member_stage_changed.connected(heard), capture():
        service.signup(site, email="tom@example.com")
    assert Member.objects.get().stage == "prospect"
    assert [(call["old_stage"], call["new_stage"]) for call in heard.calls] == [("contact", "prospect")]


def test_an_unusable_commenter_address_is_ignored(site):
    assert preferences.record_contact(site, email="not an address", name="Tom") is None
    assert preferences.record_contact(site, email="tom@example.com", name="x" * 500) is None
    assert not Member.objects.exists()


# --- consent records ---------------------------------------------------------------------------


def test_consent_records_cannot_be_changed(member):
    record = ConsentRecord.objects.get(member=member)
    record.wording = "Something we never showed"
    with pytest.raises(TypeError, match="append-only"):
        record.save()
    with pytest.raises(TypeError, match="append-only"):
        ConsentRecord.objects.filter(member=member).update(wording="Rewritten")
    with pytest.raises(TypeError, match="append-only"):
        member.consent_records.update(action="withdrawn")
    # bulk_update runs in an atomic block without a savepoint: give it one.
    with pytest.raises(TypeError, match="append-only"), transaction.atomic():
        ConsentRecord.objects.bulk_update([record], ["wording"])
    assert ConsentRecord.objects.get(member=member).wording == "Test wording"


@pytest.mark.parametrize("mode", ["keep", "hash", "none"])
def test_consent_records_keep_the_ip_address_as_configured(settings, join, mode):
    settings.MEMBERS_CONSENT_IP = mode
    member = join(email="ada@example.com", ip_address="203.0.113.9")
    preferences.update_preferences(
        member, channels={"email": "immediate", "rss": "immediate"}, ip_address="203.0.113.9"
    )

    stored = set(ConsentRecord.objects.filter(member=member).values_list("ip_address", flat=True))
    assert ConsentRecord.objects.filter(member=member).count() == 2  # the signup's and the centre's
    if mode == "keep":
        assert stored == {"203.0.113.9"}
    elif mode == "none":
        assert stored == {""}
    else:
        [hashed] = stored
        assert hashed.startswith("sha256:") and len(hashed) == len("sha256:") + 32
        assert "203.0.113.9" not in hashed


def test_the_ip_hash_is_keyed(settings):
    settings.MEMBERS_CONSENT_IP = "hash"
    first = consent.stored_ip("203.0.113.9")
    settings.MEMBERS_HASH_KEY = "another-key"
    assert consent.stored_ip("203.0.113.9") != first
    assert hashlib.sha256(b"203.0.113.9").hexdigest()[:32] not in (first, consent.stored_ip("203.0.113.9"))


# --- signed tokens ---------------------------------------------------------------------------


def made_at(monkeypatch, moment: float, purpose: str, member, nonce: str = "") -> str:
    """A token signed as if at ``moment`` (signing reads time.time())."""
    with monkeypatch.context() as patched:
        patched.setattr(signing.time, "time", lambda: moment)
        return tokens.make(purpose, member, nonce)


def test_a_preferences_token_acts_for_its_member(member):
    assert service.member_for_token(tokens.make(tokens.PREFERENCES, member)) == member


@pytest.mark.parametrize("where", [10, 25, -3])
def test_a_changed_token_is_refused(member, where):
    token = tokens.make(tokens.PREFERENCES, member)
    tampered = token[:where] + ("A" if token[where] != "A" else "B") + token[where + 1:]
    with pytest.raises(MemberRejected, match="not valid"):
        service.member_for_token(tampered)


@pytest.mark.parametrize("token", ["", "nonsense", "a:b:c", "x" * 5000])
def test_garbage_tokens_are_refused(member, token):
    with pytest.raises(MemberRejected) as refused:
        service.member_for_token(token)
    assert refused.value.field == "token"


def test_a_token_signed_for_another_payload_is_refused(member):
    token = signing.dumps(["not", "a", "dict"], salt=f"{tokens.SALT}:{tokens.PREFERENCES}")
    with pytest.raises(MemberRejected, match="not valid"):
        service.member_for_token(token)


def test_an_expired_preferences_token_is_refused(settings, member, monkeypatch):
    settings.MEMBERS_PREFERENCES_TOKEN_DAYS = 1
    fresh = made_at(monkeypatch, time.time() - 23 * 3600, tokens.PREFERENCES, member)
    old = made_at(monkeypatch, time.time() - 25 * 3600, tokens.PREFERENCES, member)
    assert service.member_for_token(fresh) == member
    with pytest.raises(MemberRejected, match="expired"):
        service.member_for_token(old)


def test_an_expired_confirmation_link_is_refused_and_grants_nothing(settings, site, capture, monkeypatch):
    settings.MEMBERS_CONFIRMATION_DAYS = 2
    with capture():
        member = service.signup(site, email="ada@example.com")
    old = made_at(monkeypatch, time.time() - 3 * 86400, tokens.CONFIRM, member, member.confirmation_nonce)
    with pytest.raises(MemberRejected, match="expired"):
        service.confirm(old)
    member.refresh_from_db()
    assert member.confirmed_at is None and channels_of(member) == {}
    assert service.confirm(last_link("confirm")).confirmed_at is not None


def test_an_expired_magic_link_is_refused(settings, member, capture, monkeypatch):
    settings.MEMBERS_ACCESS_LINK_HOURS = 1
    with capture():
        service.request_access(member.site, member.email)
    member.refresh_from_db()
    old = made_at(monkeypatch, time.time() - 2 * 3600, tokens.ACCESS, member, member.access_nonce)
    with pytest.raises(MemberRejected, match="expired"):
        service.open_access_link(old)
    assert service.open_access_link(last_link("access")) == member


def test_a_token_only_works_for_what_it_was_made_for(site, capture):
    with capture():
        member = service.signup(site, email="ada@example.com")
    confirm_token = last_link("confirm")
    for use in (service.open_access_link, service.member_for_token):
        with pytest.raises(MemberRejected) as refused:
            use(confirm_token)
        assert not isinstance(refused.value, service.LinkAlreadyUsed)
    with pytest.raises(MemberRejected):
        service.confirm(tokens.make(tokens.PREFERENCES, member))
    member.refresh_from_db()
    assert member.confirmed_at is None


def test_raising_the_token_version_voids_preferences_tokens_and_magic_links(member, capture):
    preferences_token = tokens.make(tokens.PREFERENCES, member)
    with capture():
        service.request_access(member.site, member.email)
    access_token = last_link("access")

    Member.objects.filter(pk=member.pk).update(token_version=member.token_version + 1)

    with pytest.raises(MemberRejected, match="no longer exists"):
        service.member_for_token(preferences_token)
    with pytest.raises(MemberRejected, match="no longer exists"):
        service.open_access_link(access_token)
    member.refresh_from_db()
    assert service.member_for_token(tokens.make(tokens.PREFERENCES, member)) == member


def test_a_token_for_an_erased_member_is_refused(member, capture):
    token = tokens.make(tokens.PREFERENCES, member)
    with capture():
        preferences.erase(member)
    with pytest.raises(MemberRejected, match="no longer exists"):
        service.member_for_token(token)


# --- the magic link and request_access ---------------------------------------------------------


def test_a_magic_link_works_once(member, capture):
    with capture():
        service.request_access(member.site, "ROBIN@example.com")
    [message] = mail.outbox
    assert message.to == ["robin@example.com"]
    token = last_link("access")

    assert service.open_access_link(token) == member
    with pytest.raises(service.LinkAlreadyUsed):
        service.open_access_link(token)


def test_a_new_magic_link_replaces_the_last_one(member, capture):
    with capture():
        service.request_access(member.site, member.email)
    first = last_link("access")
    with capture():
        service.request_access(member.site, member.email)
    second = last_link("access")
    assert first != second
    with pytest.raises(service.LinkAlreadyUsed):
        service.open_access_link(first)
    assert service.open_access_link(second) == member


def test_asking_for_a_link_for_an_unknown_address_sends_and_stores_nothing(site, capture):
    with capture():
        assert service.request_access(site, "nobody@example.com") is None
    assert mail.outbox == []
    assert not Member.objects.exists()


def test_asking_for_a_link_before_confirming_sends_the_confirmation_again(site, capture):
    with capture():
        service.signup(site, email="ada@example.com", channels={"email": "weekly"})
    original = link_in(mail.outbox[0].body, "confirm")
    with capture():
        service.request_access(site, "ada@example.com")

    assert len(mail.outbox) == 2
    assert link_payload(mail.outbox[1].body) == link_payload(mail.outbox[0].body)
    assert "/members/access/" not in mail.outbox[1].body
    member = service.confirm(token_of(original))
    assert channels_of(member) == {"email": "weekly"}


def test_asking_for_a_link_is_rate_limited_per_address(settings, member, capture):
    settings.MEMBERS_RATE_PER_EMAIL = "2/h"
    with capture():
        service.request_access(member.site, member.email)
        service.request_access(member.site, member.email.upper())
    with pytest.raises(MemberRateLimited) as limited, capture():
        service.request_access(member.site, member.email)
    assert limited.value.retry_after > 0
    assert len(mail.outbox) == 2


def test_bad_addresses_asking_for_a_link_are_refused(site):
    with pytest.raises(MemberRejected) as refused:
        service.request_access(site, "not-an-address")
    assert refused.value.field == "email"


# --- the mobile number's code ------------------------------------------------------------------


@pytest.fixture
def awaiting_code(member, capture, sms_outbox):
    """``member`` asked for texts; the code went to their number."""
    with capture():
        preferences.update_preferences(
            member, channels={"email": "immediate", "sms": "immediate"}, phone="07400 123456"
        )
    member.refresh_from_db()
    member.code = sms_outbox[-1].body[:6]
    return member


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_the_code_may_be_typed_with_spaces(awaiting_code, capture):
    code = awaiting_code.code
    with capture():
        service.verify_phone_code(awaiting_code, f" {code[:3]} {code[3:]} ")
    assert "sms" in channels_of(awaiting_code)


def test_an_expired_code_is_refused(awaiting_code):
    past = timezone.now() - timezone.timedelta(seconds=1)
    Member.objects.filter(pk=awaiting_code.pk).update(phone_code_expires_at=past)
    with pytest.raises(MemberRejected, match="expired"):
        service.verify_phone_code(awaiting_code, awaiting_code.code)
    assert "sms" not in channels_of(awaiting_code)


def test_five_wrong_codes_lock_the_number_until_a_new_code(awaiting_code, capture, sms_outbox):
    for attempt in range(1, 6):
        with pytest.raises(MemberRejected, match="not right") as refused:
            service.verify_phone_code(awaiting_code, wrong(awaiting_code.code))
        # The count is stored even though the call raised.
        assert Member.objects.get(pk=awaiting_code.pk).phone_code_attempts == attempt
        assert f"{5 - attempt} tr" in refused.value.message

    with pytest.raises(MemberRejected, match="Too many wrong codes"):
        service.verify_phone_code(awaiting_code, awaiting_code.code)
    assert "sms" not in channels_of(awaiting_code)

    with capture():
        service.request_new_phone_code(awaiting_code)
    new_code = sms_outbox[-1].body[:6]
    with capture():
        service.verify_phone_code(awaiting_code, new_code)
    assert "sms" in channels_of(awaiting_code)


def test_an_old_code_stops_working_once_a_new_one_is_sent(awaiting_code, capture, sms_outbox):
    old = awaiting_code.code
    with capture():
        service.request_new_phone_code(awaiting_code)
    new = sms_outbox[-1].body[:6]
    if new != old:
        with pytest.raises(MemberRejected, match="not right"):
            service.verify_phone_code(awaiting_code, old)
    with capture():
        service.verify_phone_code(awaiting_code, new)
    assert "sms" in channels_of(awaiting_code)


def test_every_code_texted_to_a_number_counts_against_its_limit(settings, member, capture, sms_outbox):
    settings.MEMBERS_PHONE_CODES_PER_NUMBER = "3/h"
    with capture():
        preferences.update_preferences(
            member, channels={"email": "immediate", "sms": "immediate"}, phone="07400 123456"
        )
    member.refresh_from_db()
    with capture():
        service.request_new_phone_code(member)
        service.request_new_phone_code(member)
    assert len(sms_outbox) == 3  # the first code and two more
    with pytest.raises(MemberRateLimited) as limited, capture():
        service.request_new_phone_code(member)
    assert limited.value.retry_after > 0
    assert len(sms_outbox) == 3


def test_no_code_is_sent_when_none_is_awaited(member, sms_outbox):
    with pytest.raises(MemberRejected, match="no number waiting"):
        service.request_new_phone_code(member)
    with pytest.raises(MemberRejected, match="no code waiting"):
        service.verify_phone_code(member, "123456")
    assert sms_outbox == []


# --- signup: repeats, limits, lengths ------------------------------------------------------------


def test_signing_up_again_keeps_one_member_and_sends_the_same_link(site, topic, capture):
    with capture():
        first = service.signup(site, email="ada@example.com", name="Ada", channels={"email": "weekly"})
    with capture():
        again = service.signup(
            site, email="ADA@example.com", name="Ada L.", channels={"email": "daily"}, topics=["baking"]
        )

    assert first.pk == again.pk and Member.objects.count() == 1
    assert len(mail.outbox) == 2
    assert link_payload(mail.outbox[0].body) == link_payload(mail.outbox[1].body)
    assert ConsentRecord.objects.count() == 0
    member = service.confirm(last_link("confirm"))
    assert channels_of(member) == {"email": "daily"}  # the latest request wins
    assert member.name == "Ada L." and list(member.topics.values_list("slug", flat=True)) == ["baking"]


def test_a_confirmed_member_signing_up_again_confirms_the_change_by_email(join, site, capture):
    member = join(email="ada@example.com", channels={"email": "weekly"})
    with capture():
        service.signup(site, email="ada@example.com", channels={"email": "weekly", "rss": "immediate"})
    assert "asked to change" in mail.outbox[-1].body
    assert channels_of(member) == {"email": "weekly"}  # nothing granted before the link
    with capture():
        service.confirm(last_link("confirm"))
    assert channels_of(member) == {"email": "weekly", "rss": "immediate"}
    assert records_of(member) == [("email", "granted"), ("rss", "granted")]


def test_signups_past_the_per_address_limit_are_refused_and_send_nothing(settings, site, capture):
    settings.MEMBERS_RATE_PER_EMAIL = "3/h"
    for _ in range(3):
        with capture():
            service.signup(site, email="ada@example.com", name="Ada")
    with pytest.raises(MemberRateLimited) as limited, capture():
        service.signup(site, email="Ada@Example.com", name="Someone else")

    assert limited.value.retry_after > 0
    assert "nothing was changed" in limited.value.message
    assert len(mail.outbox) == 3
    assert Member.objects.get().pending["name"] == "Ada"


def test_signups_past_the_per_ip_limit_are_refused(settings, site, capture):
    settings.MEMBERS_RATE_PER_IP = "2/m"
    with capture():
        service.signup(site, email="a@example.com", ip_address="203.0.113.7")
        service.signup(site, email="b@example.com", ip_address="203.0.113.7")
    with pytest.raises(MemberRateLimited):
        service.signup(site, email="c@example.com", ip_address="203.0.113.7")
    assert Member.objects.count() == 2
    service.signup(site, email="c@example.com", ip_address="198.51.100.1")  # another network


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"name": "x" * 101}, "name"),
        ({"email": "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 58 + ".com"}, "email"),
        ({"consent_text": "y" * 2001}, "consent_text"),
        ({"source_detail": "z" * 201}, "source_detail"),
        ({"name": "Ada\x00"}, "name"),
        ({"channels": {}}, "channels"),
        ({"topics": [f"t{n}" for n in range(51)]}, "topics"),
    ],
)
def test_too_long_or_bad_fields_are_refused_and_nothing_is_written(site, capture, fields, field):
    fields = {"email": "ada@example.com", **fields}
    if field == "email":
        assert len(fields["email"]) == 255
    with pytest.raises(MemberRejected) as refused, capture():
        service.signup(site, **fields)
    assert refused.value.field == field
    assert not Member.objects.exists() and not ConsentRecord.objects.exists()
    assert mail.outbox == []


def test_fields_at_their_limits_are_accepted(site, capture):
    with capture():
        member = service.signup(site, email="ada@example.com", name="x" * 100, consent_text="y" * 2000)
    member = service.confirm(last_link("confirm"))
    assert len(member.name) == 100
    assert ConsentRecord.objects.get(member=member).wording == "y" * 2000


def test_saving_preferences_again_sends_no_new_code_and_keeps_the_wrong_tries(
    awaiting_code, capture, sms_outbox
):
    for _ in range(5):
        with pytest.raises(MemberRejected, match="not right"):
            service.verify_phone_code(awaiting_code, wrong(awaiting_code.code))
    with capture():
        preferences.update_preferences(awaiting_code, channels={"email": "weekly", "sms": "immediate"})

    assert len(sms_outbox) == 1  # only "send a new code", which is rate-limited, sends another
    assert Member.objects.get(pk=awaiting_code.pk).phone_code_attempts == 5
    with pytest.raises(MemberRejected, match="Too many wrong codes"):
        service.verify_phone_code(awaiting_code, awaiting_code.code)


def test_codes_sent_by_changing_the_number_count_against_each_number(settings, member, capture, sms_outbox):
    settings.MEMBERS_PHONE_CODES_PER_NUMBER = "2/h"
    wanted = {"email": "immediate", "sms": "immediate"}
    for number in ("07400 111111", "07400 222222", "07400 111111", "07400 222222"):
        with capture():
            preferences.update_preferences(member, channels=wanted, phone=number)
    assert len(sms_outbox) == 4

    with pytest.raises(MemberRateLimited), capture():
        preferences.update_preferences(member, channels=wanted, phone="07400 111111")

    assert len(sms_outbox) == 4
    member.refresh_from_db()
    assert str(member.phone) == "+447400222222"  # nothing was changed


def test_leaving_one_channel_keeps_a_code_waiting_for_another(member, capture, sms_outbox):
    with capture():
        preferences.update_preferences(
            member, channels={"email": "immediate", "rss": "immediate", "sms": "immediate"}, phone="07400 123456"
        )
    with capture():
        preferences.unsubscribe(member, "rss")
    with capture():
        service.verify_phone_code(member, sms_outbox[-1].body[:6])
    assert channels_of(member) == {"email": "immediate", "sms": "immediate"}


def test_leaving_the_channel_a_code_waits_for_cancels_the_code(member, capture, sms_outbox):
    with capture():
        preferences.update_preferences(
            member, channels={"email": "immediate", "sms": "immediate"}, phone="07400 123456"
        )
    with capture():
        preferences.unsubscribe(member, "sms")
    with pytest.raises(MemberRejected, match="no code waiting"):
        service.verify_phone_code(member, sms_outbox[-1].body[:6])
    assert channels_of(member) == {"email": "immediate"}
