"""Who may use each admin screen and API endpoint of Hearthside and its plugins.

:data:`ACCESS` gives every such URL its rule: the role that may use it, and
the one that may not. The table is checked against the URL resolver, so a
screen or endpoint added later without a rule fails
:func:`test_every_admin_and_api_url_has_a_rule`.

Each rule is then tried with five callers: an anonymous visitor, a member
holding their preferences token (a member of the members plugin is not a
Django user), a member in the Django sense (an account with no admin
access), the wrong role and the right role. Refused callers are sent to the
login (admin), turned away with Wagtail's "permission denied" (admin), or
answered 401/403 (API), and their POSTs change nothing in the database: every
row of Hearthside's, its plugins' and Wagtail's core tables is compared before
and after. The right role gets the screen, and its POST makes the change.

The specific rules (only moderators moderate, only publishers send updates
and newsletters) have tests of their own at the end; members' tokens are in
test_access_tokens.py.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Callable

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from rest_framework.test import APIClient
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.documents import get_document_model
from wagtail.models import Page

from plugins.comments.models import CommentState, PageComment
from plugins.members import imports
from plugins.members.models import Member, Topic
from plugins.polls.models import Poll
from plugins.syndication.models import Update, UpdateKind, UpdateStatus
from tests.factories import ImageFactory, make_article, make_section
from tests.plugins.comments.factories import store_comment
from tests.plugins.members.factories import make_member
from tests.plugins.polls.factories import make_poll
from tests.plugins.polls.test_admin import form_data as poll_form_data
from tests.plugins.syndication.test_newsletter import newsletter_action
from tests.support.forms import posted_fields

from .conftest import preferences_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_limits")]

OUR_CODE = ("plugins.", "hearthside.", "api.")
AREAS = ("admin/", "api/")
LOGIN, DENIED, UNAUTHENTICATED, FORBIDDEN, OK = "login", "denied", "unauthenticated", "forbidden", "ok"
ANONYMOUS, MEMBER, ACCOUNT, WRONG, RIGHT = (
    "anonymous",
    "member token",
    "account holder",
    "wrong role",
    "right role",
)
# Rows whose change would mean a refused request did something.
WATCHED_APPS = (
    "comments",
    "django_comments",
    "django_comments_xtd",
    "members",
    "polls",
    "syndication",
    "insights",
    "hearthside",
    "wagtailcore",
    "wagtail_newsletter",
    "wagtailimages",
    "wagtaildocs",
    "taggit",
    "auth",
)


@pytest.fixture
def generous_limits(settings):
    """Rate limits out of the way: each test makes many requests from one address."""
    settings.MEMBERS_RATE_PER_IP = settings.MEMBERS_RATE_PER_EMAIL = "1000/d"
    settings.COMMENTS_RATE_PER_IP = settings.COMMENTS_RATE_PER_EMAIL = "1000/d"
    settings.COMMENTS_MIN_SECONDS_TO_POST = 0
    settings.HEARTHSIDE_RATE_LIMITS = [(*rule[:3], "1000/h") for rule in settings.HEARTHSIDE_RATE_LIMITS]
    rates = {key: "1000/min" for key in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


# --- what the resolver serves ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Route:
    name: str
    route: str
    kwargs: tuple[str, ...]
    module: str
    namespaces: tuple[str, ...]


def _walk(resolver, prefix="", namespaces=()):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespaces + ((entry.namespace,) if entry.namespace else ())
            yield from _walk(entry, prefix + str(entry.pattern), inner)
            continue
        view = getattr(entry.callback, "view_class", None) or getattr(entry.callback, "cls", None)
        yield Route(
            # An unnamed pattern is known by its route.
            name=":".join(namespaces + (entry.name,)) if entry.name else prefix + str(entry.pattern),
            route=prefix + str(entry.pattern),
            kwargs=tuple(getattr(entry.pattern, "converters", {})) or tuple(entry.pattern.regex.groupindex),
            module=(view or entry.callback).__module__,
            namespaces=namespaces,
        )


def our_routes() -> dict[str, Route]:
    """Admin and API URLs that are Hearthside's: the view is in our code, or
    it is in a namespace our code registers (a viewset of ours where Wagtail
    supplies some views), plus the settings screen of each setting model we
    register (one URL pattern serves them all, so each counts apart)."""
    routes = [r for r in _walk(get_resolver()) if r.route.startswith(AREAS)]
    ours = {r.namespaces for r in routes if r.module.startswith(OUR_CODE) and r.namespaces}
    found = {r.name: r for r in routes if r.module.startswith(OUR_CODE) or r.namespaces in ours}
    for model in settings_registry:
        if (apps.get_containing_app_config(model.__module__).name + ".").startswith(OUR_CODE):
            name = f"wagtailsettings:edit:{model._meta.label_lower}"
            found[name] = Route(
                name, "admin/settings/", ("app_name", "model_name", "pk"), model.__module__, ()
            )
    return found


# --- the world every rule is tried on ---------------------------------------------------------------


class World:
    """What the URLs act on, each made the first time a rule needs it."""

    def __init__(self, site, admin_user):
        self.site, self.admin_user = site, admin_user

    @cached_property
    def journal(self):
        return make_section(self.site.root_page, title="Journal")

    @cached_property
    def article(self):
        return make_article(self.journal, title="Spring sourdough class")

    @cached_property
    def update(self):
        return Update.objects.create(
            page=self.article,
            site=self.site,
            kind=UpdateKind.PAGE,
            sequence=1,
            title=self.article.title,
            status=UpdateStatus.SCHEDULED,
            send_at=timezone.now() + timedelta(minutes=10),
        )

    @cached_property
    def comment(self):
        return store_comment(self.article, state=CommentState.APPROVED)

    @cached_property
    def poll(self):
        return make_poll(self.site)

    @cached_property
    def member(self):
        return make_member(
            self.site, email="robin@example.com", name="Robin", channels={"email": "immediate"}
        )

    @cached_property
    def topic(self):
        return Topic.objects.create(site=self.site, name="Baking tips", slug="baking", section=self.journal)

    @cached_property
    def member_import(self):
        upload = SimpleUploadedFile(
            "people.csv", b"email,name\nnew.person@example.com,New\n", content_type="text/csv"
        )
        return imports.preview(self.site, self.admin_user, upload, imports.ImportOptions())

    @cached_property
    def image(self):
        return ImageFactory()

    @cached_property
    def document(self):
        return get_document_model().objects.create(
            title="Price list", file=SimpleUploadedFile("prices.txt", b"1")
        )


@pytest.fixture
def world(site, admin_user):
    return World(site, admin_user)


def kwarg_value(route: Route, key: str, world: World):
    if key == "comment_id":
        return world.comment.pk
    if key == "page_id":
        return world.article.pk
    if key == "poll_id":
        return world.poll.pk
    if route.name.startswith("members_admin:import"):
        return world.member_import.pk
    if route.name.startswith("members_admin:"):
        return world.member.pk
    by_namespace = {
        "syndication_admin": "update",
        "wagtailsnippets_polls_poll": "poll",
        "wagtailsnippetchoosers_polls_poll": "poll",
        "members_topics": "topic",
        "pages": "article",
        "images": "image",
        "documents": "document",
    }
    return getattr(world, by_namespace[route.namespaces[-1]]).pk


def url_of(route: Route, world: World) -> str:
    if route.name == route.route:
        return "/" + route.route.split("^")[0]
    if route.name.startswith("wagtailsettings:edit:"):
        app_label, model_name = route.name.rsplit(":", 1)[1].split(".")
        return reverse("wagtailsettings:edit", args=[app_label, model_name, world.site.pk])
    return reverse(route.name, kwargs={key: kwarg_value(route, key, world) for key in route.kwargs})


# --- posts that make a change (for the right role) ---------------------------------------------------


def form_fields(html: str) -> dict:
    """The fields of the page's main POST form, as a browser would send them."""
    soup = BeautifulSoup(html, "html.parser")
    form = next(
        f
        for f in soup.find_all("form")
        if (f.get("method") or "").lower() == "post"
        and f.find(
            ["input", "select", "textarea"], attrs={"name": lambda n: n and n != "csrfmiddlewaretoken"}
        )
    )
    return posted_fields(form)


def edited(**changes) -> Callable:
    """The screen's own form, as it is drawn for the right role, with ``changes``."""

    def _data(world, client, url):
        return {**form_fields(client.get(url).content.decode()), **changes}

    return _data


def fixed(data) -> Callable:
    return lambda world, client, url: data(world) if callable(data) else data


def poll_edit(world, client, url):
    existing = [(choice, choice.label, "", False) for choice in world.poll.choices.order_by("sort_order")]
    return poll_form_data(question="Which loaf on Sundays?", answers=(), existing=existing)


def new_import(world, client, url):
    upload = SimpleUploadedFile("more.csv", b"email\nsomeone@example.com\n", content_type="text/csv")
    return {"file": upload, "default_stage": "contact", "email_consent": "no", "consent_wording": ""}


def access_link_token(world):
    from plugins.members import signup, tokens

    signup.request_access(world.site, world.member.email)
    world.member.refresh_from_db()
    return {"token": tokens.make(tokens.ACCESS, world.member, world.member.access_nonce)}


def confirmation_token(world):
    from plugins.members import signup, tokens

    pending = signup.signup(world.site, email="pending@example.com")
    return {"token": tokens.make(tokens.CONFIRM, pending, pending.confirmation_nonce)}


def phone_waiting(world):
    """The member asked for texts on a new number, which waits for its code."""
    from plugins.members import preferences

    preferences.update_preferences(
        world.member, channels={"email": "immediate", "sms": "immediate"}, phone="+447400123457"
    )


def phone_code(world):
    from plugins.members import signup

    phone_waiting(world)
    return {"code": signup.issue_phone_code(Member.objects.get(pk=world.member.pk))}


def status(value) -> Callable:
    def _prepare(world):
        Update.objects.filter(pk=world.update.pk).update(status=value)

    return _prepare


# --- the rules ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Rule:
    """``right`` may use the URL, ``wrong`` (a fixture's name) may not.
    ``right`` is a fixture's name, or ANYONE, SIGNED_IN (any Django user) or
    MEMBER (a member's preferences token). ``change`` builds what the right
    role posts (``method``) to change something; None for screens that only
    show. ``prepare`` sets the world up for that change; ``read`` is how the
    URL is opened (``post`` for POST-only views), with ``query``."""

    right: str
    wrong: str | None
    change: Callable | None = None
    method: str = "post"
    read: str = "get"
    query: str = ""
    prepare: Callable | None = None
    why: str = ""
    answers: int | None = None  # the status everyone gets, where it is not a success


ANYONE, SIGNED_IN = "anyone", "signed in"
EDITOR = "editor"
NO_POLLS, NO_MEMBERS, NO_UPDATES, NO_INSIGHTS = (
    "editor_without:polls",
    "editor_without:members",
    "editor_without:syndication",
    "editor_without:insights",
)

ACCESS: dict[str, Rule] = {
    # Core
    "hearthside_plugins": Rule(
        "plugin_manager",
        "editor_without:hearthside",
        fixed(lambda w: {"plugin": "polls", "action": "deactivate", "site": w.site.pk}),
    ),
    "wagtailsettings:edit:hearthside.sitebranding": Rule(
        "admin_user", EDITOR, edited(brand_name="Copper & Co")
    ),
    # Comments: moderators only
    "comments_admin:queue": Rule("moderator", EDITOR),
    "comments_admin:bulk": Rule(
        "moderator", EDITOR, fixed(lambda w: {"action": "reject", "comment": [w.comment.pk]}), read="post"
    ),
    "comments_admin:needs_response": Rule("moderator", EDITOR, fixed(lambda w: {"comment": [w.comment.pk]})),
    "comments_admin:reply": Rule("moderator", EDITOR, fixed({"text": "Thank you, see you on Saturday."})),
    "comments_admin:rules": Rule("moderator", EDITOR, edited(max_depth="1")),
    # Insights
    "insights_admin:dashboard": Rule(EDITOR, NO_INSIGHTS),
    # Syndication: editors see updates, only publishers act on them, moderators configure
    "syndication_admin:updates": Rule(EDITOR, NO_UPDATES),
    "syndication_admin:update": Rule(EDITOR, NO_UPDATES),
    "syndication_admin:progress": Rule(EDITOR, NO_UPDATES),
    "syndication_admin:preview": Rule(EDITOR, NO_UPDATES),
    "syndication_admin:send_now": Rule("publisher", EDITOR, fixed({}), read="post"),
    "syndication_admin:hold": Rule("publisher", EDITOR, fixed({}), read="post"),
    "syndication_admin:release": Rule(
        "publisher", EDITOR, fixed({}), read="post", prepare=status(UpdateStatus.HELD)
    ),
    "syndication_admin:retry": Rule(
        "publisher", EDITOR, fixed({}), read="post", prepare=status(UpdateStatus.PROBLEM)
    ),
    "syndication_admin:cancel": Rule("publisher", EDITOR, fixed({})),
    "syndication_admin:send_again": Rule("publisher", EDITOR, fixed({}), prepare=status(UpdateStatus.SENT)),
    "syndication_admin:settings": Rule("moderator", "publisher", edited(send_delay_minutes="25")),
    # Polls
    "wagtailsnippets_polls_poll:list": Rule(EDITOR, NO_POLLS),
    "wagtailsnippets_polls_poll:list_results": Rule(EDITOR, NO_POLLS),
    "wagtailsnippets_polls_poll:add": Rule(EDITOR, NO_POLLS, fixed(poll_form_data())),
    "wagtailsnippets_polls_poll:edit": Rule(EDITOR, NO_POLLS, poll_edit),
    "wagtailsnippets_polls_poll:delete": Rule(EDITOR, NO_POLLS, fixed({})),
    "wagtailsnippets_polls_poll:usage": Rule(EDITOR, NO_POLLS),
    "wagtailsnippets_polls_poll:history": Rule(EDITOR, NO_POLLS),
    "wagtailsnippets_polls_poll:history_results": Rule(EDITOR, NO_POLLS),
    "wagtailsnippets_polls_poll:ready_made": Rule(EDITOR, NO_POLLS, fixed({"template": "keep_in_touch"})),
    "wagtailsnippets_polls_poll:results": Rule(EDITOR, NO_POLLS),
    "wagtailsnippets_polls_poll:results_csv": Rule(EDITOR, NO_POLLS),
    # The chooser is how a writer puts a poll in a page; any admin user may choose.
    "wagtailsnippetchoosers_polls_poll:choose": Rule(
        "admin_visitor", None, why="any admin user may choose a poll for a page"
    ),
    "wagtailsnippetchoosers_polls_poll:choose_results": Rule(
        "admin_visitor", None, why="any admin user may choose a poll for a page"
    ),
    "wagtailsnippetchoosers_polls_poll:chosen": Rule(
        "admin_visitor", None, why="any admin user may choose a poll for a page"
    ),
    "wagtailsnippetchoosers_polls_poll:chosen_multiple": Rule(
        "admin_visitor", None, query="?id={world.poll.pk}", why="any admin user may choose a poll for a page"
    ),
    "wagtailsnippetchoosers_polls_poll:create": Rule(
        EDITOR, None, fixed(poll_form_data()), answers=404, why="polls are written on their own screen"
    ),
    # Members: editors run the community, only superusers erase
    "members_admin:index": Rule(EDITOR, NO_MEMBERS),
    "members_admin:index_results": Rule(EDITOR, NO_MEMBERS),
    "members_admin:add": Rule(
        EDITOR,
        NO_MEMBERS,
        fixed({"email": "walk.in@example.com", "name": "Walk-in", "stage": "contact", "tags": ""}),
    ),
    "members_admin:edit": Rule(
        EDITOR, NO_MEMBERS, fixed({"name": "Robin Baker", "stage": "customer", "tags": ""})
    ),
    "members_admin:delete": Rule("admin_user", EDITOR, fixed({})),
    "members_admin:history": Rule(EDITOR, NO_MEMBERS),
    "members_admin:history_results": Rule(EDITOR, NO_MEMBERS),
    "members_admin:usage": Rule(EDITOR, NO_MEMBERS),
    "members_admin:inspect": Rule(EDITOR, NO_MEMBERS),
    "members_admin:withdraw": Rule(EDITOR, NO_MEMBERS, fixed({"channel": ""}), read="post"),
    "members_admin:mark_customers": Rule(
        EDITOR, NO_MEMBERS, fixed(lambda w: {"member": [w.member.pk]}), read="post"
    ),
    "members_admin:imports": Rule(EDITOR, NO_MEMBERS),
    "members_admin:import_upload": Rule(EDITOR, NO_MEMBERS, new_import),
    "members_admin:import": Rule(EDITOR, NO_MEMBERS),
    "members_admin:import_run": Rule(EDITOR, NO_MEMBERS, fixed({}), read="post"),
    "members_admin:import_status": Rule(EDITOR, NO_MEMBERS),
    "members_admin:settings": Rule(EDITOR, NO_MEMBERS, edited(signup_heading="Join the bakery club")),
    "members_topics:index": Rule(EDITOR, NO_MEMBERS),
    "members_topics:index_results": Rule(EDITOR, NO_MEMBERS),
    "members_topics:add": Rule(EDITOR, NO_MEMBERS, edited(name="Pastry", slug="pastry")),
    "members_topics:edit": Rule(EDITOR, NO_MEMBERS, edited(name="Bread and baking")),
    "members_topics:delete": Rule("admin_user", EDITOR, fixed({})),
    "members_topics:history": Rule(EDITOR, NO_MEMBERS),
    "members_topics:history_results": Rule(EDITOR, NO_MEMBERS),
    "members_topics:usage": Rule(EDITOR, NO_MEMBERS),
    # API v2: Wagtail's read-only content API, public
    "wagtailapi:pages:listing": Rule(ANYONE, None),
    "wagtailapi:pages:detail": Rule(ANYONE, None),
    "wagtailapi:pages:find": Rule(ANYONE, None, query="?html_path=/"),
    "wagtailapi:images:listing": Rule(ANYONE, None),
    "wagtailapi:images:detail": Rule(ANYONE, None),
    "wagtailapi:images:find": Rule(ANYONE, None, query="?id={world.image.pk}"),
    "wagtailapi:documents:listing": Rule(ANYONE, None),
    "wagtailapi:documents:detail": Rule(ANYONE, None),
    "wagtailapi:documents:find": Rule(ANYONE, None, query="?id={world.document.pk}"),
    "api-schema": Rule(ANYONE, None),
    "api/^(?:.*/)?$": Rule(
        ANYONE, None, answers=404, why="what is not an endpoint is a JSON 404 for everyone"
    ),
    # API v1
    "api-v1:site-info": Rule(ANYONE, None),
    "api-v1:active-plugins": Rule(ANYONE, None),
    "api-v1:api-comments:page-thread": Rule(
        ANYONE, None, fixed({"comment": "Lovely loaf.", "name": "Pat", "email": "pat@example.com"})
    ),
    "api-v1:api-comments:like": Rule(SIGNED_IN, None, fixed({}), read="post"),
    "api-v1:api-comments:flag": Rule(SIGNED_IN, None, fixed({}), read="post"),
    "api-v1:api-insights:dashboard": Rule(EDITOR, NO_INSIGHTS),
    "api-v1:api-members:options": Rule(ANYONE, None),
    "api-v1:api-members:signup": Rule(ANYONE, None, fixed({"email": "new.member@example.com"}), read="post"),
    "api-v1:api-members:confirm": Rule(ANYONE, None, fixed(confirmation_token), read="post"),
    "api-v1:api-members:access": Rule(ANYONE, None, fixed(lambda w: {"email": w.member.email}), read="post"),
    "api-v1:api-members:access-open": Rule(ANYONE, None, fixed(access_link_token), read="post"),
    "api-v1:api-members:preferences": Rule(MEMBER, EDITOR, fixed({"name": "Robin B."}), method="patch"),
    "api-v1:api-members:phone-code": Rule(MEMBER, EDITOR, fixed(phone_code), read="post"),
    "api-v1:api-members:phone-code-resend": Rule(
        MEMBER, EDITOR, fixed({}), read="post", prepare=phone_waiting
    ),
    "api-v1:api-members:unsubscribe": Rule(MEMBER, EDITOR, fixed({"channel": "email"}), read="post"),
    "api-v1:api-members:export": Rule(MEMBER, EDITOR),
    "api-v1:api-polls:poll": Rule(ANYONE, None),
    "api-v1:api-polls:vote": Rule(
        ANYONE, None, fixed(lambda w: {"choices": [w.poll.choices.first().pk]}), read="post"
    ),
}


def test_every_admin_and_api_url_has_a_rule():
    found = set(our_routes())
    assert found - set(ACCESS) == set(), "admin or API URLs without an access rule: add them to ACCESS"
    assert set(ACCESS) - found == set(), "rules for URLs that no longer exist"


def test_every_screen_for_a_role_is_also_tried_with_someone_without_it():
    for name, rule in ACCESS.items():
        if rule.right in (ANYONE, SIGNED_IN, MEMBER) or rule.why:
            continue
        assert rule.wrong, f"{name}: a screen for a role needs someone who lacks it"


# --- trying a rule ----------------------------------------------------------------------------------


def database_state() -> dict:
    """Every row of the watched tables (users without their last login)."""
    user_model = get_user_model()
    state = {}
    for model in apps.get_models():
        if model._meta.app_label not in WATCHED_APPS or not model._meta.managed:
            continue
        rows = model._base_manager.order_by("pk")
        if model is user_model:
            fields = [f.attname for f in model._meta.concrete_fields if f.name != "last_login"]
            state[model._meta.label] = list(rows.values_list(*fields))
        else:
            state[model._meta.label] = list(rows.values_list())
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def expected_refusals(rule: Rule, area: str) -> dict[str, str]:
    """Who is refused, and how."""
    if area == "admin/":
        refused = {ANONYMOUS: LOGIN, MEMBER: LOGIN, ACCOUNT: LOGIN}
        if rule.wrong:
            refused[WRONG] = DENIED
        return refused
    if rule.right == ANYONE:
        return {}
    if rule.right == SIGNED_IN:
        return {ANONYMOUS: UNAUTHENTICATED, MEMBER: UNAUTHENTICATED}
    if rule.right == MEMBER:
        return {ANONYMOUS: UNAUTHENTICATED, ACCOUNT: UNAUTHENTICATED, WRONG: UNAUTHENTICATED}
    return {ANONYMOUS: UNAUTHENTICATED, MEMBER: UNAUTHENTICATED, ACCOUNT: FORBIDDEN, WRONG: FORBIDDEN}


def assert_refused(response, how: str, who: str):
    where = response.get("Location", "")
    if how == LOGIN:
        assert response.status_code == 302 and where.startswith("/admin/login/"), (
            who,
            response.status_code,
            where,
        )
    elif how == DENIED:
        assert (response.status_code == 302 and where == "/admin/") or response.status_code == 403, (
            who,
            response.status_code,
            where,
        )
    elif how == UNAUTHENTICATED:
        assert response.status_code in (401, 403), (who, response.status_code)
    else:
        assert response.status_code == 403, (who, response.status_code)


def assert_allowed(response, who: str):
    where = response.get("Location", "")
    assert response.status_code in (200, 201, 202, 204, 302, 303), (
        who,
        response.status_code,
        response.content[:300],
    )
    assert not where.startswith("/admin/login/") and where != "/admin/", (who, where)


def person(request, name: str):
    if name.startswith("editor_without:"):
        return request.getfixturevalue("editor_without")(name.split(":", 1)[1])
    return request.getfixturevalue(name)


def send(client, method: str, url: str, data=None, area: str = "admin/"):
    for value in (data or {}).values():
        if hasattr(value, "seek"):
            value.seek(0)  # the same upload is posted by each caller
    if method == "get":
        return client.get(url)
    if area == "api/":
        return getattr(client, method)(url, data or {}, format="json")
    return getattr(client, method)(url, data or {})


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_each_url_refuses_the_wrong_people_and_serves_the_right_one(
    name, request, world, account_holder, django_capture_on_commit_callbacks
):
    rule = ACCESS[name]
    route = our_routes()[name]
    area = "admin/" if route.route.startswith("admin/") else "api/"
    url = url_of(route, world) + rule.query.format(world=world)
    if rule.prepare:
        rule.prepare(world)

    clients = {ANONYMOUS: APIClient(), MEMBER: APIClient(), ACCOUNT: APIClient()}
    clients[MEMBER].credentials(HTTP_AUTHORIZATION=f"Member {preferences_token(world.member)}")
    clients[ACCOUNT].force_login(account_holder)
    if rule.wrong:
        clients[WRONG] = APIClient()
        clients[WRONG].force_login(person(request, rule.wrong))
    if rule.right == MEMBER:
        clients[RIGHT] = clients.pop(MEMBER)
        clients[MEMBER] = APIClient()  # a member with no token at all is the anonymous case
    elif rule.right == SIGNED_IN:
        clients[RIGHT] = clients[ACCOUNT]
    elif rule.right == ANYONE:
        clients[RIGHT] = clients[ANONYMOUS]
    else:
        clients[RIGHT] = APIClient()
        clients[RIGHT].force_login(person(request, rule.right))

    # The right role opens it (before the database is read: opening must not count as the change).
    if rule.answers:
        assert clients[RIGHT].get(url).status_code == rule.answers
    elif rule.read == "get":
        assert_allowed(clients[RIGHT].get(url), RIGHT)
    # Refused: when opening the URL, and when posting the change the right role may make.
    refusals = expected_refusals(rule, area)
    for who, how in refusals.items():
        assert_refused(send(clients[who], rule.read, url, area=area), how, who)
    data = rule.change(world, clients[RIGHT], url) if rule.change else {}
    before = database_state()
    for who, how in refusals.items():
        assert_refused(send(clients[who], rule.method if rule.change else "post", url, data, area), how, who)
    assert changed_tables(before, database_state()) == [], (
        f"refused {', '.join(refusals)}: one changed something"
    )

    # Allowed: the right role's change happens.
    if rule.change:
        with django_capture_on_commit_callbacks(execute=True):
            response = send(clients[RIGHT], rule.method, url, data, area)
        if rule.answers:
            assert response.status_code == rule.answers
            assert changed_tables(before, database_state()) == []
            return
        assert_allowed(response, RIGHT)
        assert changed_tables(before, database_state()), f"the right role's {rule.method} changed nothing"


# --- only moderators moderate ------------------------------------------------------------------------


def comment_rows(article) -> list[tuple]:
    return sorted(
        PageComment.objects.filter(object_pk=str(article.pk)).values_list(
            "pk", "state", "is_business_reply", "answered_at", "comment"
        )
    )


@pytest.mark.parametrize(
    "action, state",
    [
        ("approve", CommentState.APPROVED),
        ("reject", CommentState.REMOVED),
        ("spam", CommentState.SPAM),
    ],
)
def test_only_moderators_approve_remove_or_mark_comments(
    client, world, editor, publisher, moderator, action, state
):
    pending = store_comment(world.article, state=CommentState.PENDING)
    before = comment_rows(world.article)

    for person in (editor, publisher):  # editors and publishers of pages are not moderators
        client.force_login(person)
        assert (
            client.post(reverse("comments_admin:bulk"), {"action": action, "comment": [pending.pk]}).url
            == "/admin/"
        )
    assert comment_rows(world.article) == before

    client.force_login(moderator)
    client.post(reverse("comments_admin:bulk"), {"action": action, "comment": [pending.pk]})
    assert PageComment.objects.get(pk=pending.pk).state == state


def test_only_moderators_reply_as_the_business(client, world, editor, publisher, moderator):
    reply_url = reverse("comments_admin:reply", args=[world.comment.pk])
    before = comment_rows(world.article)

    for person in (editor, publisher):
        client.force_login(person)
        assert client.post(reply_url, {"text": "Thanks from the shop!"}).url == "/admin/"
        assert (
            client.post(reverse("comments_admin:needs_response"), {"comment": [world.comment.pk]}).url
            == "/admin/"
        )
    assert comment_rows(world.article) == before

    client.force_login(moderator)
    client.post(reply_url, {"text": "Thanks from the shop!"})
    reply = PageComment.objects.get(parent_id=world.comment.pk, is_business_reply=True)
    assert reply.is_business_reply and reply.comment == "Thanks from the shop!" and reply.user == moderator


# --- only publishers send updates ---------------------------------------------------------------------


@pytest.fixture
def section_publisher(world):
    """May publish another section's pages, not the journal with the update's article."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    from tests.factories import UserFactory

    offers = make_section(world.site.root_page, title="Offers")
    group = Group.objects.create(name="Offers publishers")
    for codename in ("change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=offers,
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
        )
    user = UserFactory(username="offers-publisher")
    user.groups.add(group, Group.objects.get(name="Editors"))
    return user


@pytest.mark.parametrize(
    "action, status",
    [
        ("hold", UpdateStatus.HELD),
        ("cancel", UpdateStatus.CANCELLED),
        ("send_now", UpdateStatus.SENT),
    ],
)
def test_only_who_may_publish_the_updates_page_sends_holds_or_cancels_it(
    client, world, editor, section_publisher, publisher, action, status, django_capture_on_commit_callbacks
):
    url = reverse(f"syndication_admin:{action}", args=[world.update.pk])
    for person in (editor, section_publisher):
        client.force_login(person)
        assert client.post(url).url == "/admin/"
        assert Update.objects.get(pk=world.update.pk).status == UpdateStatus.SCHEDULED

    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert Update.objects.get(pk=world.update.pk).status == status


def test_only_publishers_send_a_page_again(client, world, editor, section_publisher, publisher):
    Update.objects.filter(pk=world.update.pk).update(status=UpdateStatus.SENT)
    url = reverse("syndication_admin:send_again", args=[world.article.pk])
    for person in (editor, section_publisher):
        client.force_login(person)
        assert client.post(url).url == "/admin/"
    assert Update.objects.filter(page=world.article).count() == 1

    client.force_login(publisher)
    client.post(url)
    assert sorted(Update.objects.filter(page=world.article).values_list("sequence", "created_by")) == [
        (1, None),
        (2, publisher.pk),
    ]


@pytest.fixture
def everyone_on_email(world):
    from wagtail_newsletter.models import NewsletterRecipients

    world.member  # noqa: B018  (someone to send to)
    return NewsletterRecipients.objects.create(name="Everyone", audience=f"{world.site.pk}:everyone")


def test_only_publishers_send_or_schedule_newsletters(
    client,
    world,
    editor,
    section_publisher,
    publisher,
    everyone_on_email,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    extra = {
        "newsletter-test-email": "me@example.com",
        "newsletter-schedule-schedule_time": "2030-01-01 09:00",
    }
    tried = [
        (editor, action)
        for action in ("save_campaign", "send_campaign", "schedule_campaign", "send_test_email")
    ]
    for person, action in [*tried, (section_publisher, "send_campaign")]:
        client.force_login(person)
        response = newsletter_action(
            client, world.article, action, recipients=everyone_on_email, subject="Bake with us", **extra
        )
        assert any("You do not have permission" in str(m) for m in response.context["messages"]), action
    assert not Update.objects.filter(kind=UpdateKind.NEWSLETTER).exists()
    assert Page.objects.get(pk=world.article.pk).specific.newsletter_campaign == ""
    assert smtp_server.messages() == []

    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        newsletter_action(
            client, world.article, "send_campaign", recipients=everyone_on_email, subject="Bake with us"
        )
    newsletter = Update.objects.get(kind=UpdateKind.NEWSLETTER)
    assert newsletter.status == UpdateStatus.SENT and newsletter.created_by == publisher
    assert [m["To"] for m in smtp_server.messages()] == ["Robin <robin@example.com>"]


def test_only_publishers_unschedule_a_newsletter(client, world, editor, publisher, everyone_on_email):
    client.force_login(publisher)
    newsletter_action(
        client,
        world.article,
        "schedule_campaign",
        recipients=everyone_on_email,
        subject="Soon",
        **{
            "newsletter-schedule-schedule_time": (timezone.now() + timedelta(days=2)).strftime(
                "%Y-%m-%d %H:%M"
            )
        },
    )
    newsletter = Update.objects.get(kind=UpdateKind.NEWSLETTER)
    assert newsletter.status == UpdateStatus.SCHEDULED
    unschedule = reverse("wagtail_newsletter:unschedule", args=[world.article.pk])

    client.force_login(editor)
    client.post(unschedule)
    assert Update.objects.get(pk=newsletter.pk).status == UpdateStatus.SCHEDULED

    client.force_login(publisher)
    client.post(unschedule)
    assert Update.objects.get(pk=newsletter.pk).status == UpdateStatus.HELD


def test_an_update_whose_page_was_deleted_is_for_superusers_only(
    client, world, publisher, moderator, admin_user
):
    update = world.update
    world.article.delete()
    hold = reverse("syndication_admin:hold", args=[update.pk])
    for person in (publisher, moderator):
        client.force_login(person)
        assert client.post(hold).url == "/admin/"
        assert Update.objects.get(pk=update.pk).status == UpdateStatus.SCHEDULED

    client.force_login(admin_user)
    client.post(hold)
    assert Update.objects.get(pk=update.pk).status == UpdateStatus.HELD


# --- the holes these tests found ---------------------------------------------------------------------


def test_the_poll_choosers_create_url_is_not_found_rather_than_failing(client, world, editor):
    client.force_login(editor)
    create = reverse("wagtailsnippetchoosers_polls_poll:create")
    assert client.get(create).status_code == 404
    assert client.post(create, poll_form_data()).status_code == 404
    assert Poll.objects.count() == 0


def test_a_chosen_poll_that_is_not_a_number_is_not_found(client, world, editor):
    client.force_login(editor)
    assert (
        client.get(reverse("wagtailsnippetchoosers_polls_poll:chosen", args=["not-a-number"])).status_code
        == 404
    )
