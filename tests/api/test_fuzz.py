"""The whole headless API fuzzed from its own OpenAPI schema (schemathesis).

Every operation /api/schema/ lists gets at least 100 generated requests, valid
and invalid, sent in-process to the WSGI application against the Copper
Kettle demo (pages, approved comments, polls, members, images, a document)
with every plugin active. Each answer must be no 5xx, have a status code and
a content type the operation documents, headers as documented, and a body
matching the documented schema for that status.

It runs twice: anonymously, and with credentials (a user's
``Authorization: Token``; a member's ``Authorization: Member`` on the
preference endpoints). Path parameters are often the ids of real pages,
comments, polls, images and documents, and the emailed-link endpoints often
get real tokens, so the fuzzing reaches the 200 paths and not only 404s.
Rate limits are raised out of the way, and mail goes to the SMTP fixture.

The demo is built once for the module inside a transaction rolled back
afterwards; each test runs in a savepoint within it.
"""
from __future__ import annotations

import io
import json

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from api.schema import SchemaView
from config.wsgi import application
from hearthside.extending.plugins import installed_plugins
from plugins.comments.models import CommentState, PageComment
from plugins.members import tokens
from plugins.members.models import Member
from plugins.polls.models import Poll
from tests.factories import UserFactory
from tests.plugins.comments.conftest import generous_rate_limits  # noqa: F401
from tests.plugins.members.conftest import generous_member_limits  # noqa: F401
from tests.plugins.members.factories import make_member
from tests.plugins.polls.conftest import generous_vote_limits  # noqa: F401
from tests.plugins.polls.factories import make_poll

MIN_EXAMPLES = 100
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
FUZZ_SETTINGS = settings(
    max_examples=MIN_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
# What the path parameters of each kind name, filled in by the fixtures below.
REAL_IDS: dict[str, list[int]] = {}
REAL_TOKENS: dict[str, list[str]] = {}


@pytest.fixture(scope="module")
def fuzz_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, built once for the module (a build takes seconds) inside a
    transaction rolled back afterwards."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        get_document_model().objects.create(
            title="Price list", file=_uploaded("price-list.txt", b"Sourdough 4.50\nRye 4.00\n")
        )
        yield
        transaction.set_rollback(True)


def _uploaded(name, content):
    from django.core.files.base import ContentFile

    return ContentFile(content, name=name)


@pytest.fixture
def demo_site(fuzz_demo, db, activate_plugin):
    site = Site.objects.get(is_default_site=True)
    for plugin in installed_plugins():
        activate_plugin(site, plugin.label)
    return site


@pytest.fixture
def no_limits(settings, monkeypatch, generous_rate_limits, generous_member_limits, generous_vote_limits):  # noqa: F811
    """Every rate far above what a test sends, so each request gets its real answer."""
    rates = {scope: "100000/min" for scope in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    # DRF's own throttles (anon, user) read the rates once, when rest_framework.throttling is imported.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


@pytest.fixture
def in_process():
    """Requests go straight to the WSGI application, in the test's own
    transaction: Django must not close the connection at the end of each
    one (as its test client arranges too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def real_objects(demo_site):
    """Ids of what the demo holds, for the path parameters."""
    pages = Page.objects.live().public().descendant_of(demo_site.root_page, inclusive=True)
    comments = PageComment.objects.filter(wagtail_site=demo_site, state=CommentState.APPROVED)
    REAL_IDS.clear()
    REAL_IDS.update(
        page_id=list(pages.values_list("pk", flat=True)),
        comment_id=list(comments.values_list("pk", flat=True)),
        poll_id=list(Poll.objects.filter(site=demo_site).values_list("pk", flat=True)),
        pages=list(pages.values_list("pk", flat=True)),
        images=list(get_image_model().objects.values_list("pk", flat=True)),
        documents=list(get_document_model().objects.values_list("pk", flat=True)),
    )
    # Each emailed link works once: a few of each, so more than the first draw gets through.
    REAL_TOKENS.clear()
    REAL_TOKENS.update(confirm=[], access=[])
    for number in range(5):
        newcomer = make_member(demo_site, email=f"newcomer{number}@example.com", confirmed=False)
        newcomer.confirmation_nonce, newcomer.access_nonce = f"confirm-{number}", f"access-{number}"
        newcomer.save()
        REAL_TOKENS["confirm"].append(tokens.make(tokens.CONFIRM, newcomer, nonce=newcomer.confirmation_nonce))
        REAL_TOKENS["access"].append(tokens.make(tokens.ACCESS, newcomer, nonce=newcomer.access_nonce))
    assert all(REAL_IDS.values()), REAL_IDS


def _ids_for(operation) -> dict[str, list[int]]:
    for prefix in ("images", "documents", "pages"):
        if operation.path.startswith(f"/api/v2/{prefix}/"):
            return {"id": REAL_IDS[prefix]}
    return REAL_IDS


def _served_schema() -> dict:
    """What /api/schema/ serves, built as its view builds it (the schema is
    loaded when the module is collected, before any database exists;
    test_the_fuzzed_schema_is_the_served_one holds the two together)."""
    generator = SchemaView.generator_class(urlconf=SchemaView.urlconf, patterns=SchemaView.patterns)
    return generator.get_schema(request=None, public=SchemaView.serve_public)


schema = schemathesis.openapi.from_dict(_served_schema())
# The generated phase alone gives each operation its 100 examples; the coverage
# phase's systematic extras would double the run time on a small machine.
schema.config.phases.coverage.enabled = False


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not path_parameters:
        return st.just(path_parameters)
    known = _ids_for(context.operation)
    real = {name: known[name] for name in path_parameters if known.get(name)}
    if not real:
        return st.just(path_parameters)
    with_real_ids = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in real.items()})
    # Two draws in three name real objects; the generated values keep their turn.
    return st.sampled_from([False, True, True]).flatmap(
        lambda use_real: with_real_ids.map(lambda ids: {**path_parameters, **ids})
        if use_real
        else st.just(path_parameters)
    )


@schema.hook
def flatmap_body(context, body):
    kind = {"members_confirm": "confirm", "members_access_open": "access"}.get(_operation_id(context.operation))
    if kind is None or not isinstance(body, dict):
        return st.just(body)
    return st.one_of(st.just(body), st.sampled_from(REAL_TOKENS[kind]).map(lambda token: {"token": token}))


def _operation_id(operation) -> str:
    return operation.definition.raw.get("operationId", "")


def _security_of(operation) -> set[str]:
    return {name for requirement in operation.definition.raw.get("security", []) for name in requirement}


@pytest.fixture
def credentials(demo_site):
    """``credentials(case)``: the Authorization header an app would send to this operation."""
    admin = UserFactory(username="fuzz-admin", is_staff=True, is_superuser=True)
    user_key = Token.objects.create(user=admin).key
    member = make_member(
        demo_site, email="fuzz-member@example.com", name="Fuzz", channels={"email": "immediate", "rss": "daily"}
    )

    def _for(case) -> dict:
        if "memberToken" not in _security_of(case.operation):
            return {"Authorization": f"Token {user_key}"}
        acting = member
        erasing = case.method.upper() == "DELETE"
        if erasing or not Member.objects.filter(pk=member.pk).exists():
            # Erasure ends a member: each one gets a member of its own.
            acting = make_member(demo_site, email=f"erase-{Member.objects.count()}@example.com")
        return {"Authorization": f"Member {tokens.make(tokens.PREFERENCES, acting)}"}

    return _for


def _call_and_validate(case, headers=None):
    response = case.call(headers=headers, app=application)
    case.validate_response(response, checks=CHECKS, headers=headers, transport_kwargs={"app": application})


@FUZZ_SETTINGS
@schema.parametrize()
@pytest.mark.usefixtures("no_limits", "smtp_server", "in_process", "real_objects")
def test_anonymous_requests_get_documented_answers(case):
    _call_and_validate(case)


def _acts_for_someone(ctx) -> bool:
    """Operations whose answer depends on who asks: the rest (pages, images,
    documents, the site, signing up) answer a token as they answer anyone."""
    operation = ctx.operation
    return bool(set(operation.tags) & {"comments", "insights", "polls"}) or "memberToken" in _security_of(
        operation
    )


@FUZZ_SETTINGS
@schema.include(_acts_for_someone).parametrize()
@pytest.mark.usefixtures("no_limits", "smtp_server", "in_process", "real_objects")
def test_authenticated_requests_get_documented_answers(case, credentials):
    _call_and_validate(case, headers=credentials(case))


def test_the_fuzzed_schema_is_the_served_one(client, demo_site):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json() == schema.raw_schema


# --- what the fuzzing found, one request each (on the demo: this module's site) -----


@pytest.mark.parametrize(
    "path", ["/api/v2/pages/find/?id=abc", "/api/v2/images/find/?id=abc", "/api/v2/documents/find/?id=abc"]
)
def test_find_with_an_id_that_is_not_a_number_is_400(client, demo_site, path):
    response = client.get(path)
    assert response.status_code == 400
    assert response.json() == {"message": "id must be an integer"}


def test_an_unknown_locale_is_400_not_404(client, demo_site):
    response = client.get("/api/v2/pages/?locale=xx")
    assert response.status_code == 400
    assert "locale" in response.json()["message"]


def test_a_post_to_no_endpoint_is_a_json_404_not_a_csrf_page(demo_site):
    response = Client(enforce_csrf_checks=True).post("/api/v1/comments/abc/flag/")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no API endpoint at /api/v1/comments/abc/flag/."}


def test_a_comment_id_no_column_holds_is_404(client, demo_site, admin_user):
    client.force_login(admin_user)
    response = client.post(f"/api/v1/comments/{2**70}/like/")
    assert response.status_code == 404


def test_a_choice_id_no_column_holds_is_an_unknown_choice(client, demo_site, generous_vote_limits):  # noqa: F811
    poll = make_poll(demo_site)
    body = json.dumps({"choices": [2**70]})
    response = client.post(f"/api/v1/polls/{poll.pk}/vote/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_choice"


def test_channels_as_a_list_of_objects_are_refused(client, demo_site):
    member = make_member(demo_site, email="robin@example.com", channels={"email": "immediate"})
    response = client.patch(
        "/api/v1/members/preferences/",
        json.dumps({"channels": [{}]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Member {tokens.make(tokens.PREFERENCES, member)}",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "channels"
