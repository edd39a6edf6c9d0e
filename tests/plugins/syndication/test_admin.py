"""The syndication plugin in the Wagtail admin: the list of updates with their
progress (in a fixed number of queries), an update's page with its status
sentence, counts, failures, provider reports and email preview, the actions
publishers take (hold, release, send now, try again, cancel, send again),
the settings screen, and who may use any of it."""
from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import escape
from wagtail.models import ModelLogEntry, Page, Site

from hearthside.models import HomePage
from plugins.syndication import emails, updates
from plugins.syndication.admin_views import status_sentence
from plugins.syndication.config import SyndicationSettings, save_settings, settings_for
from plugins.syndication.models import (
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    EventKind,
    Update,
    UpdateKind,
    UpdateStatus,
)
from plugins.syndication.updates import progress_of, with_totals
from tests.factories import UserFactory, make_article, make_standard

pytestmark = pytest.mark.django_db

UPDATES = "/admin/syndication/"
SETTINGS = "/admin/syndication/settings/"
_member_ids = itertools.count(1)


def detail_url(update):
    return f"/admin/syndication/{update.pk}/"


def action_url(update, action):
    return f"/admin/syndication/{update.pk}/{action}/"


def progress_url(update):
    return f"/admin/syndication/{update.pk}/progress.json"


def preview_url(update):
    return f"/admin/syndication/{update.pk}/preview/"


def send_again_url(page):
    return f"/admin/syndication/pages/{page.pk}/send-again/"


def messages_of(response) -> list[str]:
    return [str(message).strip() for message in response.context["messages"]]


def make_update(page, *, status=UpdateStatus.SCHEDULED, in_minutes=10, sequence=None, **fields) -> Update:
    """An update of ``page``, made directly (no task is woken)."""
    if sequence is None:
        sequence = Update.objects.filter(page=page).count() + 1
    fields.setdefault("site", page.get_site())
    return Update.objects.create(
        page=page,
        kind=UpdateKind.PAGE,
        sequence=sequence,
        title=page.title,
        status=status,
        send_at=timezone.now() + timedelta(minutes=in_minutes),
        **fields,
    )


def add_deliveries(update, channel="email", **counts) -> list[Delivery]:
    """``add_deliveries(update, sent=3, failed=1)``: that many rows in each status."""
    rows = [
        Delivery(update=update, member_id=next(_member_ids), channel=channel, status=status)
        for status, n in counts.items()
        for _ in range(n)
    ]
    return Delivery.objects.bulk_create(rows)


def status_of(update) -> str:
    return Update.objects.get(pk=update.pk).status


@pytest.fixture
def article(journal):
    return make_article(journal, title="Spring sourdough class")


@pytest.fixture
def waiting(article):
    """An update waiting out its delay, nothing fanned out yet."""
    return make_update(article)


@pytest.fixture
def stranger(db):
    """Someone who may use the admin but has no say over updates."""
    user = UserFactory(username="stranger")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def other_site(site):
    root = Page.get_first_root_node()
    home = HomePage(title="Other bakery", slug="other-bakery", hero_title="Elsewhere")
    root.add_child(instance=home)
    home.save_revision().publish()
    return Site.objects.create(hostname="other.example", port=80, root_page=home, site_name="Other bakery")


def every_url(update, page) -> list[str]:
    return [UPDATES, detail_url(update), progress_url(update), preview_url(update),
            action_url(update, "cancel"), send_again_url(page), SETTINGS]


# Who may do what --------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client, site, waiting, article):
    for url in every_url(waiting, article):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/admin/login/"), url
    client.post(action_url(waiting, "hold"))
    client.post(send_again_url(article))
    assert status_of(waiting) == UpdateStatus.SCHEDULED
    assert Update.objects.filter(page=article).count() == 1


def test_people_without_the_permission_are_turned_away(client, site, stranger, waiting, article):
    client.force_login(stranger)

    for url in every_url(waiting, article):
        response = client.get(url)
        assert response.status_code == 302 and response.url == "/admin/", url
    from_script = client.get(progress_url(waiting), headers={"x-requested-with": "XMLHttpRequest"})
    assert from_script.status_code == 403
    for action in ("hold", "send-now", "cancel"):
        client.post(action_url(waiting, action))
    client.post(send_again_url(article))
    client.post(SETTINGS, {"send_delay_minutes": 0})

    assert status_of(waiting) == UpdateStatus.SCHEDULED
    assert Update.objects.filter(page=article).count() == 1
    assert settings_for(site).send_delay_minutes == 10
    assert "/admin/syndication/" not in client.get("/admin/").content.decode()


def test_editors_see_updates_but_only_publishers_change_them(client, site, editor, waiting, article):
    client.force_login(editor)

    for url in (UPDATES, detail_url(waiting), progress_url(waiting), preview_url(waiting)):
        assert client.get(url).status_code == 200, url
    detail = client.get(detail_url(waiting)).content.decode()
    assert "data-update-action=" not in detail
    assert "Only people who may publish “Spring sourdough class” can hold" in detail
    menu = client.get("/admin/").content.decode()
    assert f'"url": "{UPDATES}"' in menu and SETTINGS not in menu

    refused = client.post(action_url(waiting, "hold"), follow=True)
    assert "Sorry, you do not have permission to access this area." in messages_of(refused)
    for action in ("send-now", "cancel"):
        assert client.post(action_url(waiting, action)).url == "/admin/"
    assert client.post(send_again_url(article)).url == "/admin/"
    assert client.get(SETTINGS).url == "/admin/"
    assert status_of(waiting) == UpdateStatus.SCHEDULED
    assert Update.objects.filter(page=article).count() == 1


def test_the_groups_get_their_permissions(site):
    editors, moderators = Group.objects.get(name="Editors"), Group.objects.get(name="Moderators")

    def codenames(group):
        granted = group.permissions.filter(content_type__app_label="syndication")
        return set(granted.values_list("codename", flat=True))

    assert codenames(editors) == {"view_update"}
    assert codenames(moderators) == {"view_update", "change_update"}


def test_the_permissions_can_be_given_on_the_group_screen(client, site, admin_user):
    client.force_login(admin_user)
    editors = Group.objects.get(name="Editors")

    soup = BeautifulSoup(client.get(f"/admin/groups/edit/{editors.pk}/").content, "html.parser")

    row = soup.find("h3", string="Update").find_parent("tr")
    assert "Can change update" in row.get_text()
    (viewing,) = [label.find("input") for label in row.find_all("label") if "Can view" in label.get_text()]
    assert viewing.has_attr("checked")  # the Editors group sees updates


def test_an_inactive_plugins_screens_answer_404_and_its_menu_hides(
    client, site, admin_user, waiting, article, deactivate_plugin
):
    deactivate_plugin(site, "syndication")
    client.force_login(admin_user)

    for url in every_url(waiting, article):
        assert client.get(url).status_code == 404, url
    assert client.post(action_url(waiting, "hold")).status_code == 404
    assert status_of(waiting) == UpdateStatus.SCHEDULED
    assert "/admin/syndication/" not in client.get("/admin/").content.decode()
    assert send_again_url(article) not in client.get(f"/admin/pages/{article.pk}/edit/").content.decode()


def test_another_sites_updates_are_as_good_as_missing(client, site, admin_user, other_site):
    elsewhere = make_update(make_article(other_site.root_page, title="Elsewhere news"))
    client.force_login(admin_user)

    assert "Elsewhere news" not in client.get(UPDATES).content.decode()
    assert client.get(detail_url(elsewhere)).status_code == 404
    assert client.post(action_url(elsewhere, "hold")).status_code == 404
    assert status_of(elsewhere) == UpdateStatus.SCHEDULED


def test_actions_need_a_csrf_token(site, moderator, waiting):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)

    assert client.post(action_url(waiting, "hold")).status_code == 403
    assert status_of(waiting) == UpdateStatus.SCHEDULED


def test_an_update_whose_page_was_deleted_is_for_superusers(client, site, moderator, admin_user, article):
    orphan = make_update(article)
    Update.objects.filter(pk=orphan.pk).update(page=None)

    client.force_login(moderator)
    assert client.post(action_url(orphan, "cancel")).url == "/admin/"
    assert status_of(orphan) == UpdateStatus.SCHEDULED
    assert "There is no email to preview" in client.get(detail_url(orphan)).content.decode()

    client.force_login(admin_user)
    client.post(action_url(orphan, "cancel"))
    assert status_of(orphan) == UpdateStatus.CANCELLED


# The list ------------------------------------------------------------------------------------------


def test_the_list_shows_each_update_with_its_status_and_progress(client, site, editor, article, journal):
    sending = make_update(article, status=UpdateStatus.SENDING, in_minutes=-5, fanned_out_at=timezone.now())
    add_deliveries(sending, sent=6, failed=1, bounced=1, queued=2)
    held = make_update(make_article(journal, title="Bread & <butter>"), status=UpdateStatus.HELD)
    client.force_login(editor)

    response = client.get(UPDATES)

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    row = soup.find("tr", attrs={"data-update": str(sending.pk)})
    assert "Sending" in row.get_text() and "Spring sourdough class" in row.get_text()
    assert row.find("progress")["value"] == "80"
    assert [li.get_text() for li in row.find_all("li")] == ["2 queued", "6 sent", "1 failed", "1 bounced"]
    held_row = soup.find("tr", attrs={"data-update": str(held.pk)})
    assert "Held by an editor" in held_row.get_text()
    assert held_row.find("a").get_text() == "Bread & <butter>"  # escaped in the HTML, read back as text
    assert "Bread &amp; &lt;butter&gt;" in response.content.decode()


def test_the_list_counts_what_updates_progress_counts(site, article, journal):
    listed = [
        make_update(article, status=UpdateStatus.SENDING),
        make_update(make_article(journal), status=UpdateStatus.SENT),
        make_update(make_article(journal)),
    ]
    add_deliveries(listed[0], sent=3, queued=4, digest=2, skipped=1)
    add_deliveries(listed[0], channel="sms", failed=2, sending=1)
    add_deliveries(listed[1], sent=5, bounced=1, cancelled=2)

    batched = progress_of(listed)

    sending = batched[listed[0].pk]
    assert (sending["sent"], sending["queued"], sending["digest"], sending["failed"]) == (3, 4, 2, 2)
    # 13 rows, of which 4 queued, 1 sending and 2 waiting for a digest are not done yet.
    assert (sending["total"], sending["done"], sending["percent"]) == (13, 6, 46)
    sent = batched[listed[1].pk]
    assert (sent["total"], sent["done"], sent["percent"], sent["bounced"]) == (8, 8, 100, 1)
    assert batched[listed[2].pk]["total"] == 0 and batched[listed[2].pk]["percent"] == 0
    assert updates.progress(listed[0]) == sending


def test_the_list_takes_the_same_queries_however_many_updates_and_deliveries(
    client, site, editor, article, journal
):
    add_deliveries(make_update(article), queued=2)
    client.force_login(editor)
    client.get(UPDATES)  # warm the caches of the first request (site, plugins, menu)

    with CaptureQueriesContext(connection) as few:
        assert client.get(UPDATES).status_code == 200

    for n in range(35):
        update = make_update(make_article(journal), status=UpdateStatus.SENDING)
        add_deliveries(update, sent=20, failed=n % 3, queued=5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(UPDATES)

    assert response.status_code == 200
    assert len(response.context["object_list"]) == 30  # one page of them
    assert len(many.captured_queries) == len(few.captured_queries)
    reading_deliveries = [q["sql"] for q in many.captured_queries if "syndication_delivery" in q["sql"]]
    assert len(reading_deliveries) == 1 and "GROUP BY" in reading_deliveries[0]


def test_the_status_tabs_filter_the_list(client, site, editor, article, journal):
    make_update(article)
    held = make_update(make_article(journal, title="Held back"), status=UpdateStatus.HELD)
    client.force_login(editor)

    response = client.get(f"{UPDATES}?status=held")

    assert [update.pk for update in response.context["object_list"]] == [held.pk]
    tabs = {tab["status"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs[""] == 2 and tabs["held"] == 1 and tabs["scheduled"] == 1 and tabs["sent"] == 0

    unknown = client.get(f"{UPDATES}?status=lost")
    assert len(unknown.context["object_list"]) == 2
    assert "There is no “lost” list of updates; showing all of them." in messages_of(unknown)[0]


def test_the_list_says_when_mail_is_not_set_up(client, site, editor, settings):
    settings.DEFAULT_FROM_EMAIL = ""
    client.force_login(editor)

    html = client.get(UPDATES).content.decode()

    assert "Mail is not set up: DEFAULT_FROM_EMAIL is empty." in html


# An update's page ----------------------------------------------------------------------------------


def test_a_waiting_update_says_when_it_goes_out(client, site, editor, article):
    update = make_update(article, in_minutes=7.5)
    client.force_login(editor)

    html = client.get(detail_url(update)).content.decode()

    local = timezone.localtime(update.send_at)
    day = "at" if local.date() == timezone.localdate() else "tomorrow at"  # a test run just before midnight
    clock = date_format(local, "H:i")
    assert f"Goes out {day} {clock} (in 7 minutes), unless someone holds or cancels it." in html


@pytest.mark.parametrize(
    "status, fields, counts, expected",
    [
        (UpdateStatus.HELD, {}, {"sent": 4}, "Held by an editor: nothing more of it goes out until someone "
                                              "releases it. 4 messages were sent before it was held."),
        (UpdateStatus.SENDING, {}, {"sent": 3, "failed": 1, "queued": 4},
         "Sending: 4 of 8 messages handled so far (50%)."),
        (UpdateStatus.SENDING, {}, {}, "Sending: working out who gets it."),
        (UpdateStatus.SENT, {}, {"sent": 9, "bounced": 1},
         "Sent: 9 of 10 messages handed over for delivery."),
        (UpdateStatus.CANCELLED, {}, {"sent": 1, "cancelled": 5},
         "Cancelled by an editor: nothing more of it is sent. 1 message was sent before that."),
        (UpdateStatus.PROBLEM, {"problem": "Mail is not set up."}, {},
         "Needs attention: Mail is not set up."),
        (UpdateStatus.SCHEDULED, {"send_at": timezone.now() - timedelta(minutes=1)}, {},
         "Going out now: a worker is about to start sending it."),
    ],
)
def test_each_status_has_its_sentence(status, fields, counts, expected):
    update = Update(title="News", status=status, send_at=fields.pop("send_at", timezone.now()), **fields)

    assert status_sentence(update, with_totals(update, counts)) == expected


def test_the_page_counts_every_status_and_shows_failures_and_reports(client, site, editor, article):
    update = make_update(article, status=UpdateStatus.SENDING, in_minutes=-10, fanned_out_at=timezone.now())
    add_deliveries(update, sent=5, queued=3, digest=2, skipped=1, cancelled=0)
    failed, bounced = add_deliveries(update, failed=1, bounced=1)
    Delivery.objects.filter(pk=failed.pk).update(error="550 <mailbox> full", attempts=8)
    Delivery.objects.filter(pk=bounced.pk).update(error="User unknown")
    for kind in (EventKind.BOUNCED, EventKind.OPENED, EventKind.OPENED):
        DeliveryEvent.objects.create(site=site, update=update, delivery=bounced, kind=kind, channel="email",
                                     member_id=bounced.member_id, detail="reported by the provider")
    client.force_login(editor)

    response = client.get(detail_url(update))

    soup = BeautifulSoup(response.content, "html.parser")
    cells = soup.select("table.syndication-counts [data-count]")
    shown = {cell["data-count"]: cell.get_text() for cell in cells}
    assert shown == {"queued": "3", "sending": "0", "sent": "5", "digest": "2", "failed": "1", "bounced": "1",
                     "skipped": "1", "cancelled": "0", "total": "13"}
    assert soup.find("progress")["value"] == "62"  # 8 of 13 handled: the digest ones are still to go
    failures = soup.select("table.syndication-failures tbody tr")
    assert {row.find_all("td")[-1].get_text() for row in failures} == {"550 <mailbox> full", "User unknown"}
    assert "550 &lt;mailbox&gt; full" in response.content.decode()
    events = {item["data-event"]: item.find("strong").get_text() for item in soup.select("[data-event]")}
    assert events == {"opened": "2", "bounced": "1"}
    assert "Sending: 8 of 13 messages handled so far (62%)." in soup.select_one("[data-sentence]").get_text()
    # It refreshes itself while sending (the script is a file: the admin's CSP).
    assert soup.select_one('script[src*="syndication/admin/update-progress"]') is not None


def test_the_progress_json_gives_the_status_and_counts(client, site, editor, article):
    update = make_update(article, status=UpdateStatus.SENDING)
    add_deliveries(update, sent=2, queued=1, failed=1)
    client.force_login(editor)

    data = json.loads(client.get(progress_url(update)).content)

    assert data["status"] == "sending" and data["finished"] is False
    assert data["counts"]["sent"] == 2 and data["counts"]["queued"] == 1 and data["counts"]["failed"] == 1
    assert (data["total"], data["done"], data["percent"]) == (4, 3, 75)
    assert data["sentence"] == "Sending: 3 of 4 messages handled so far (75%)."


def test_the_preview_is_escaped_into_a_sandboxed_iframe(client, site, editor, journal):
    page = make_article(journal, title='Crumbs "&" <script>alert(1)</script>')
    update = make_update(page)
    client.force_login(editor)

    response = client.get(detail_url(update))

    html = response.content.decode()
    preview = emails.preview_html(update)
    assert "Sam Sample" in preview or "Hi Sam" in preview
    assert f'srcdoc="{escape(preview)}"' in html
    assert "<script>alert(1)</script>" not in html
    frame = BeautifulSoup(html, "html.parser").find("iframe", class_="syndication-preview")
    assert 'sandbox=""' in str(frame).split("srcdoc=")[0]  # empty: no scripts, no access to the admin
    assert frame["srcdoc"] == preview


def test_the_preview_on_its_own_runs_no_script(client, site, editor, waiting):
    client.force_login(editor)

    response = client.get(preview_url(waiting))

    assert response.status_code == 200
    assert response.content.decode() == emails.preview_html(waiting)
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy and "script-src" not in policy


# What publishers do ---------------------------------------------------------------------------------


def test_a_publisher_holds_releases_and_sends_now(client, site, moderator, waiting):
    client.force_login(moderator)
    detail = BeautifulSoup(client.get(detail_url(waiting)).content, "html.parser")
    offered = {button["data-update-action"] for button in detail.select("[data-update-action]")}
    assert offered == {"send_now", "hold", "cancel"}

    held = client.post(action_url(waiting, "hold"), follow=True)
    assert status_of(waiting) == UpdateStatus.HELD
    assert messages_of(held) == [
        "“Spring sourdough class” is held: nothing more of it goes out until someone releases it."
    ]
    assert "Held by moderator just now" in held.content.decode()
    entry = ModelLogEntry.objects.for_instance(waiting).get()
    assert (entry.action, entry.user) == ("syndication.held", moderator)

    released = client.post(action_url(waiting, "release"), follow=True)
    assert status_of(waiting) == UpdateStatus.SCHEDULED
    assert messages_of(released)[0].startswith("“Spring sourdough class” is released. Goes out ")

    before = timezone.now()
    client.post(action_url(waiting, "send-now"))
    waiting.refresh_from_db()
    assert waiting.status == UpdateStatus.SCHEDULED and waiting.send_at <= timezone.now()
    assert waiting.send_at >= before


def test_holding_a_sending_update_and_releasing_it_resumes_sending(client, site, moderator, article):
    update = make_update(article, status=UpdateStatus.SENDING, in_minutes=-3, fanned_out_at=timezone.now())
    add_deliveries(update, sent=2, queued=3)
    client.force_login(moderator)

    client.post(action_url(update, "hold"))
    assert status_of(update) == UpdateStatus.HELD
    assert "2 messages were sent before it was held" in client.get(detail_url(update)).content.decode()

    client.post(action_url(update, "release"))
    assert status_of(update) == UpdateStatus.SENDING
    assert Delivery.objects.filter(update=update, status=DeliveryStatus.QUEUED).count() == 3


def test_cancelling_asks_first_then_stops_what_is_not_sent(client, site, moderator, article):
    update = make_update(article, status=UpdateStatus.SENDING, in_minutes=-3, fanned_out_at=timezone.now())
    add_deliveries(update, sent=2, queued=3, digest=1)
    client.force_login(moderator)

    confirmation = client.get(action_url(update, "cancel"))
    assert confirmation.status_code == 200
    text = BeautifulSoup(confirmation.content, "html.parser").get_text(" ", strip=True)
    assert "4 messages not yet sent are cancelled." in text and "2 already sent stay sent." in text
    assert status_of(update) == UpdateStatus.SENDING

    done = client.post(action_url(update, "cancel"), follow=True)

    assert status_of(update) == UpdateStatus.CANCELLED
    assert messages_of(done) == ["“Spring sourdough class” is cancelled: nothing more of it is sent."]
    statuses = dict(Delivery.objects.filter(update=update).values_list("status").annotate(n=Count("pk")))
    assert statuses == {DeliveryStatus.SENT: 2, DeliveryStatus.CANCELLED: 4}
    assert "Cancelled by moderator just now" in done.content.decode()


def test_a_troubled_update_is_tried_again(client, site, moderator, article):
    update = make_update(
        article, status=UpdateStatus.PROBLEM, problem="“Spring sourdough class” has no text."
    )
    client.force_login(moderator)

    page = client.get(detail_url(update)).content.decode()
    assert "Needs attention: “Spring sourdough class” has no text." in page
    assert 'data-update-action="retry"' in page and 'data-update-action="hold"' not in page

    client.post(action_url(update, "retry"))

    update.refresh_from_db()
    assert update.status == UpdateStatus.SCHEDULED and update.problem == ""


@pytest.mark.parametrize(
    "status, action",
    [
        (UpdateStatus.SENT, "hold"),
        (UpdateStatus.SENT, "cancel"),
        (UpdateStatus.CANCELLED, "release"),
        (UpdateStatus.SENDING, "send-now"),
        (UpdateStatus.SCHEDULED, "retry"),
    ],
)
def test_refused_actions_say_why_and_change_nothing(client, site, moderator, article, status, action):
    update = make_update(article, status=status)
    add_deliveries(update, sent=1, queued=1)
    client.force_login(moderator)

    response = client.post(action_url(update, action), follow=True)

    assert status_of(update) == status
    (message,) = messages_of(response)
    assert message.startswith("“Spring sourdough class” is ") and message.endswith("Nothing was changed.")
    assert Delivery.objects.filter(update=update, status=DeliveryStatus.QUEUED).count() == 1
    assert not ModelLogEntry.objects.for_instance(update).exists()


def test_actions_other_than_cancel_take_no_get(client, site, moderator, waiting):
    client.force_login(moderator)

    assert client.get(action_url(waiting, "hold")).status_code == 405
    assert status_of(waiting) == UpdateStatus.SCHEDULED


# Send update again -------------------------------------------------------------------------------------


def test_the_page_header_offers_send_again_to_publishers_of_pages_that_go_out(
    client, site, moderator, editor, article, root_page
):
    client.force_login(moderator)
    assert send_again_url(article) in client.get(f"/admin/pages/{article.pk}/edit/").content.decode()
    standard = make_standard(root_page, title="About us")
    assert send_again_url(standard) not in client.get(f"/admin/pages/{standard.pk}/edit/").content.decode()

    client.force_login(editor)
    assert send_again_url(article) not in client.get(f"/admin/pages/{article.pk}/edit/").content.decode()


def test_send_again_asks_then_makes_the_next_update(client, site, moderator, article):
    save_settings(site, SyndicationSettings(send_delay_minutes=15))
    make_update(article, status=UpdateStatus.SENT)
    client.force_login(moderator)

    question = client.get(send_again_url(article)).content.decode()
    assert "It waits 15 minutes first" in question and "#1" in question
    assert Update.objects.filter(page=article).count() == 1

    before = timezone.now()
    response = client.post(send_again_url(article))

    again = Update.objects.get(page=article, sequence=2)
    assert response.url == detail_url(again)
    assert again.status == UpdateStatus.SCHEDULED and again.created_by == moderator
    assert before + timedelta(minutes=15) <= again.send_at <= timezone.now() + timedelta(minutes=15)
    message = messages_of(client.get(response.url))[0]
    assert message.startswith("“Spring sourdough class” is sent again. Goes out ")
    assert ModelLogEntry.objects.for_instance(again).get().action == "syndication.sent_again"


def test_a_sent_update_offers_send_again(client, site, moderator, article):
    sent = make_update(article, status=UpdateStatus.SENT)
    client.force_login(moderator)

    html = client.get(detail_url(sent)).content.decode()

    assert send_again_url(article) in html


def test_send_again_refuses_an_unpublished_page(client, site, moderator, article):
    article.unpublish()
    client.force_login(moderator)

    response = client.post(send_again_url(article), follow=True)

    assert messages_of(response) == [
        "“Spring sourdough class” is not published: publish it first, then send the update."
    ]
    assert not Update.objects.filter(page=article).exists()


def test_send_again_refuses_a_page_type_that_does_not_go_out(client, site, moderator, root_page):
    standard = make_standard(root_page, title="About us")
    client.force_login(moderator)

    response = client.post(send_again_url(standard), follow=True)

    assert "does not go out as an update. Nothing was sent." in messages_of(response)[0]
    assert not Update.objects.filter(page=standard).exists()


# Settings ------------------------------------------------------------------------------------------------


def test_the_settings_screen_shows_and_saves_the_sites_settings(client, site, moderator):
    client.force_login(moderator)
    form = client.get(SETTINGS).context["form"]
    assert form.initial["send_delay_minutes"] == 10 and form.initial["websub_hub"] == ""

    response = client.post(SETTINGS, {
        "send_delay_minutes": "30",
        "full_content_feeds": "on",
        "websub_hub": " https://pubsubhubbub.appspot.com/ ",
        "track_opens_and_clicks": "on",
    }, follow=True)

    assert settings_for(site) == SyndicationSettings(
        full_content_feeds=True, send_delay_minutes=30, websub_hub="https://pubsubhubbub.appspot.com/",
        track_opens_and_clicks=True,
    )
    assert messages_of(response)[0].startswith("Syndication settings saved for Copper Kettle.")


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("send_delay_minutes", "1441", "The wait can be at most 1440 minutes (a day)."),
        ("send_delay_minutes", "-1", "The wait cannot be negative"),
        ("send_delay_minutes", "ten", "Give the wait as a whole number of minutes, from 0 to 1440."),
        ("send_delay_minutes", "", "Give the wait in minutes"),
        ("websub_hub", "ftp://hub.example.com/", "“ftp://hub.example.com/” is not a web address."),
        ("websub_hub", "pubsubhubbub", "Give the hub's full address, starting with https://"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_saved(client, site, moderator, field, value, error):
    save_settings(site, SyndicationSettings(send_delay_minutes=5, websub_hub="https://hub.example.com/"))
    client.force_login(moderator)
    data = {"send_delay_minutes": "20", "websub_hub": "", "full_content_feeds": "on", field: value}

    response = client.post(SETTINGS, data)

    assert response.status_code == 200
    assert messages_of(response) == ["The settings were not saved: correct the errors below."]
    assert any(error in message for message in response.context["form"].errors[field])
    unchanged = SyndicationSettings(send_delay_minutes=5, websub_hub="https://hub.example.com/")
    assert settings_for(site) == unchanged
