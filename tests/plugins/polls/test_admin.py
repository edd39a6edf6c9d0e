"""Polls in the Wagtail admin: writing polls (with their answers, tied to
member channels), the checks on what is saved, each site seeing only its own
polls, who may do what, and the results screen with its CSV."""
import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from wagtail.models import Page, Site

from hearthside.models import HomePage
from plugins.polls.models import Choice, Poll, Vote
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

POLLS = "/admin/polls/"
ADD = "/admin/polls/add/"
READY_MADE = "/admin/polls/ready-made/"
CHOOSER = "/admin/snippets/choose/polls/poll/"
BULK_DELETE = "/admin/bulk/polls/poll/delete/"
HOSTILE = '<script>alert("x")</script>'


def edit_url(poll):
    return f"/admin/polls/edit/{poll.pk}/"


def delete_url(poll):
    return f"/admin/polls/delete/{poll.pk}/"


def results_url(poll):
    return f"/admin/polls/{poll.pk}/results/"


def csv_url(poll):
    return f"/admin/polls/{poll.pk}/results/votes.csv"


def every_url(poll):
    return [POLLS, ADD, READY_MADE, edit_url(poll), delete_url(poll), results_url(poll), csv_url(poll),
            f"/admin/polls/usage/{poll.pk}/", f"/admin/polls/history/{poll.pk}/"]


def make_poll(site, question="Tea or coffee?", answers=("Tea", "Coffee"), **fields):
    poll = Poll.objects.create(site=site, question=question, **fields)
    for order, answer in enumerate(answers):
        label, channel = answer if isinstance(answer, tuple) else (answer, "")
        Choice.objects.create(poll=poll, label=label, channel=channel, sort_order=order)
    return poll


def vote(poll, *labels, text="", voter=None, at=None):
    number = Vote.objects.filter(poll=poll).count() + 1
    cast = Vote.objects.create(poll=poll, voter=voter or f"browser:test-{number}", text=text,
                               created_at=at or timezone.now())
    cast.choices.set(poll.choices.filter(label__in=labels))
    return cast


def form_data(question="Which loaf?", answers=(("Sourdough", ""), ("Rye", "")), existing=(), **fields):
    """What the add and edit forms post: the poll's fields and the answers
    formset (``existing``: (choice, label, channel, delete) for saved answers)."""
    data = {
        "question": question,
        "description": "",
        "text_label": "Anything to add?",
        "opens_at": "",
        "closes_at": "",
        "results_shown": "after_voting",
        "choices-TOTAL_FORMS": str(len(existing) + len(answers)),
        "choices-INITIAL_FORMS": str(len(existing)),
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    rows = [(choice.pk, label, channel, delete) for choice, label, channel, delete in existing]
    rows += [("", label, channel, False) for label, channel in answers]
    for index, (pk, label, channel, delete) in enumerate(rows):
        data.update({
            f"choices-{index}-id": str(pk),
            f"choices-{index}-label": label,
            f"choices-{index}-channel": channel,
            f"choices-{index}-ORDER": str(index + 1),
        })
        if delete:
            data[f"choices-{index}-DELETE"] = "1"
    for name, value in fields.items():
        if value is True:
            data[name] = "on"
        elif value is not False:
            data[name] = value
    return data


def messages_in(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


@pytest.fixture
def other_site(site):
    root = Page.get_first_root_node()
    home = HomePage(title="Other bakery", slug="other-bakery", hero_title="Elsewhere")
    root.add_child(instance=home)
    home.save_revision().publish()
    return Site.objects.create(hostname="other.example", port=80, root_page=home, site_name="Other bakery")


@pytest.fixture
def writer(db):
    """May use the admin and do all Editors do, except anything with polls."""
    user = UserFactory(username="writer")
    editors = Group.objects.get(name="Editors")
    user.user_permissions.add(*editors.permissions.exclude(content_type__app_label="polls"))
    return user


# Writing polls ----------------------------------------------------------------------------------


def test_a_new_poll_belongs_to_the_admins_site_with_its_answers_in_order(client, site, editor):
    client.force_login(editor)

    response = client.post(ADD, form_data(
        question="How would you like to hear from us?",
        answers=[("By email", "email"), ("By text", "sms"), ("Just drop by", "")],
        multiple=True, allow_text=True, closes_at="2040-01-31 18:00",
    ))

    assert response.status_code == 302, messages_in(response) if response.context else response
    poll = Poll.objects.get()
    assert poll.site == site and poll.question == "How would you like to hear from us?"
    assert poll.multiple and poll.allow_text
    assert timezone.localtime(poll.closes_at).replace(tzinfo=None) == datetime.datetime(2040, 1, 31, 18, 0)
    assert [(c.label, c.channel) for c in poll.choices.order_by("sort_order")] == [
        ("By email", "email"), ("By text", "sms"), ("Just drop by", "")
    ]


def test_an_answers_channel_is_chosen_from_the_sites_member_channels(client, site, editor):
    client.force_login(editor)
    html = client.get(ADD).content.decode()

    select = html[html.index('name="choices-__prefix__-channel"'):]
    select = select[:select.index("</select>")]
    for key in ("email", "sms", "rss", "webhook"):
        assert f'value="{key}"' in select
    assert 'value=""' in select and "None" in select

    response = client.post(ADD, form_data(answers=[("By fax", "fax"), ("By post", "")]))
    assert response.status_code == 200
    assert not Poll.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_without_the_members_plugin_the_channel_is_typed(client, site, editor, deactivate_plugin):
    deactivate_plugin(site, "members")
    client.force_login(editor)
    html = client.get(ADD).content.decode()

    at = html.index('name="choices-__prefix__-channel"')
    field = html[at - 200:at]
    assert "<input" in field and "<select" not in field
    response = client.post(ADD, form_data(answers=[("By pigeon", "pigeon"), ("By post", "")]))
    assert response.status_code == 302
    assert sorted(Choice.objects.values_list("channel", flat=True)) == ["", "pigeon"]


def test_an_answer_keeps_a_channel_the_site_no_longer_offers(client, site, editor):
    poll = make_poll(site, answers=[("By fax", "fax"), ("By email", "email")])
    client.force_login(editor)
    fax, email = poll.choices.order_by("sort_order")

    html = client.get(edit_url(poll)).content.decode()
    assert "fax (no longer offered)" in html
    response = client.post(edit_url(poll), form_data(
        question="Tea or coffee?", answers=[],
        existing=[(fax, "By fax", "fax", False), (email, "By email", "email", False)],
    ))
    assert response.status_code == 302
    assert sorted(poll.choices.values_list("channel", flat=True)) == ["email", "fax"]


@pytest.mark.parametrize("answers", [[("Only one", "")], []])
def test_a_poll_needs_at_least_two_answers(client, site, editor, answers):
    client.force_login(editor)

    response = client.post(ADD, form_data(answers=answers))

    assert response.status_code == 200
    assert not Poll.objects.exists()
    assert "A poll needs at least two answers" in messages_in(response)


def test_answers_being_deleted_do_not_count_towards_the_two(client, site, editor):
    poll = make_poll(site, answers=["Tea", "Coffee"])
    tea, coffee = poll.choices.order_by("sort_order")
    client.force_login(editor)

    response = client.post(edit_url(poll), form_data(
        question="Tea or coffee?", answers=[],
        existing=[(tea, "Tea", "", False), (coffee, "Coffee", "", True)],
    ))

    assert response.status_code == 200
    assert "A poll needs at least two answers" in messages_in(response)
    assert poll.choices.count() == 2


def test_a_poll_must_close_after_it_opens(client, site, editor):
    client.force_login(editor)

    response = client.post(ADD, form_data(opens_at="2040-03-02 10:00", closes_at="2040-03-01 10:00"))

    assert response.status_code == 200
    assert not Poll.objects.exists()
    assert "The poll must close after it opens" in response.content.decode()


def test_editing_changes_the_poll_and_its_answers(client, site, editor):
    poll = make_poll(site, answers=["Tea", "Coffee"])
    tea, coffee = poll.choices.order_by("sort_order")
    client.force_login(editor)

    response = client.post(edit_url(poll), form_data(
        question="Tea, coffee or cocoa?",
        existing=[(tea, "Tea", "", False), (coffee, "Coffee", "", False)],
        answers=[("Cocoa", "")],
    ))

    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.question == "Tea, coffee or cocoa?" and poll.site == site
    assert [c.label for c in poll.choices.order_by("sort_order")] == ["Tea", "Coffee", "Cocoa"]


def test_the_list_shows_status_and_votes_with_a_results_button(client, site, editor):
    now = timezone.now()
    open_poll = make_poll(site, question="Open one")
    make_poll(site, question="Closed one", closes_at=now - datetime.timedelta(days=1))
    make_poll(site, question="Later one", opens_at=now + datetime.timedelta(days=1))
    vote(open_poll, "Tea")
    vote(open_poll, "Coffee")
    client.force_login(editor)

    response = client.get(POLLS)

    html = response.content.decode()
    rows = {poll.question: poll for poll in response.context["object_list"]}
    assert set(rows) == {"Open one", "Closed one", "Later one"}
    assert rows["Open one"].vote_count == 2
    for status in ("Open", "Closed", "Not open yet"):
        assert f">{status}<" in html.replace("\n", "").replace("  ", "")
    assert results_url(open_poll) in html
    assert READY_MADE in html and "Start from a ready-made poll" in html
    assert results_url(open_poll) in client.get(edit_url(open_poll)).content.decode()


# Each site its own polls -------------------------------------------------------------------------


def test_another_sites_polls_are_as_good_as_missing(client, site, editor, other_site):
    ours = make_poll(site, question="Ours")
    theirs = make_poll(other_site, question="Theirs, elsewhere")
    vote(theirs, "Tea", text="Secret elsewhere")
    client.force_login(editor)

    listing = client.get(POLLS)
    assert [poll.question for poll in listing.context["object_list"]] == ["Ours"]
    assert "Theirs, elsewhere" not in listing.content.decode()
    for url in every_url(theirs)[3:]:
        assert client.get(url).status_code == 404, url
    response = client.post(edit_url(theirs), form_data(question="Hijacked"))
    assert response.status_code == 404
    assert client.post(delete_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.question == "Theirs, elsewhere"

    chooser = client.get(CHOOSER).content.decode()
    assert "Ours" in chooser and "Theirs, elsewhere" not in chooser
    assert client.get(f"{CHOOSER}chosen/{theirs.pk}/").status_code == 404
    assert client.get(f"{CHOOSER}chosen/{ours.pk}/").status_code == 200
    chosen = client.get(f"{CHOOSER}chosen-multiple/?id={ours.pk}&id={theirs.pk}").content.decode()
    assert "Ours" in chosen and "Theirs" not in chosen

    # The same admin on the other site's host sees that site's polls only.
    listing = client.get(POLLS, HTTP_HOST="other.example")
    assert [poll.question for poll in listing.context["object_list"]] == ["Theirs, elsewhere"]


def test_deleting_in_bulk_reaches_only_the_sites_polls(client, site, editor, other_site):
    ours = make_poll(site, question="Ours")
    theirs = make_poll(other_site, question="Theirs")
    client.force_login(editor)

    confirm = client.get(f"{BULK_DELETE}?id=all")
    assert "Ours" in confirm.content.decode() and "Theirs" not in confirm.content.decode()
    assert client.post(f"{BULK_DELETE}?id={theirs.pk}").status_code == 404
    client.post(f"{BULK_DELETE}?id=all")

    assert not Poll.objects.filter(pk=ours.pk).exists()
    assert Poll.objects.filter(pk=theirs.pk).exists()


# Who may do what ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, site):
    poll = make_poll(site)
    for url in every_url(poll):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/admin/login/"), url
    client.post(ADD, form_data())
    client.post(READY_MADE, {"template": "keep_in_touch"})
    assert Poll.objects.count() == 1


def test_editors_without_the_poll_permissions_are_turned_away(client, site, writer):
    poll = make_poll(site)
    vote(poll, "Tea", text="Private words")
    client.force_login(writer)

    for url in every_url(poll):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response.url == "/admin/", url
        assert b"Private words" not in response.content
    client.post(ADD, form_data(question="Sneaked in"))
    client.post(READY_MADE, {"template": "keep_in_touch"})
    client.post(edit_url(poll), form_data(question="Hijacked"))
    client.post(delete_url(poll))

    assert list(Poll.objects.values_list("question", flat=True)) == ["Tea or coffee?"]
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200 and POLLS not in dashboard.content.decode()


def poll_permission(codename):
    return Permission.objects.get(content_type__app_label="polls", codename=codename)


def test_seeing_results_takes_the_view_permission(client, site, writer):
    poll = make_poll(site)
    writer.user_permissions.add(poll_permission("change_poll"))
    client.force_login(writer)
    assert client.get(edit_url(poll)).status_code == 200
    assert client.get(results_url(poll)).url == "/admin/"
    assert client.get(csv_url(poll)).url == "/admin/"

    writer.user_permissions.add(poll_permission("view_poll"))
    assert client.get(results_url(poll)).status_code == 200
    assert client.get(csv_url(poll)).status_code == 200


def test_editors_and_moderators_use_every_screen(client, site, editor, moderator):
    poll = make_poll(site)
    for user in (editor, moderator):
        client.force_login(user)
        for url in every_url(poll):
            assert client.get(url).status_code == 200, (user, url)
        assert POLLS in client.get("/admin/").content.decode()


def test_the_permissions_are_on_the_group_screen(client, site, admin_user):
    client.force_login(admin_user)
    moderators = Group.objects.get(name="Moderators")

    html = client.get(f"/admin/groups/edit/{moderators.pk}/").content.decode()

    row = html[html.index("<h3>Poll</h3>"):]
    row = row[:row.index("</tr>")]
    for permission in ("Can add poll", "Can change poll", "Can delete poll", "Can view"):
        assert permission in row


def test_the_core_knows_the_menu_item_as_the_plugins(client, site, admin_user, deactivate_plugin):
    from hearthside.wagtail_hooks import _plugin_menu_item_names

    assert _plugin_menu_item_names()["polls"] == "polls"
    poll = make_poll(site)
    client.force_login(admin_user)
    assert POLLS in client.get("/admin/").content.decode()

    deactivate_plugin(site, "polls")

    assert POLLS not in client.get("/admin/").content.decode()
    for url in every_url(poll):
        assert client.get(url).status_code == 404, url


# Results ------------------------------------------------------------------------------------------


def test_the_results_count_each_answer_and_share_of_voters(client, site, editor):
    poll = make_poll(site, question="Pick your bakes", answers=["Buns", "Cake", "Scones"], multiple=True)
    vote(poll, "Buns", "Cake")
    vote(poll, "Buns")
    vote(poll, "Buns")
    vote(poll, "Cake")
    client.force_login(editor)

    response = client.get(results_url(poll))

    assert response.status_code == 200
    assert response.context["voters"] == 4
    assert [(a["label"], a["votes"], a["percent"]) for a in response.context["answers"]] == [
        ("Buns", 3, 75), ("Cake", 2, 50), ("Scones", 0, 0)
    ]
    html = response.content.decode()
    assert '<rect width="75"' in html and "75 %" in html
    assert "shares add up to more than 100" in html


def test_written_answers_are_escaped_newest_first_and_paginated(client, site, editor):
    poll = make_poll(site, answers=[HOSTILE, "Coffee"], allow_text=True, description=HOSTILE)
    start = timezone.now() - datetime.timedelta(days=30)
    for number in range(27):
        vote(poll, "Coffee", text=f"Answer number {number:02d}", at=start + datetime.timedelta(hours=number))
    vote(poll, HOSTILE, text=HOSTILE, at=timezone.now())
    vote(poll, "Coffee", text="")  # chose an answer, wrote nothing
    client.force_login(editor)

    html = client.get(results_url(poll)).content.decode()

    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "What people wrote (28)" in html
    assert html.index("&lt;script&gt;alert") < html.index("Answer number 26") < html.index("Answer number 25")
    assert "Answer number 02" not in html  # on the second page
    second = client.get(results_url(poll) + "?page=2").content.decode()
    assert "Answer number 02" in second and "Answer number 00" in second and "Answer number 26" not in second


def test_the_votes_download_as_csv_without_formulas_or_voter_ids(client, site, editor):
    poll = make_poll(site, answers=["=1+1", "Coffee"], allow_text=True, multiple=True)
    vote(poll, "=1+1", "Coffee", text='=HYPERLINK("http://evil.example")', voter="member:98765",
         at=timezone.now() - datetime.timedelta(days=2))
    vote(poll, "Coffee", text="@SUM(A1)", voter="browser:s3cretkey")
    vote(poll, "Coffee", text="Plain -ish words", voter="user:7")
    client.force_login(editor)

    response = client.get(csv_url(poll))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["Voted at", "Answers", "Text", "Voter"]
    assert [row[1:] for row in rows[1:]] == [
        ["'=1+1; Coffee", "'=HYPERLINK(\"http://evil.example\")", "member"],
        ["Coffee", "'@SUM(A1)", "browser"],
        ["Coffee", "Plain -ish words", "user"],
    ]
    assert "98765" not in body and "s3cretkey" not in body
