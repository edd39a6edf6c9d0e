"""A visitor signs up for email and text messages on one topic, confirms
through the link in the email the site sent (through a real SMTP server)
and the code texted to them, changes their preferences in the preference
centre, and unsubscribes from everything."""
import re
import time

from playwright.sync_api import expect

from .conftest import E2E, emailed_link

pytestmark = E2E

CONFIRM_LINK = re.compile(r"https?://\S+/members/confirm/[^\s/]+/")
EMAIL = "juniper@example.com"


def confirmation_link(smtp_server, email):
    return emailed_link(smtp_server, email, CONFIRM_LINK)


def texted_code(number):
    from hearthside import sms

    for _ in range(50):
        for message in sms.outbox:
            if message.to == number:
                return re.search(r"\b(\d{6})\b", message.body).group(1)
        time.sleep(0.2)
    raise AssertionError(f"no code was texted to {number}")


def test_visitor_signs_up_confirms_changes_preferences_and_leaves(
    visitor, live_server, demo, smtp_server, screenshot
):
    from hearthside import sms
    from plugins.members.models import ConsentRecord, Member, Topic

    sms.outbox.clear()
    topic = Topic.objects.filter(subscribable=True).order_by("sort_order", "name").first()
    assert topic is not None, "the demo should have subscribable topics"

    # Sign up from the footer's "more options" link.
    visitor.goto(live_server.url + demo.article.path)
    visitor.locator(".slot-region--footer").get_by_role("link", name=re.compile("more options", re.I)).click()
    expect(visitor).to_have_url(re.compile(r"/members/signup/"))
    form = visitor.locator("form.members-form")
    form.get_by_label("Email address").fill(EMAIL)
    form.get_by_label("Your name (optional)").fill("Juniper")
    form.get_by_label("Email", exact=True).check()
    form.get_by_label("Text message").check()
    form.get_by_label("Mobile number").fill("07400 123456")
    form.get_by_label(topic.name).check()
    screenshot(visitor, "signup-form")
    form.get_by_role("button", name="Sign up").click()
    expect(visitor.get_by_text(re.compile("check your inbox", re.I)).first).to_be_visible()
    member = Member.objects.get(email=EMAIL)
    assert member.confirmed_at is None and not member.subscriptions.exists()

    # The link only shows a button: mail scanners that follow it confirm nobody.
    visitor.goto(confirmation_link(smtp_server, EMAIL))
    member.refresh_from_db()
    assert member.confirmed_at is None
    visitor.get_by_role("button", name="Confirm my subscription").click()

    # Email is granted at once; texts wait for the code.
    visitor.get_by_label(re.compile("6-digit code")).fill(texted_code("+447400123456"))
    visitor.get_by_role("button", name="Confirm my number").click()
    expect(visitor.get_by_role("heading", name="Your preferences")).to_be_visible()
    current = visitor.locator(".members-current")
    expect(current).to_contain_text("Email")
    expect(current).to_contain_text("Text message")
    assert set(member.subscriptions.values_list("channel", flat=True)) == {"email", "sms"}
    assert list(member.topics.values_list("slug", flat=True)) == [topic.slug]

    # Change preferences: a weekly digest instead of every email.
    choices = visitor.locator("form.members-form", has=visitor.get_by_role("button", name="Save my choices"))
    choices.get_by_label(re.compile(r"How often.*Email")).select_option("weekly")
    choices.get_by_role("button", name="Save my choices").click()
    expect(visitor.get_by_text(re.compile("saved", re.I)).first).to_be_visible()
    assert member.subscriptions.get(channel="email").frequency == "weekly"
    screenshot(visitor, "preferences")

    # Unsubscribe from everything.
    visitor.get_by_role("button", name="Unsubscribe from everything").click()
    expect(visitor.get_by_text(re.compile("unsubscribed", re.I)).first).to_be_visible()
    member.refresh_from_db()
    assert not member.subscriptions.exists()
    assert member.unsubscribed_at is not None
    withdrawn = set(
        ConsentRecord.objects.filter(member=member, action="withdrawn").values_list("channel", flat=True)
    )
    assert withdrawn == {"email", "sms"}
    screenshot(visitor, "unsubscribed")
