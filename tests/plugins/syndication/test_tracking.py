"""Opens and clicks of newsletters: off by default (no pixel, links as they
are); when a site turns them on, each member's copy has its own pixel and
tracked links, each open and click is recorded once and shows in the
report, and only links we signed redirect."""
from __future__ import annotations

import re
from email import message_from_bytes, policy
from html import unescape

import pytest
from django.core import signing
from wagtail_newsletter.campaign_backends import get_backend
from wagtail_newsletter.models import NewsletterRecipients

from plugins.syndication import tracking
from plugins.syndication.config import SyndicationSettings, save_settings
from plugins.syndication.models import Delivery, DeliveryEvent, EventKind, Update, UpdateKind
from tests.factories import make_article
from tests.plugins.members.factories import make_member

from .test_newsletter import campaign_of, newsletter_action

pytestmark = pytest.mark.django_db

PIXEL = re.compile(r'<img src="(http://testserver/syndication/o/[^"]+\.gif)"')
CLICK = re.compile(r'href="(http://testserver/syndication/c/[^"]+/)"')


def parsed(message):
    return message_from_bytes(message.as_bytes(), policy=policy.default)


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def path_of(url: str) -> str:
    return unescape(url).removeprefix("http://testserver")


@pytest.fixture
def readers(site):
    return {
        "ada": make_member(site, email="ada@example.com", name="Ada", channels={"email": "immediate"}),
        "bo": make_member(site, email="bo@example.com", channels={"email": "immediate"}),
    }


@pytest.fixture
def article(journal):
    return make_article(journal, title="Spring sourdough class",
                        body=[("paragraph", '<p>See <a href="https://flour.example/rye?x=1&amp;y=2">our rye</a>.</p>')])


@pytest.fixture
def everyone(site):
    return NewsletterRecipients.objects.create(name="Everyone", audience=f"{site.pk}:everyone")


@pytest.fixture
def counting(site):
    save_settings(site, SyndicationSettings(track_opens_and_clicks=True))


def send(admin_client, article, everyone, capture, body=None):
    with capture(execute=True):
        newsletter_action(admin_client, article, "send_campaign", recipients=everyone,
                          body=body or '<p>See <a href="https://flour.example/rye?x=1&amp;y=2">our rye</a>.</p>')
    return campaign_of(article)


def copies(smtp_server) -> dict:
    return {parsed(m)["To"]: html_of(parsed(m)) for m in smtp_server.messages()}


def test_newsletters_count_nothing_by_default(admin_client, site, article, readers, everyone, smtp_server,
                                             django_capture_on_commit_callbacks):
    update = send(admin_client, article, everyone, django_capture_on_commit_callbacks)

    assert update.track is False
    for html in copies(smtp_server).values():
        assert "/syndication/o/" not in html and "/syndication/c/" not in html
        assert 'href="https://flour.example/rye?x=1&amp;y=2"' in html and f'href="{article.full_url}"' in html


def test_counting_gives_each_member_a_pixel_and_tracked_links_but_never_the_unsubscribe_link(
    admin_client, client, site, article, readers, everyone, counting, smtp_server, django_capture_on_commit_callbacks
):
    update = send(admin_client, article, everyone, django_capture_on_commit_callbacks)
    assert update.track is True
    html = copies(smtp_server)["Ada <ada@example.com>"]
    bo_html = copies(smtp_server)["bo@example.com"]

    [pixel] = PIXEL.findall(html)
    assert pixel not in bo_html  # each copy is its reader's own
    links = [client.get(path_of(url)) for url in CLICK.findall(html)]
    assert {response["Location"] for response in links} >= {"https://flour.example/rye?x=1&y=2", article.full_url}
    assert all(response.status_code == 302 for response in links)
    assert "/members/unsubscribe/" in html
    assert not any("/members/" in tracking.read_token(path_of(url).split("/")[3], tracking.CLICK)["l"]
                   for url in CLICK.findall(html))
    text = parsed(smtp_server.messages()[0]).get_body(("plain",)).get_content()
    assert "/syndication/" not in text  # the plain-text part is left as it is


def test_each_open_and_each_clicked_link_is_recorded_once_and_reported(
    admin_client, client, site, article, readers, everyone, counting, smtp_server, django_capture_on_commit_callbacks
):
    update = send(admin_client, article, everyone, django_capture_on_commit_callbacks)
    html = copies(smtp_server)["Ada <ada@example.com>"]
    [pixel] = PIXEL.findall(html)
    rye = next(url for url in CLICK.findall(html)
               if client.get(path_of(url))["Location"] == "https://flour.example/rye?x=1&y=2")
    DeliveryEvent.objects.filter(kind=EventKind.CLICKED).delete()  # the look-up above clicked every link once

    for _ in range(3):
        opened = client.get(path_of(pixel))
        assert (opened.status_code, opened["Content-Type"]) == (200, "image/gif")
        assert opened.content.startswith(b"GIF89a") and "no-store" in opened["Cache-Control"]
        assert client.get(path_of(rye)).status_code == 302

    ada = readers["ada"]
    delivery = Delivery.objects.get(update=update, member_id=ada.pk)
    assert list(DeliveryEvent.objects.filter(update=update).values_list("kind", "member_id", "delivery", "url")
                .order_by("kind")) == [
        (EventKind.CLICKED, ada.pk, delivery.pk, "https://flour.example/rye?x=1&y=2"),
        (EventKind.OPENED, ada.pk, delivery.pk, ""),
    ]
    report = get_backend().get_campaign(str(update.pk)).get_report()
    assert (report["opens"], report["clicks"], report["sent"]) == (1, 1, 2)
    tab = admin_client.get(f"/admin/pages/{article.pk}/edit/").content.decode()
    assert 'data-report="opens">1<' in tab and 'data-report="clicks">1<' in tab


def test_a_campaign_keeps_the_choice_made_when_it_was_first_saved(admin_client, site, article, readers, everyone,
                                                                  smtp_server, django_capture_on_commit_callbacks):
    newsletter_action(admin_client, article, "save_campaign", recipients=everyone)
    save_settings(site, SyndicationSettings(track_opens_and_clicks=True))

    update = send(admin_client, article, everyone, django_capture_on_commit_callbacks)

    assert update.track is False
    assert all("/syndication/o/" not in html for html in copies(smtp_server).values())


def test_page_updates_are_never_counted(site, journal, readers, counting, no_delay, smtp_server,
                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = make_article(journal, title="Harvest loaf")

    assert Update.objects.get(page=page, kind=UpdateKind.PAGE).track is False
    assert len(smtp_server.messages()) == 2
    assert all("/syndication/" not in html for html in copies(smtp_server).values())


def test_links_we_did_not_sign_do_not_redirect_and_record_nothing(
    admin_client, client, site, article, readers, everyone, counting, smtp_server, django_capture_on_commit_callbacks
):
    update = send(admin_client, article, everyone, django_capture_on_commit_callbacks)
    ada = readers["ada"].pk
    html = copies(smtp_server)["Ada <ada@example.com>"]
    [pixel] = PIXEL.findall(html)
    click = CLICK.findall(html)[0]

    forged = signing.dumps({"k": "c", "u": update.pk, "m": ada, "l": "https://evil.example/"}, salt="another.salt")
    scheme = tracking.make_token(tracking.CLICK, update.pk, ada, "javascript:alert(1)")
    tampered = path_of(click).rstrip("/")[:-3] + "abc/"
    for path in (f"/syndication/c/{forged}/", f"/syndication/c/{scheme}/", tampered,
                 path_of(pixel).replace("/o/", "/c/").removesuffix(".gif") + "/",  # an open is not a click
                 "/syndication/c/not-a-token/", "/syndication/o/not-a-token.gif"):
        assert client.get(path).status_code == 404, path
    # Anything added to a signed link is ignored: it goes where we signed it to, nowhere else.
    followed = client.get(path_of(click) + "?next=https://evil.example/", HTTP_REFERER="https://evil.example/")
    assert followed.status_code == 302 and "evil" not in followed["Location"]
    assert DeliveryEvent.objects.filter(kind=EventKind.CLICKED).count() == 1
    assert not DeliveryEvent.objects.filter(kind=EventKind.OPENED).exists()


def test_a_member_not_in_the_newsletter_is_not_counted(admin_client, client, site, article, readers, everyone,
                                                       counting, smtp_server, django_capture_on_commit_callbacks):
    update = send(admin_client, article, everyone, django_capture_on_commit_callbacks)
    stranger = make_member(site, email="late@example.com", channels={"email": "immediate"})

    token = tracking.make_token(tracking.OPEN, update.pk, stranger.pk)
    assert client.get(f"/syndication/o/{token}.gif").status_code == 200

    assert not DeliveryEvent.objects.filter(kind=EventKind.OPENED).exists()


def test_tracking_is_rate_limited_per_client(admin_client, client, site, article, readers, everyone, counting,
                                             settings, smtp_server, django_capture_on_commit_callbacks):
    update = send(admin_client, article, everyone, django_capture_on_commit_callbacks)
    # An hour's window: with a minute's, a slow machine can cross into the next window mid-test.
    settings.SYNDICATION_TRACKING_RATE = "2/h"
    pixels = {to: PIXEL.findall(html)[0] for to, html in copies(smtp_server).items()}
    bo_click = CLICK.findall(copies(smtp_server)["bo@example.com"])[0]

    assert client.get(path_of(pixels["Ada <ada@example.com>"])).status_code == 200
    assert client.get(path_of(pixels["Ada <ada@example.com>"])).status_code == 200
    limited = client.get(path_of(pixels["bo@example.com"]))
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    followed = client.get(path_of(bo_click))  # a reader's click still gets them there, uncounted
    assert followed.status_code == 302

    assert list(DeliveryEvent.objects.filter(update=update).values_list("kind", "member_id")) == [
        (EventKind.OPENED, readers["ada"].pk)
    ]


def test_where_syndication_is_inactive_the_tracking_links_answer_404(
    admin_client, client, site, article, readers, everyone, counting, smtp_server, deactivate_plugin,
    django_capture_on_commit_callbacks
):
    send(admin_client, article, everyone, django_capture_on_commit_callbacks)
    [pixel] = PIXEL.findall(copies(smtp_server)["Ada <ada@example.com>"])
    deactivate_plugin(site, "syndication")

    assert client.get(path_of(pixel)).status_code == 404
    assert not DeliveryEvent.objects.filter(kind=EventKind.OPENED).exists()
