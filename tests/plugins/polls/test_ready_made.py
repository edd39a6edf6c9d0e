"""Ready-made polls: "keep in touch" follows the member channels the site
offers (or falls back to plain answers without the members plugin), the
admin screen that starts one, and the demo polls built on it."""
import pytest
from django.contrib.auth.models import Group
from django.test import Client

from hearthside.extending import hooks as core_hooks
from plugins.members import hooks as member_hooks
from plugins.members.channels import Channel
from plugins.polls import demo
from plugins.polls.models import Poll, Vote
from plugins.polls.templates import ANSWERS_WITHOUT_MEMBERS, KEEP_IN_TOUCH, READY_MADE
from tests.factories import UserFactory, make_section

pytestmark = pytest.mark.django_db

READY_MADE_URL = "/admin/polls/ready-made/"


def answers(poll):
    return [(choice.label, choice.channel) for choice in poll.choices.order_by("sort_order")]


def with_web_push_and_without_texts(channels, site, **kwargs):
    push = Channel("push", "Web push", "A notification in your browser.")
    return [channel for channel in channels if channel.key != "sms"] + [push]


# Keep in touch ---------------------------------------------------------------------------------


def test_keep_in_touch_asks_about_each_member_channel(site):
    poll = KEEP_IN_TOUCH.create(site)

    assert poll.site == site and poll.template == "keep_in_touch"
    assert poll.question == "How would you like us to keep in touch?"
    assert poll.multiple and poll.allow_text and poll.text_label == "Anything else we should know?"
    assert "your answers help us choose" in poll.description
    assert answers(poll) == [
        ("By email", "email"),
        ("By text message", "sms"),
        ("In my RSS reader", "rss"),
        ("Through a webhook to my own app", "webhook"),
    ]


def test_keep_in_touch_follows_the_channels_the_site_offers(site):
    with member_hooks.member_channels.connected(with_web_push_and_without_texts):
        poll = KEEP_IN_TOUCH.create(site)

    assert answers(poll) == [
        ("By email", "email"),
        ("In my RSS reader", "rss"),
        ("Through a webhook to my own app", "webhook"),
        ("Web push", "push"),  # a channel it has no wording for answers with its own name
    ]


def test_without_the_members_plugin_keep_in_touch_asks_in_plain_words(site, deactivate_plugin):
    deactivate_plugin(site, "members")

    poll = KEEP_IN_TOUCH.create(site)

    assert answers(poll) == [(label, "") for label in ANSWERS_WITHOUT_MEMBERS]
    assert len(ANSWERS_WITHOUT_MEMBERS) >= 2


# The admin screen ------------------------------------------------------------------------------


def test_the_screen_previews_each_ready_made_poll_for_the_site(client, site, editor):
    client.force_login(editor)

    with member_hooks.member_channels.connected(with_web_push_and_without_texts):
        response = client.get(READY_MADE_URL)

    assert response.status_code == 200
    html = response.content.decode()
    for template in READY_MADE.values():
        assert template.question in html
    assert "Web push" in html and "By text message" not in html
    assert "Anything else we should know?" in html
    assert not Poll.objects.exists(), "looking creates nothing"


def test_starting_one_creates_it_for_the_site_and_opens_it(client, site, editor):
    client.force_login(editor)

    response = client.post(READY_MADE_URL, {"template": "keep_in_touch"}, follow=True)

    poll = Poll.objects.get()
    assert poll.site == site and poll.template == "keep_in_touch"
    assert response.redirect_chain[-1][0] == f"/admin/polls/edit/{poll.pk}/"
    assert "is ready" in " ".join(str(message) for message in response.context["messages"])
    assert len(answers(poll)) == 4


def test_starting_one_on_another_site_makes_it_that_sites(client, site, editor):
    from wagtail.models import Page, Site

    from hearthside.models import HomePage

    home = HomePage(title="Other bakery", slug="other-bakery", hero_title="Elsewhere")
    Page.get_first_root_node().add_child(instance=home)
    other = Site.objects.create(hostname="other.example", port=80, root_page=home, site_name="Other bakery")
    client.force_login(editor)

    client.post(READY_MADE_URL, {"template": "keep_in_touch"}, HTTP_HOST="other.example")

    assert Poll.objects.get().site == other


def test_an_unknown_ready_made_poll_creates_nothing(client, site, editor):
    client.force_login(editor)

    response = client.post(READY_MADE_URL, {"template": "nonsense"}, follow=True)

    assert not Poll.objects.exists()
    assert "There is no such ready-made poll" in " ".join(str(m) for m in response.context["messages"])


def test_starting_one_needs_the_csrf_token(site, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    assert client.post(READY_MADE_URL, {"template": "keep_in_touch"}).status_code == 403
    assert not Poll.objects.exists()

    token = client.get(READY_MADE_URL).context["csrf_token"]
    response = client.post(READY_MADE_URL, {"template": "keep_in_touch", "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert Poll.objects.count() == 1


def test_starting_one_needs_the_add_permission(client, site):
    writer = UserFactory(username="writer")
    writer.user_permissions.add(*Group.objects.get(name="Editors").permissions.exclude(codename="add_poll"))
    client.force_login(writer)

    assert client.get(READY_MADE_URL).url == "/admin/"
    assert client.post(READY_MADE_URL, {"template": "keep_in_touch"}).url == "/admin/"
    assert not Poll.objects.exists()
    assert READY_MADE_URL not in client.get("/admin/polls/").content.decode()


# The demo ----------------------------------------------------------------------------------------


def test_the_demo_adds_its_polls_once(site):
    core_hooks.demo_content_loaded.send(site, pages={})
    core_hooks.demo_content_loaded.send(site, pages={})

    keep_in_touch = Poll.objects.get(site=site, template="keep_in_touch")
    bake = Poll.objects.get(site=site, question=demo.BAKE_QUESTION)
    assert Poll.objects.count() == 2
    assert Vote.objects.filter(poll=bake).count() == len(demo.BAKE_VOTES) == 30
    assert Vote.objects.filter(poll=keep_in_touch).count() == len(demo.KEEP_IN_TOUCH_VOTES)
    assert bake.is_open() and keep_in_touch.is_open()
    assert Vote.objects.filter(poll=bake).exclude(text="").count() == 6
    # Every vote chose an answer of its own poll, after the poll was created.
    for poll in (keep_in_touch, bake):
        for cast in Vote.objects.filter(poll=poll).prefetch_related("choices"):
            assert cast.choices.all() and all(choice.poll_id == poll.pk for choice in cast.choices.all())
            assert cast.created_at >= poll.created_at


def test_the_demo_asks_the_bake_poll_on_a_journal_page(client, site, root_page):
    from plugins.polls.pages import QuestionPage

    journal = make_section(root_page, title="Journal")

    core_hooks.demo_content_loaded.send(site, pages={"journal": journal})
    core_hooks.demo_content_loaded.send(site, pages={"journal": journal})

    page = QuestionPage.objects.child_of(journal).get()
    assert page.live and page.poll.question == demo.BAKE_QUESTION
    assert page.first_published_at == page.poll.created_at
    response = client.get(page.url)
    assert response.status_code == 200
    assert "Cardamom buns" in response.content.decode()


def test_no_demo_polls_while_the_plugin_is_inactive(site, deactivate_plugin):
    deactivate_plugin(site, "polls")

    core_hooks.demo_content_loaded.send(site, pages={})

    assert not Poll.objects.exists()
