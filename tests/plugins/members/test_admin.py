"""The members plugin in the Wagtail admin: the list with its filters, search
and export, a member's page with the consent history, what editors may change
(name, tags, stage; unsubscribing) and may not (granting channels), adding and
erasing people, topics, the settings screen, and who may use any of it."""
import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

from hearthside.models import HomePage
from plugins.members import consent, hooks
from plugins.members.config import settings_for, wording_for
from plugins.members.models import (
    ConsentRecord,
    Member,
    Source,
    Stage,
    Subscription,
    Suppression,
    SuppressionReason,
    Topic,
)
from tests.factories import make_section

from .factories import make_member

pytestmark = pytest.mark.django_db

MEMBERS = "/admin/members/"
ADD = "/admin/members/new/"
MARK_CUSTOMERS = "/admin/members/mark-customers/"
TOPICS = "/admin/members/topics/"
SETTINGS = "/admin/members/settings/"
IMPORTS = "/admin/members/imports/"


def detail_url(member):
    return f"/admin/members/inspect/{member.pk}/"


def edit_url(member):
    return f"/admin/members/edit/{member.pk}/"


def delete_url(member):
    return f"/admin/members/delete/{member.pk}/"


def withdraw_url(member):
    return f"/admin/members/withdraw/{member.pk}/"


def messages_in(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def listed_emails(response) -> list[str]:
    """The addresses in the list, in order (read from each row's checkbox label)."""
    return [member.email for member in response.context["object_list"]]


@pytest.fixture
def people(site, topic, other_topic):
    """Four members of the site, one of each kind the filters tell apart."""
    ada = make_member(site, email="ada@example.com", name="Ada Lovelace", channels={"email": "weekly"},
                      topics=["baking"])
    ada.tags.add("regular")
    bea = make_member(site, email="bea@example.com", name="Bea", channels={"sms": "immediate"},
                      phone="+447400123456", topics=["offers"], stage=Stage.CUSTOMER)
    cal = make_member(site, email="cal@example.com", name="Cal", stage=Stage.CONTACT, confirmed=False,
                      source=Source.COMMENT)
    dee = make_member(site, email="dee@example.com", name="Dee",
                      channels={"email": "daily", "rss": "immediate"})
    return {"ada": ada, "bea": bea, "cal": cal, "dee": dee}


@pytest.fixture
def other_site(site):
    root = Page.get_first_root_node()
    home = HomePage(title="Other bakery", slug="other-bakery", hero_title="Elsewhere")
    root.add_child(instance=home)
    home.save_revision().publish()
    return Site.objects.create(hostname="other.example", port=80, root_page=home, site_name="Other bakery")


@pytest.fixture
def stage_changes():
    """What member_stage_changed told receivers, as (email, old, new, source)."""
    heard = []

    def listen(site, member, old_stage, new_stage, source, **kwargs):
        heard.append((member["email"], old_stage, new_stage, source))

    with hooks.member_stage_changed.connected(listen):
        yield heard


# The list, its filters and search ------------------------------------------------------------------


def test_the_list_shows_the_sites_members_with_their_channels_topics_and_tags(
    client, site, admin_user, people, other_site
):
    make_member(other_site, email="elsewhere@example.com")
    client.force_login(admin_user)

    response = client.get(MEMBERS)

    assert response.status_code == 200
    assert sorted(listed_emails(response)) == ["ada@example.com", "bea@example.com", "cal@example.com",
                                               "dee@example.com"]
    html = response.content.decode()
    assert "elsewhere@example.com" not in html
    ada_row = html[html.index("ada@example.com"):html.index("ada@example.com") + 3000]
    assert "Email" in ada_row and "Baking tips" in ada_row and "regular" in ada_row


@pytest.mark.parametrize(
    "query, expected",
    [
        ("channel=email", ["ada", "dee"]),
        ("channel=sms", ["bea"]),
        ("channel=none", ["cal"]),
        ("stage=customer", ["bea"]),
        ("stage=contact", ["cal"]),
        ("confirmed=false", ["cal"]),
        ("confirmed=true", ["ada", "bea", "dee"]),
        ("source=comment", ["cal"]),
        ("channel=email&confirmed=true&q=ada", ["ada"]),
        ("q=lovelace", ["ada"]),
        ("q=BEA@EXAMPLE", ["bea"]),
        ("q=7400123", ["bea"]),
    ],
)
def test_filters_and_search(client, site, admin_user, people, query, expected):
    client.force_login(admin_user)

    response = client.get(f"{MEMBERS}?{query}")

    assert response.status_code == 200
    assert sorted(listed_emails(response)) == [f"{name}@example.com" for name in expected]


def test_filter_by_topic_and_tag(client, site, admin_user, people, topic, other_topic):
    client.force_login(admin_user)

    assert listed_emails(client.get(f"{MEMBERS}?topic={topic.pk}")) == ["ada@example.com"]
    assert listed_emails(client.get(f"{MEMBERS}?topic={other_topic.pk}")) == ["bea@example.com"]
    tag_id = people["ada"].tags.get().pk
    assert listed_emails(client.get(f"{MEMBERS}?tag={tag_id}")) == ["ada@example.com"]


def test_the_filters_offer_only_this_sites_topics(client, site, admin_user, people, other_site):
    Topic.objects.create(site=other_site, name="Their secret topic", slug="secret")
    client.force_login(admin_user)

    html = client.get(MEMBERS).content.decode()

    assert "Baking tips" in html and "Offers" in html
    assert "Their secret topic" not in html


def test_the_results_view_filters_too(client, site, admin_user, people):
    client.force_login(admin_user)

    response = client.get(f"{MEMBERS}results/?stage=customer")

    assert response.status_code == 200
    assert listed_emails(response) == ["bea@example.com"]


def test_the_list_costs_the_same_queries_for_30_members_as_for_3(
    client, site, admin_user, topic, django_assert_max_num_queries
):
    def add(count, start):
        for number in range(start, start + count):
            member = make_member(site, email=f"person{number}@example.com", channels={"email": "weekly"},
                                 topics=["baking"])
            member.tags.add(f"tag{number % 3}")

    client.force_login(admin_user)
    add(3, 0)
    client.get(MEMBERS)  # warm caches (site root paths, plugin states)
    with CaptureQueriesContext(connection) as few:
        assert client.get(MEMBERS).status_code == 200
    add(27, 3)
    with django_assert_max_num_queries(len(few)):
        response = client.get(MEMBERS)
    assert len(listed_emails(response)) == 30
    assert len(few) <= 30


# Export ----------------------------------------------------------------------------------


def exported_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_export_has_what_the_list_shows_in_columns_the_import_reads(client, site, admin_user, people):
    client.force_login(admin_user)

    response = client.get(f"{MEMBERS}?export=csv")

    assert "attachment" in response["Content-Disposition"]
    assert "members-testserver-" in response["Content-Disposition"]
    rows = {row["email"]: row for row in exported_rows(response)}
    assert set(rows) == {"ada@example.com", "bea@example.com", "cal@example.com", "dee@example.com"}
    assert rows["ada@example.com"]["name"] == "Ada Lovelace"
    assert rows["ada@example.com"]["topics"] == "baking"
    assert rows["ada@example.com"]["tags"] == "regular"
    assert rows["ada@example.com"]["channels"] == "email"
    assert rows["bea@example.com"]["phone"] == "+447400123456"
    assert rows["bea@example.com"]["stage"] == "customer"
    assert rows["cal@example.com"]["confirmed_at"] == ""
    assert rows["dee@example.com"]["channels"] == "email, rss"


def test_the_export_follows_the_filters(client, site, admin_user, people):
    client.force_login(admin_user)

    rows = exported_rows(client.get(f"{MEMBERS}?channel=email&export=csv"))

    assert sorted(row["email"] for row in rows) == ["ada@example.com", "dee@example.com"]


def test_the_export_defuses_spreadsheet_formulas(client, site, admin_user):
    make_member(site, email="sneaky@example.com", name='=HYPERLINK("http://evil.example","x")')
    client.force_login(admin_user)

    rows = exported_rows(client.get(f"{MEMBERS}?export=csv"))

    assert rows[0]["name"].startswith("'=HYPERLINK")


def test_the_xlsx_export_works(client, site, admin_user, people):
    client.force_login(admin_user)

    response = client.get(f"{MEMBERS}?export=xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# A member's page: profile and consent history -----------------------------------------------------


def test_a_members_page_shows_the_profile_channels_and_consent_history_newest_first(
    client, site, admin_user, people
):
    ada = people["ada"]
    consent.record(ada, "rss", True, source="Preference centre", wording="Give me a private feed", ip="")
    consent.record(ada, "rss", False, source="Preference centre", ip="")
    client.force_login(admin_user)

    response = client.get(detail_url(ada))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ada Lovelace" in html and "Baking tips" in html and "regular" in html
    history = response.context["history"]
    assert [(r.channel, r.action) for r in history] == [("rss", "withdrawn"), ("rss", "granted"),
                                                         ("email", "granted")]
    table = html[html.index("members-consent-history"):]
    assert table.index("withdrawn") < table.index("Give me a private feed") < table.index("Test wording")


def test_visitor_text_on_a_members_page_is_escaped(client, site, admin_user):
    member = make_member(site, email="x@example.com", name="<script>alert(1)</script>",
                         channels={"email": "weekly"})
    client.force_login(admin_user)

    html = client.get(detail_url(member)).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_another_sites_member_is_not_found(client, site, admin_user, other_site):
    theirs = make_member(other_site, email="theirs@example.com", channels={"email": "weekly"})
    client.force_login(admin_user)

    for url in (detail_url(theirs), edit_url(theirs), delete_url(theirs)):
        assert client.get(url).status_code == 404, url
    client.post(withdraw_url(theirs), {"channel": "email"})
    client.post(MARK_CUSTOMERS, {"member": [theirs.pk]})
    assert Subscription.objects.filter(member=theirs).exists()
    assert Member.objects.get(pk=theirs.pk).stage == Stage.PROSPECT


# What editors change -----------------------------------------------------------------------------


def test_editing_name_tags_and_stage_goes_through_set_stage(
    client, site, admin_user, people, stage_changes, django_capture_on_commit_callbacks
):
    ada = people["ada"]
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url(ada), {"name": "  Ada   King ", "stage": "customer", "tags": "regular, wholesale"}
        )

    assert response.status_code == 302 and response.url == detail_url(ada)
    ada.refresh_from_db()
    assert ada.name == "Ada King"
    assert ada.stage == Stage.CUSTOMER
    assert sorted(ada.tags.names()) == ["regular", "wholesale"]
    assert stage_changes == [("ada@example.com", "prospect", "customer", "admin")]


def test_the_edit_form_cannot_grant_channels(client, site, admin_user, people):
    cal = people["cal"]
    client.force_login(admin_user)

    html = client.get(edit_url(cal)).content.decode()
    assert 'name="channels"' not in html and 'name="email"' not in html
    client.post(edit_url(cal), {"name": "Cal", "stage": "contact", "tags": "", "channels": "email",
                                "subscriptions": "email"})

    assert not Subscription.objects.filter(member=cal).exists()
    assert Member.objects.get(pk=cal.pk).confirmed_at is None


def test_a_bad_edit_changes_nothing(client, site, admin_user, people):
    ada = people["ada"]
    client.force_login(admin_user)

    response = client.post(edit_url(ada), {"name": "x" * 101, "stage": "royalty", "tags": ""})

    assert response.status_code == 200
    form = response.context["form"]
    assert "at most 100 characters" in form.errors["name"][0]
    assert "stage" in form.errors
    ada.refresh_from_db()
    assert (ada.name, ada.stage, ada.tags.count()) == ("Ada Lovelace", Stage.PROSPECT, 1)


def test_unsubscribing_a_member_from_one_channel_is_recorded(client, site, admin_user, people):
    dee = people["dee"]
    client.force_login(admin_user)

    response = client.post(withdraw_url(dee), {"channel": "rss"}, follow=True)

    assert "unsubscribed from RSS feed" in messages_in(response)[0]
    assert list(dee.subscriptions.values_list("channel", flat=True)) == ["email"]
    record = dee.consent_records.order_by("-pk").first()
    assert (record.channel, record.action, record.source) == ("rss", "withdrawn", "admin by admin")


def test_unsubscribing_from_everything(client, site, admin_user, people):
    dee = people["dee"]
    client.force_login(admin_user)

    client.post(withdraw_url(dee), {"channel": ""})

    dee.refresh_from_db()
    assert not dee.subscriptions.exists()
    assert dee.unsubscribed_at is not None
    assert sorted(dee.consent_records.filter(action="withdrawn").values_list("channel", flat=True)) == [
        "email", "rss"
    ]


def test_unsubscribing_from_an_unknown_channel_says_so(client, site, admin_user, people):
    dee = people["dee"]
    client.force_login(admin_user)

    response = client.post(withdraw_url(dee), {"channel": "pigeon"}, follow=True)

    assert "is not a channel here" in messages_in(response)[0]
    assert dee.subscriptions.count() == 2


def test_withdrawing_only_takes_posts(client, site, admin_user, people):
    client.force_login(admin_user)
    assert client.get(withdraw_url(people["dee"])).status_code == 405
    assert client.get(MARK_CUSTOMERS).status_code == 405


def test_marking_members_as_customers(
    client, site, admin_user, people, stage_changes, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    chosen = [people["ada"].pk, people["bea"].pk, people["cal"].pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MARK_CUSTOMERS, {"member": chosen, "next": f"{MEMBERS}?stage=prospect"})

    assert response.status_code == 302 and response.url == f"{MEMBERS}?stage=prospect"
    assert set(Member.objects.filter(pk__in=chosen).values_list("stage", flat=True)) == {Stage.CUSTOMER}
    assert sorted(stage_changes) == [
        ("ada@example.com", "prospect", "customer", "admin"),
        ("cal@example.com", "contact", "customer", "admin"),
    ]
    message = messages_in(client.get(MEMBERS))[0]
    assert message == "2 members marked as customers. 1 was a customer already."


def test_changes_are_csrf_protected(site, admin_user, people):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    ada = people["ada"]

    assert client.post(MARK_CUSTOMERS, {"member": [ada.pk]}).status_code == 403
    assert client.post(withdraw_url(ada), {"channel": "email"}).status_code == 403
    upload = client.post(IMPORTS + "new/", {"default_stage": "contact", "email_consent": "no"})
    assert upload.status_code == 403
    ada.refresh_from_db()
    assert ada.stage == Stage.PROSPECT and ada.subscriptions.exists()


def test_the_list_and_a_members_page_offer_mark_as_customer(client, site, admin_user, people):
    client.force_login(admin_user)

    assert 'action="/admin/members/mark-customers/"' in client.get(MEMBERS).content.decode()
    assert "Mark as customer" in client.get(detail_url(people["ada"])).content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Select at least one member first. Nothing was changed."),
        ({"member": ["abc"]}, "The selection was not understood. Nothing was changed."),
        ({"member": ["999999"]}, "1 of the selected members is not on Copper Kettle"),
    ],
)
def test_bad_selections_change_nothing(client, site, admin_user, people, data, message):
    client.force_login(admin_user)

    response = client.post(MARK_CUSTOMERS, data, follow=True)

    assert messages_in(response)[0].startswith(message)
    assert Member.objects.filter(stage=Stage.CUSTOMER).count() == 1


def test_adding_a_contact_grants_nothing_and_announces_the_stage(
    client, site, admin_user, stage_changes, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, {"email": " Shop.Customer@Example.COM ", "name": "Shop customer",
                                     "phone": "", "stage": "customer", "tags": "counter"})

    member = Member.objects.get()
    assert response.status_code == 302 and response.url == detail_url(member)
    assert member.email == "Shop.Customer@example.com"
    assert (member.stage, member.source, member.source_detail) == (
        Stage.CUSTOMER, Source.ADMIN, "Added by admin"
    )
    assert member.confirmed_at is None and not member.subscriptions.exists()
    assert list(member.tags.names()) == ["counter"]
    assert stage_changes == [("Shop.Customer@example.com", None, "customer", "admin")]
    assert mailoutbox == []


def test_adding_an_existing_or_suppressed_address_is_refused(client, site, admin_user, people):
    consent.suppress(site, Suppression.EMAIL, "gone@example.com", SuppressionReason.ERASED)
    client.force_login(admin_user)

    taken = client.post(ADD, {"email": "ADA@example.com", "stage": "contact"})
    gone = client.post(ADD, {"email": "gone@example.com", "stage": "contact"})
    bad = client.post(ADD, {"email": "not an address", "stage": "contact"})

    assert "is already a member of Copper Kettle" in taken.context["form"].errors["email"][0]
    assert "suppression list" in gone.context["form"].errors["email"][0]
    assert "is not an email address we can use" in bad.context["form"].errors["email"][0]
    assert Member.objects.count() == 4


def test_erasing_a_member_keeps_only_a_suppression_entry(client, site, admin_user, people):
    ada = people["ada"]
    client.force_login(admin_user)

    assert "everything kept about them" in client.get(delete_url(ada)).content.decode()
    response = client.post(delete_url(ada))

    assert response.status_code == 302
    assert not Member.objects.filter(pk=ada.pk).exists()
    assert not ConsentRecord.objects.filter(member_id=ada.pk).exists()
    assert consent.is_suppressed(site, Suppression.EMAIL, "ada@example.com")


def test_the_audit_log_names_members_by_number_only(client, site, admin_user, people):
    from wagtail.models import ModelLogEntry

    ada = people["ada"]
    client.force_login(admin_user)
    client.post(edit_url(ada), {"name": "Ada", "stage": "customer", "tags": ""})
    client.post(withdraw_url(ada), {"channel": "email"})

    labels = set(ModelLogEntry.objects.values_list("label", flat=True))
    assert labels == {f"Member #{ada.pk}"}
    assert "Stage changed" in client.get(f"/admin/members/history/{ada.pk}/").content.decode()


# Topics ------------------------------------------------------------------------------------


def test_editors_make_sections_and_tags_followable(client, site, editor, section):
    client.force_login(editor)

    response = client.post(f"{TOPICS}new/", {"name": "Bread & Buns", "slug": "", "description": "",
                                             "section": section.pk, "subscribable": "on", "sort_order": 0})

    assert response.status_code == 302
    topic = Topic.objects.get(slug="bread-buns")
    assert (topic.site, topic.section.pk, topic.subscribable) == (site, section.pk, True)
    assert "Bread &amp; Buns" in client.get(TOPICS).content.decode()


def test_a_topic_slug_is_unique_per_site_and_sections_come_from_the_site(
    client, site, admin_user, topic, other_site
):
    elsewhere = make_section(other_site.root_page, title="Their journal")
    client.force_login(admin_user)

    taken = client.post(f"{TOPICS}new/", {"name": "Baking", "slug": "baking", "sort_order": 0})
    foreign = client.post(f"{TOPICS}new/", {"name": "Theirs", "slug": "theirs", "section": elsewhere.pk,
                                            "sort_order": 0})

    assert "already uses “baking”" in taken.context["form"].errors["slug"][0]
    assert "Choose a page of Copper Kettle" in foreign.context["form"].errors["section"][0]
    assert Topic.objects.count() == 1
    Topic.objects.create(site=other_site, name="Same slug elsewhere", slug="offers")
    same_slug = client.post(f"{TOPICS}new/", {"name": "Offers", "slug": "offers", "sort_order": 0})
    assert same_slug.status_code == 302


def test_the_topic_list_shows_only_this_sites_topics_with_member_counts(
    client, site, admin_user, people, other_site
):
    Topic.objects.create(site=other_site, name="Their secret topic", slug="secret")
    client.force_login(admin_user)

    response = client.get(TOPICS)

    html = response.content.decode()
    assert "Baking tips" in html and "Their secret topic" not in html
    counts = {topic.slug: topic.member_count for topic in response.context["object_list"]}
    assert counts == {"baking": 1, "offers": 1}


# Settings ---------------------------------------------------------------------------------------


def test_the_settings_screen_saves_consent_wording_and_signup_texts(client, site, admin_user):
    client.force_login(admin_user)
    html = client.get(SETTINGS).content.decode()
    assert "Consent wording: Email" in html and "Consent wording: Text message" in html

    response = client.post(SETTINGS, {
        "signup_heading": "Join the bakery club",
        "signup_intro": "Bread news, weekly.",
        "footer_form": "",
        "wording_email": "Yes, send me the bakery's emails.",
        "wording_sms": "",
    })

    assert response.status_code == 302
    saved = settings_for(site)
    assert (saved.signup_heading, saved.signup_intro, saved.footer_form) == (
        "Join the bakery club", "Bread news, weekly.", False
    )
    assert wording_for(site, "email") == "Yes, send me the bakery's emails."
    assert wording_for(site, "sms").startswith("Yes, text me what's new from")


def test_bad_settings_are_refused_and_nothing_is_saved(client, site, admin_user):
    client.force_login(admin_user)

    response = client.post(SETTINGS, {"signup_heading": "", "wording_email": "x" * 3000})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"signup_heading", "wording_email"}
    assert settings_for(site).signup_heading == "Hear from us"


# Who may use it --------------------------------------------------------------------------------


def every_url(member) -> list[str]:
    return [MEMBERS, f"{MEMBERS}?export=csv", ADD, detail_url(member), edit_url(member), delete_url(member),
            f"/admin/members/history/{member.pk}/", TOPICS, f"{TOPICS}new/", SETTINGS, IMPORTS,
            f"{IMPORTS}new/"]


def test_anyone_without_the_permissions_is_turned_away_and_sees_no_menu(client, site, moderator, people):
    ada = people["ada"]
    client.force_login(moderator)  # may use the admin, has no members permissions

    for url in every_url(ada):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response.url == "/admin/", url
    client.post(edit_url(ada), {"name": "Hacked", "stage": "customer", "tags": ""})
    client.post(withdraw_url(ada), {"channel": "email"})
    client.post(MARK_CUSTOMERS, {"member": [ada.pk]})
    client.post(delete_url(ada))
    client.post(SETTINGS, {"signup_heading": "Hacked"})

    ada.refresh_from_db()
    assert (ada.name, ada.stage) == ("Ada Lovelace", Stage.PROSPECT)
    assert ada.subscriptions.exists()
    assert settings_for(site).signup_heading == "Hear from us"
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "/admin/members/" not in dashboard.content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client, site, people):
    for url in every_url(people["ada"]):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/admin/login/"), url
    client.post(MARK_CUSTOMERS, {"member": [people["ada"].pk]})
    assert Member.objects.get(pk=people["ada"].pk).stage == Stage.PROSPECT


def test_editors_run_the_community_but_do_not_erase(client, site, editor, people):
    ada = people["ada"]
    client.force_login(editor)

    for url in (MEMBERS, detail_url(ada), edit_url(ada), ADD, TOPICS, SETTINGS, IMPORTS, f"{IMPORTS}new/"):
        assert client.get(url).status_code == 200, url
    menu = client.get("/admin/").content.decode()
    for url in (MEMBERS, TOPICS, IMPORTS, SETTINGS):
        assert url in menu
    assert client.get(delete_url(ada)).status_code in (302, 403)
    assert Member.objects.filter(pk=ada.pk).exists()


def test_the_permissions_can_be_given_on_the_group_screen(client, site, admin_user):
    client.force_login(admin_user)
    moderators = Group.objects.get(name="Moderators")

    html = client.get(f"/admin/groups/edit/{moderators.pk}/").content.decode()

    for permission in ("Can add member", "Can change member", "Can delete member", "Can add topic",
                       "Can add member import"):
        assert permission in html


def test_an_inactive_plugins_admin_screens_answer_404_and_its_menu_hides(
    client, site, admin_user, people, deactivate_plugin
):
    ada = people["ada"]
    deactivate_plugin(site, "members")
    client.force_login(admin_user)

    for url in every_url(ada):
        assert client.get(url).status_code == 404, url
    assert client.post(MARK_CUSTOMERS, {"member": [ada.pk]}).status_code == 404
    assert Member.objects.get(pk=ada.pk).stage == Stage.PROSPECT
    assert "/admin/members/" not in client.get("/admin/").content.decode()
