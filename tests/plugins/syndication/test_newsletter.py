"""Newsletters from the page editor's Newsletter tab (wagtail-newsletter)
with Hearthside's own backend: audiences are the members plugin's topic
lists and segments; saving holds a campaign, sending and scheduling let it
go through the outbox to that audience only; a test message goes at once
to one address; the report counts the rows; bad input is refused clearly
and changes nothing."""
from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from email.utils import parseaddr
from html import unescape

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield
from wagtail_newsletter.campaign_backends import CampaignBackendError, get_backend
from wagtail_newsletter.models import NewsletterRecipients

from hearthside.models import ArticlePage, HomePage, SiteBranding
from hearthside.newsletters import UnavailableCampaignBackend
from plugins.members.models import Member, Stage, Topic
from plugins.syndication import fanout, newsletter, outbox
from plugins.syndication.models import (
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    EventKind,
    Update,
    UpdateKind,
    UpdateStatus,
)
from tests.factories import make_article, make_offer
from tests.plugins.members.factories import make_member
from tests.support.forms import posted_fields

pytestmark = pytest.mark.django_db


def parsed(message):
    return message_from_bytes(message.as_bytes(), policy=policy.default)


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.fixture
def baking(site, journal):
    return Topic.objects.create(site=site, name="Baking tips", slug="baking", section=journal)


@pytest.fixture
def people(site, baking):
    """Two followers of Baking tips (one a customer), one reader of
    everything, and three a newsletter never reaches."""
    ada = make_member(site, email="ada@example.com", name="Ada", channels={"email": "immediate"},
                      topics=["baking"], stage=Stage.CUSTOMER)
    bo = make_member(site, email="bo@example.com", channels={"email": "weekly"}, topics=["baking"])
    cy = make_member(site, email="cy@example.com", name="Cy", channels={"email": "daily"})
    make_member(site, email="unconfirmed@example.com", channels={"email": "immediate"}, topics=["baking"],
                confirmed=False)
    make_member(site, email="texts@example.com", phone="+447700900123", channels={"sms": "immediate"},
                topics=["baking"])
    left = make_member(site, email="left@example.com", channels={"email": "immediate"}, topics=["baking"])
    Member.objects.filter(pk=left.pk).update(unsubscribed_at=timezone.now())
    return {"ada": ada, "bo": bo, "cy": cy}


@pytest.fixture
def article(journal):
    return make_article(journal, title="Spring sourdough class",
                        body=[("paragraph", "<p>Join us on Saturday for <a href=\"/journal/\">bread</a>.</p>")])


@pytest.fixture
def bakers(site):
    return NewsletterRecipients.objects.create(name="Bakers", audience=f"{site.pk}:topic:baking")


@pytest.fixture
def everyone(site):
    return NewsletterRecipients.objects.create(name="Everyone", audience=f"{site.pk}:everyone")


def edit_url(page) -> str:
    return f"/admin/pages/{page.pk}/edit/"


def edit_form_data(html: str) -> dict:
    """The edit form's fields as a browser posts them, minus the StreamField
    body (its inputs are built by JavaScript) and the dialogs' own fields."""
    form = BeautifulSoup(html, "html.parser").find("form", id="page-edit-form")
    return {name: value for name, value in posted_fields(form).items() if not name.startswith("newsletter-")}


def newsletter_action(client, page, action, *, recipients=None, subject=None, body=None, title=None, **extra):
    """Press a Newsletter tab button: the page editor posts the whole form
    (saving a draft) with ``newsletter-action``, as the tab's dialogs do."""
    data = edit_form_data(client.get(edit_url(page)).content.decode())
    data.update(nested_form_data({"body": streamfield([("paragraph", rich_text(body or "<p>Fresh bread.</p>"))])}))
    if recipients is not None:
        data["newsletter_recipients"] = str(recipients.pk)
    if subject is not None:
        data["newsletter_subject"] = subject
    if title is not None:
        data["title"] = title
    data["newsletter-action"] = action
    data.update(extra)
    return client.post(edit_url(page), data, follow=True)


def messages_of(response) -> list[str]:
    return [unescape(str(message)).strip() for message in response.context["messages"]]


def campaign_of(page) -> Update:
    page = Page.objects.get(pk=page.pk).specific
    return Update.objects.get(pk=int(page.newsletter_campaign))


# -- the tab ----------------------------------------------------------------------------------------


def test_articles_and_offers_have_the_newsletter_tab_and_other_pages_do_not(admin_client, site, article):
    offer = make_offer(site.root_page)
    for page in (article, offer):
        html = admin_client.get(edit_url(page)).content.decode()
        assert 'name="newsletter_recipients"' in html and 'name="newsletter_subject"' in html
        assert "Save campaign to Hearthside" in html and "Send test email" in html
    assert 'name="newsletter_recipients"' not in admin_client.get(edit_url(site.root_page)).content.decode()
    assert get_backend().name == "Hearthside"


def test_only_those_who_may_publish_the_page_see_the_campaign_buttons(client, site, article, editor, moderator):
    client.force_login(moderator)
    assert "Send campaign" in client.get(edit_url(article)).content.decode()
    client.force_login(editor)  # editors draft pages; moderators publish them
    html = client.get(edit_url(article)).content.decode()
    assert "Send campaign" not in html and "Save campaign to Hearthside" not in html


def test_the_newsletter_template_shows_the_page_as_the_business_sends_it(site, article):
    SiteBranding.objects.update_or_create(site=site, defaults={"brand_name": "The Copper Kettle Bakery"})
    page = ArticlePage.objects.get(pk=article.pk)

    html = page.get_newsletter_html()  # what the editor's "Newsletter" preview shows

    assert page.get_newsletter_template() == "hearthside/newsletter/article_page.html"
    assert "The Copper Kettle Bakery" in html and "Spring sourdough class" in html and "Join us on Saturday" in html
    assert "Hello," in html and "Unsubscribe" not in html  # a preview is nobody's copy
    offer = make_offer(site.root_page, title="Two loaves", price_text="2 for £5", cta_url="https://shop.example/")
    offer_html = offer.get_newsletter_html()
    assert "2 for £5" in offer_html and 'href="https://shop.example/"' in offer_html


# -- audiences --------------------------------------------------------------------------------------


def test_audiences_are_everyone_and_each_topics_followers_with_their_counts(site, people):
    backend = get_backend()

    audiences = {audience.id: audience for audience in backend.get_audiences()}

    assert sorted(audiences) == [f"{site.pk}:everyone", f"{site.pk}:topic:baking"]
    assert audiences[f"{site.pk}:everyone"].member_count == 3
    assert audiences[f"{site.pk}:topic:baking"].member_count == 2
    assert audiences[f"{site.pk}:topic:baking"].name == "Following “Baking tips”"
    segments = {s.id: s.member_count for s in backend.get_audience_segments(f"{site.pk}:topic:baking")}
    assert segments[f"{site.pk}:topic:baking/stage:customer"] == 1
    assert segments[f"{site.pk}:topic:baking/stage:prospect"] == 1


def test_the_recipients_chooser_and_count_come_from_the_members(admin_client, site, people, bakers):
    chooser = admin_client.get(reverse("audience_chooser:choose"))
    assert chooser.status_code == 200
    rows = BeautifulSoup(chooser.json()["html"], "html.parser").find_all("tr")
    listed = [" ".join(row.get_text(" ", strip=True).split()) for row in rows]
    assert "Following “Baking tips” 2" in listed and "Everyone on the email list 3" in listed

    counted = admin_client.get(reverse("wagtail_newsletter:recipients"), {"pk": bakers.pk}).json()
    assert counted == {"name": "Bakers", "member_count": 2}


def test_a_segment_must_belong_to_its_audience(site, people):
    good = NewsletterRecipients(name="Baking customers", audience=f"{site.pk}:topic:baking",
                                segment=f"{site.pk}:topic:baking/stage:customer")
    good.full_clean()
    assert good.member_count == 1
    wrong = NewsletterRecipients(name="Mixed", audience=f"{site.pk}:topic:baking",
                                 segment=f"{site.pk}:everyone/stage:customer")
    with pytest.raises(Exception, match="segment is not part of the selected audience"):
        wrong.full_clean()


def test_each_site_offers_its_own_members_and_says_whose_they_are(site, people):
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Mill", slug="mill", hero_title="Flour"))
    mill = Site.objects.create(hostname="mill.example", port=80, root_page=home, site_name="The Mill")
    make_member(mill, email="miller@example.com", channels={"email": "immediate"})

    audiences = {audience.id: audience for audience in get_backend().get_audiences()}

    assert audiences[f"{mill.pk}:everyone"].member_count == 1
    assert audiences[f"{mill.pk}:everyone"].name == "The Mill: Everyone on the email list"
    assert audiences[f"{site.pk}:everyone"].member_count == 3


def test_audiences_cost_a_fixed_number_of_queries(site, people):
    for n in range(30):
        make_member(site, email=f"reader{n}@example.com", channels={"email": "immediate"}, topics=["baking"])
    get_backend().get_audiences()  # the plugins' activation is cached from here on
    with CaptureQueriesContext(connection) as few:
        get_backend().get_audiences()
    for n in range(30, 90):
        make_member(site, email=f"reader{n}@example.com", channels={"email": "immediate"}, topics=["baking"])
    with CaptureQueriesContext(connection) as many:
        audiences = get_backend().get_audiences()
    assert len(many) == len(few)
    assert {a.id: a.member_count for a in audiences}[f"{site.pk}:topic:baking"] == 92


# -- save, send, schedule ---------------------------------------------------------------------------


def test_saving_the_campaign_holds_one_newsletter_and_sends_nothing(admin_client, site, article, people, bakers,
                                                                    smtp_server, admin_user):
    response = newsletter_action(admin_client, article, "save_campaign", recipients=bakers, subject="Bake with us")

    assert "Newsletter campaign 'Bake with us' has been saved to Hearthside" in messages_of(response)
    update = campaign_of(article)
    assert (update.kind, update.status, update.title, update.site, update.page_id) == (
        UpdateKind.NEWSLETTER, UpdateStatus.HELD, "Bake with us", site, article.pk)
    assert update.audience["audience"] == "topic:baking" and update.audience["segment"] is None
    assert update.channels == ["email"] and update.track is False and update.created_by == admin_user
    assert not Delivery.objects.filter(update=update).exists() and smtp_server.messages() == []

    newsletter_action(admin_client, article, "save_campaign", recipients=bakers, subject="Bake with us on Saturday")
    assert Update.objects.filter(kind=UpdateKind.NEWSLETTER).count() == 1  # saved again, not a second campaign
    assert campaign_of(article).title == "Bake with us on Saturday"


def test_sending_reaches_the_audiences_members_only_each_with_their_own_copy(
    admin_client, site, article, people, bakers, smtp_server, django_capture_on_commit_callbacks
):
    SiteBranding.objects.update_or_create(site=site, defaults={"email": "bakery@example.com"})
    with django_capture_on_commit_callbacks(execute=True):
        response = newsletter_action(admin_client, article, "send_campaign", recipients=bakers,
                                     subject="Bake with us", body="<p>Rye, spelt and <b>patience</b>.</p>")

    assert "Newsletter campaign is now sending" in messages_of(response)
    update = campaign_of(article)
    assert update.status == UpdateStatus.SENT
    assert sorted(Delivery.objects.filter(update=update).values_list("member_id", "status")) == sorted(
        [(people["ada"].pk, DeliveryStatus.SENT), (people["bo"].pk, DeliveryStatus.SENT)]
    ), "the baking followers only, the weekly reader at once too"
    messages = {parsed(m)["To"]: parsed(m) for m in smtp_server.messages()}
    assert sorted(messages) == ["Ada <ada@example.com>", "bo@example.com"]
    ada = messages["Ada <ada@example.com>"]
    assert ada["Subject"] == "Bake with us"
    assert parseaddr(ada["From"]) == ("Copper Kettle", "hello@hearthside.localhost")
    assert ada["Reply-To"] == "bakery@example.com"
    assert ada["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert ada["List-Unsubscribe"].strip().startswith("<http://testserver/members/unsubscribe/")
    html = html_of(ada)
    assert "Hi Ada," in html and "Hello," in html_of(messages["bo@example.com"])
    assert "Rye, spelt and" in html and "patience" in html  # the draft just saved, not the live page
    assert 'style="' in html  # CSS inlined
    assert f'href="{article.full_url}"' in html and "/syndication/o/" not in html
    assert ada["List-Unsubscribe"].strip().strip("<>") in html  # the footer's link is the member's own
    text = text_of(ada)
    assert "Hi Ada," in text and "Rye, spelt and patience." in text and article.full_url in text
    sent_ids = set(Delivery.objects.filter(update=update).values_list("message_id", flat=True))
    assert sent_ids == {m["Message-ID"] for m in messages.values()}

    tab = admin_client.get(edit_url(article)).content.decode()
    assert "<b>Status:</b> Sent" in tab and 'data-report="sent">2<' in tab and 'data-report="delivered">2<' in tab
    assert "Opens and clicks are not counted" in tab and "Send campaign" not in tab


def test_a_segment_narrows_the_audience(admin_client, site, article, people, smtp_server,
                                        django_capture_on_commit_callbacks):
    customers = NewsletterRecipients.objects.create(
        name="Customers", audience=f"{site.pk}:everyone", segment=f"{site.pk}:everyone/stage:customer")
    with django_capture_on_commit_callbacks(execute=True):
        newsletter_action(admin_client, article, "send_campaign", recipients=customers)

    assert [parsed(m)["To"] for m in smtp_server.messages()] == ["Ada <ada@example.com>"]
    assert campaign_of(article).audience["segment"] == "stage:customer"


def test_scheduling_waits_for_its_time_and_sends_what_was_scheduled(
    admin_client, site, article, people, everyone, smtp_server, django_capture_on_commit_callbacks
):
    when = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = newsletter_action(admin_client, article, "schedule_campaign", recipients=everyone,
                                     body="<p>The scheduled words.</p>",
                                     **{"newsletter-schedule-schedule_time": when.strftime("%Y-%m-%d %H:%M")})
    assert any(m.startswith("Campaign scheduled to send at") for m in messages_of(response)), messages_of(response)
    update = campaign_of(article)
    assert (update.status, update.send_at) == (UpdateStatus.SCHEDULED, when)
    assert smtp_server.messages() == [] and not Delivery.objects.filter(update=update).exists()
    tab = admin_client.get(edit_url(article)).content.decode()
    assert "Unschedule" in tab and "Send campaign" not in tab

    # An editor keeps working on the page; the scheduled newsletter keeps what was scheduled.
    data = edit_form_data(admin_client.get(edit_url(article)).content.decode())
    data.update(nested_form_data({"body": streamfield([("paragraph", rich_text("<p>Later draft.</p>"))])}))
    admin_client.post(edit_url(article), data)

    assert fanout.fan_out(update.pk, now=when - timedelta(minutes=1)) is None  # not yet
    assert fanout.fan_out(update.pk, now=when + timedelta(seconds=1)) == 3
    outbox.run(now=when + timedelta(seconds=2))
    messages = [parsed(m) for m in smtp_server.messages()]
    assert len(messages) == 3
    assert all("The scheduled words." in html_of(m) and "Later draft." not in html_of(m) for m in messages)


def test_unscheduling_holds_the_campaign_again(admin_client, site, article, people, everyone,
                                               django_capture_on_commit_callbacks):
    when = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        newsletter_action(admin_client, article, "schedule_campaign", recipients=everyone,
                          **{"newsletter-schedule-schedule_time": when.strftime("%Y-%m-%d %H:%M")})

    response = admin_client.post(reverse("wagtail_newsletter:unschedule", args=[article.pk]), follow=True)

    assert "Campaign successfully unscheduled" in messages_of(response)
    update = campaign_of(article)
    assert update.status == UpdateStatus.HELD
    assert fanout.fan_out(update.pk, now=when + timedelta(minutes=1)) is None  # nothing goes at the old time


def test_a_test_message_goes_at_once_to_one_address_and_nowhere_else(
    admin_client, site, article, people, bakers, smtp_server
):
    response = newsletter_action(admin_client, article, "send_test_email", recipients=bakers, subject="Bake with us",
                                 body="<p>Testing the crust.</p>",
                                 **{"newsletter-test-email": "owner@example.com"})

    assert "Test message sent to 'owner@example.com'" in messages_of(response)
    [message] = [parsed(m) for m in smtp_server.messages()]
    assert message["To"] == "owner@example.com"
    assert message["Subject"] == "[Test] Bake with us"
    assert parseaddr(message["From"]) == ("Copper Kettle", "hello@hearthside.localhost")
    for header in ("Message-ID", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Precedence"):
        assert message[header], header
    html = html_of(message)
    assert "Hello," in html and "Testing the crust." in html and "@@hs-" not in html
    assert "@@hs-" not in text_of(message)
    update = campaign_of(article)
    assert update.status == UpdateStatus.HELD and not Delivery.objects.filter(update=update).exists()


# -- the report ---------------------------------------------------------------------------------------


def test_the_report_counts_the_rows_and_who_unsubscribed_after_it(
    admin_client, client, site, article, people, everyone, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        newsletter_action(admin_client, article, "send_campaign", recipients=everyone)
    update = campaign_of(article)
    messages = {parsed(m)["To"]: parsed(m) for m in smtp_server.messages()}
    # Cy leaves with the message's own one-click link; Bo's message bounces afterwards.
    unsubscribe = messages["Cy <cy@example.com>"]["List-Unsubscribe"].strip().strip("<>")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(unsubscribe, {"List-Unsubscribe": "One-Click"}).status_code == 200
    bo = Delivery.objects.get(update=update, member_id=people["bo"].pk)
    from plugins.syndication import events

    events.record_event(site, kind=EventKind.BOUNCED, channel="email", address="bo@example.com",
                        message_id=bo.message_id, provider="webhook")

    report = get_backend().get_campaign(str(update.pk)).get_report()

    assert {key: report[key] for key in ("sent", "delivered", "bounced", "unsubscribed", "failed", "waiting")} == {
        "sent": 3, "delivered": 2, "bounced": 1, "unsubscribed": 1, "failed": 0, "waiting": 0}
    assert "opens" not in report and "clicks" not in report and report["tracked"] is False
    assert report["sent"] == Delivery.objects.filter(
        update=update, status__in=[DeliveryStatus.SENT, DeliveryStatus.BOUNCED]).count()
    assert report["unsubscribed"] == DeliveryEvent.objects.filter(update=update, kind=EventKind.UNSUBSCRIBED).count()
    tab = admin_client.get(edit_url(article)).content.decode()
    assert 'data-report="bounced">1<' in tab and 'data-report="unsubscribed">1<' in tab


# -- refused, with the reason ------------------------------------------------------------------------


def test_sending_to_an_audience_the_site_does_not_have_is_refused(admin_client, site, article, people,
                                                                 smtp_server, django_capture_on_commit_callbacks):
    gone = NewsletterRecipients.objects.create(name="Cake lovers", audience=f"{site.pk}:topic:cakes")
    with django_capture_on_commit_callbacks(execute=True):
        response = newsletter_action(admin_client, article, "send_campaign", recipients=gone)

    assert "Copper Kettle has no audience “topic:cakes” (any more): choose other recipients." in messages_of(response)
    assert not Update.objects.filter(kind=UpdateKind.NEWSLETTER).exists()
    assert smtp_server.messages() == [] and not Delivery.objects.exists()

    # An audience that goes away after the campaign was saved is refused when it is sent.
    cakes = Topic.objects.create(site=site, name="Cakes", slug="cakes")
    make_member(site, email="cake@example.com", channels={"email": "immediate"}, topics=["cakes"])
    newsletter_action(admin_client, article, "save_campaign", recipients=gone)
    cakes.delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = newsletter_action(admin_client, article, "send_campaign", recipients=gone)
    assert "Copper Kettle has no audience “topic:cakes” (any more): choose other recipients." in messages_of(response)
    assert campaign_of(article).status == UpdateStatus.HELD and not Delivery.objects.exists()


def test_sending_to_nobody_or_without_recipients_is_refused(admin_client, site, article, people, smtp_server,
                                                            django_capture_on_commit_callbacks):
    Topic.objects.create(site=site, name="Cakes", slug="cakes")
    empty = NewsletterRecipients.objects.create(name="Cake lovers", audience=f"{site.pk}:topic:cakes")
    with django_capture_on_commit_callbacks(execute=True):
        response = newsletter_action(admin_client, article, "send_campaign", recipients=empty)
    assert ("Nobody is in “Following “Cakes”” yet, so nobody would get this newsletter. Choose other recipients."
            in messages_of(response))

    backend = get_backend()
    unaddressed = backend.save_campaign(campaign_id=str(campaign_of(article).pk), recipients=None, subject="S",
                                        html="", from_name="", reply_to="")
    with pytest.raises(CampaignBackendError, match="Choose the recipients first"):
        backend.send_campaign(unaddressed)
    assert smtp_server.messages() == [] and campaign_of(article).status == UpdateStatus.HELD


def test_another_sites_recipients_are_refused(admin_client, site, article, people):
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Mill", slug="mill", hero_title="Flour"))
    mill = Site.objects.create(hostname="mill.example", port=80, root_page=home, site_name="The Mill")
    millers = NewsletterRecipients.objects.create(name="Millers", audience=f"{mill.pk}:everyone")

    response = newsletter_action(admin_client, article, "save_campaign", recipients=millers)

    assert ("“Millers” are the members of The Mill, and this page is on Copper Kettle. "
            "Choose recipients of Copper Kettle.") in messages_of(response)
    assert not Update.objects.filter(kind=UpdateKind.NEWSLETTER).exists()


def test_without_mail_settings_nothing_is_sent_and_the_tab_says_why(
    admin_client, site, article, people, everyone, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = ""
    with django_capture_on_commit_callbacks(execute=True):
        response = newsletter_action(admin_client, article, "send_campaign", recipients=everyone)
        tested = newsletter_action(admin_client, article, "send_test_email", recipients=everyone,
                                   **{"newsletter-test-email": "owner@example.com"})

    reason = "Mail is not set up: DEFAULT_FROM_EMAIL is empty. Set it to the address updates come from."
    assert reason in messages_of(response) and reason in messages_of(tested)
    assert campaign_of(article).status == UpdateStatus.HELD and not Delivery.objects.exists()


def test_a_scheduled_or_sent_campaign_cannot_be_changed(site, article, people, everyone):
    backend = get_backend()
    token = newsletter.acting_on.set(newsletter.ActingOn(page=article))
    try:
        campaign_id = backend.save_campaign(recipients=everyone, subject="First", html="", from_name="", reply_to="")
    finally:
        newsletter.acting_on.reset(token)
    backend.schedule_campaign(campaign_id, timezone.now() + timedelta(hours=3))
    assert backend.get_campaign(campaign_id).is_scheduled

    with pytest.raises(CampaignBackendError, match="“First” is scheduled, so it cannot be changed. Unschedule it"):
        backend.save_campaign(campaign_id=campaign_id, recipients=everyone, subject="Second", html="",
                              from_name="", reply_to="")
    with pytest.raises(CampaignBackendError, match="Choose a time in the future"):
        backend.schedule_campaign(campaign_id, timezone.now() - timedelta(minutes=1))
    assert Update.objects.get(pk=campaign_id).title == "First"


def test_a_new_campaign_needs_its_page(site, everyone):
    with pytest.raises(CampaignBackendError, match="A newsletter is saved from its page's “Newsletter” tab"):
        get_backend().save_campaign(recipients=everyone, subject="S", html="", from_name="", reply_to="")
    assert not Update.objects.exists()


def test_where_syndication_is_inactive_the_tab_works_and_says_why_nothing_can_be_sent(
    admin_client, site, article, people, everyone, deactivate_plugin, smtp_server
):
    newsletter_action(admin_client, article, "save_campaign", recipients=everyone)
    deactivate_plugin(site, "syndication")

    tab = admin_client.get(edit_url(article))
    assert tab.status_code == 200
    reason = ("Newsletters are sent by the Syndication plugin, which is not active on Copper Kettle. "
              "Activate it in Settings → Plugins to send this page.")
    assert reason in tab.content.decode()
    response = newsletter_action(admin_client, article, "send_campaign", recipients=everyone)
    assert reason in messages_of(response)
    assert get_backend().get_audiences() == []
    assert campaign_of(article).status == UpdateStatus.HELD and smtp_server.messages() == []


def test_without_the_syndication_plugin_the_tab_works_and_says_why(admin_client, site, article, everyone, settings):
    settings.WAGTAIL_NEWSLETTER_CAMPAIGN_BACKEND = "hearthside.newsletters.UnavailableCampaignBackend"

    assert admin_client.get(edit_url(article)).status_code == 200
    response = newsletter_action(admin_client, article, "save_campaign", recipients=everyone)

    assert UnavailableCampaignBackend.REASON in messages_of(response)
    assert not Update.objects.exists()


def test_the_page_update_and_the_newsletter_of_one_page_are_apart(admin_client, site, no_delay, journal, people,
                                                                  everyone, smtp_server,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_article(journal, title="Harvest loaf")
    page_update = Update.objects.get(page=page, kind=UpdateKind.PAGE)
    # The page's update follows each member's topics and frequency; the newsletter goes to its audience at once.
    assert sorted(Delivery.objects.filter(update=page_update, channel="email").values_list("member_id", "status")) == sorted([
        (people["ada"].pk, DeliveryStatus.SENT), (people["bo"].pk, DeliveryStatus.DIGEST),
        (people["cy"].pk, DeliveryStatus.DIGEST)])
    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        newsletter_action(admin_client, ArticlePage.objects.get(pk=page.pk), "send_campaign", recipients=everyone)

    newsletter_update = campaign_of(page)
    assert newsletter_update.pk != page_update.pk and newsletter_update.sequence == 1
    assert Delivery.objects.filter(update=newsletter_update).count() == 3
    assert len(smtp_server.messages()) == 3


def test_the_updates_admin_previews_a_newsletter_as_a_member_gets_it(admin_client, site, article, people, bakers):
    newsletter_action(admin_client, article, "save_campaign", recipients=bakers, body="<p>Proving baskets.</p>")

    preview = admin_client.get(f"/admin/syndication/{campaign_of(article).pk}/preview/")

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Hi Sam Sample," in html and "Proving baskets." in html and "@@hs-" not in html
