"""What hostile input costs: each answer is bounded.

No wall clock: the work is bounded instead. A 10,000-character search
reaches the search backend cut to ``SEARCH_QUERY_MAX_LENGTH`` (on the
website and on every ``?search=`` of the API); absurd ``limit``/``offset``/
``page`` values on every API listing answer a 4xx with a message, or a
capped page, never a 5xx; files and bodies over their limits (the members
CSV import, image uploads, JSON bodies) are refused with a message and
store nothing; comment and poll floods are refused with a 429 past their
limit, store nothing more, and each refused request costs a bounded number
of queries.
"""
from __future__ import annotations

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.search.backends import get_search_backend

from hearthside.views import SEARCH_QUERY_MAX_LENGTH
from plugins.comments.models import PageComment
from plugins.members.models import Member, MemberImport
from plugins.polls.models import Vote
from tests.factories import ImageFactory, make_article, make_section
from tests.plugins.comments.factories import store_comment
from tests.plugins.polls.factories import make_poll

LONG_TERM = "sourdough" * 1111 + "x"  # 10,000 characters, no spaces
assert len(LONG_TERM) == 10_000
QUERY_BUDGET = 30  # generous for any one public request here; a loop over input would blow it


@pytest.fixture
def article(root_page):
    article = make_article(make_section(root_page, title="Journal"), title="Sourdough at dawn")
    store_comment(article, "Lovely crumb.")
    return article


@pytest.fixture
def media(db):
    ImageFactory(title="Sourdough loaf")
    get_document_model().objects.create(title="Sourdough menu", file=ContentFile(b"menu", name="menu.txt"))


@pytest.fixture
def searched(monkeypatch):
    """Every query string the search backend is asked, as it was asked."""
    backend_class = type(get_search_backend())
    original = backend_class.search
    asked = []

    def recording(self, query, *args, **kwargs):
        asked.append(query)
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(backend_class, "search", recording)
    return asked


# --- long searches ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/search/?q=", "/api/v2/pages/?search=", "/api/v2/images/?search=",
                                  "/api/v2/documents/?search="])
def test_a_10000_character_search_reaches_the_backend_cut_to_the_maximum(
    client, site, article, media, searched, django_assert_max_num_queries, path
):
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(path + LONG_TERM)
    assert response.status_code == 200
    assert searched, "the search backend was not asked"
    assert all(len(query) <= SEARCH_QUERY_MAX_LENGTH for query in searched), [len(q) for q in searched]
    assert searched[-1] == LONG_TERM[:SEARCH_QUERY_MAX_LENGTH]


@pytest.mark.parametrize("path", ["/api/v2/pages/?search=", "/api/v2/images/?search=", "/api/v2/documents/?search="])
def test_a_search_at_the_maximum_length_still_finds_what_it_names(client, site, article, media, path):
    padded = "sourdough " + "a" * (SEARCH_QUERY_MAX_LENGTH - len("sourdough "))
    response = client.get(path + padded + "&search_operator=or")
    assert response.status_code == 200
    assert response.json()["meta"]["total_count"] >= 1


def test_the_members_admin_search_of_10000_characters_is_bounded(client, site, admin_user,
                                                                   django_assert_max_num_queries):
    client.force_login(admin_user)
    with django_assert_max_num_queries(QUERY_BUDGET * 2):
        response = client.get("/admin/members/", {"q": LONG_TERM})
    assert response.status_code == 200


# --- absurd pagination --------------------------------------------------------------------

HUGE = 10**12
ABSURD_V2 = [f"limit={HUGE}", f"offset={HUGE}", "offset=" + "9" * 30, "limit=-1", "offset=-1", "limit=abc",
             "offset=abc", "limit=" + "9" * 5000]
ABSURD_V1 = [f"page={HUGE}", f"page_size={HUGE}", "page=" + "9" * 30, "page=-1", "page_size=-1", "page=abc",
             "page_size=abc", "page=" + "9" * 5000]


@pytest.mark.parametrize("listing", ["pages", "images", "documents"])
def test_absurd_limits_and_offsets_on_the_v2_listings_are_a_400_or_an_empty_page(
    client, site, article, media, django_assert_max_num_queries, listing
):
    for query in ABSURD_V2:
        with django_assert_max_num_queries(QUERY_BUDGET):
            response = client.get(f"/api/v2/{listing}/?{query}")
        assert response.status_code in (200, 400), (query, response.status_code)
        body = response.json()
        if response.status_code == 400:
            assert body["message"], query
        else:
            assert body["items"] == [], query  # only an offset past the end can succeed


def test_absurd_pages_of_comments_are_a_400_or_a_capped_page(client, site, article, django_assert_max_num_queries):
    for query in ABSURD_V1:
        with django_assert_max_num_queries(QUERY_BUDGET):
            response = client.get(f"/api/v1/comments/pages/{article.pk}/?{query}")
        assert response.status_code in (200, 400, 404), (query, response.status_code)
        body = response.json()
        if response.status_code == 200:
            assert body["page_size"] <= 100 and len(body["results"]) <= 100, query
        else:
            assert body["detail"], query


# --- oversized files and bodies -----------------------------------------------------------


def test_a_members_import_over_the_size_limit_is_refused_and_stores_nothing(client, site, admin_user, settings):
    settings.MEMBERS_IMPORT_MAX_BYTES = 2048
    client.force_login(admin_user)
    text = "email,name\n" + "".join(f"person{n}@example.com,Person {n}\n" for n in range(200))
    response = client.post("/admin/members/imports/new/", {
        "file": SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv"),
        "default_stage": "contact", "email_consent": "no", "consent_wording": "",
    })
    assert response.status_code == 200  # the form again, with the reason
    assert "files can be at most" in response.content.decode()
    assert MemberImport.objects.count() == 0 and Member.objects.count() == 0


def test_an_image_over_the_upload_limit_is_refused_and_stores_nothing(client, site, admin_user, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 200
    client.force_login(admin_user)
    png = get_test_image_file(filename="big.png", size=(200, 200)).file.getvalue()
    upload = SimpleUploadedFile("big.png", png, content_type="image/png")
    response = client.post("/admin/images/add/", {"title": "Big", "file": upload})
    assert response.status_code == 200
    assert "This file is too big" in str(response.context["form"].errors), response.context["form"].errors
    assert not get_image_model().objects.filter(title="Big").exists()


@pytest.mark.parametrize("path", ["signup/", "access/"])
def test_a_json_body_over_the_request_size_limit_is_a_4xx_and_stores_nothing(site, settings, path):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"email": "big@example.com", "name": "x" * 20_000})
    response = APIClient().post(f"/api/v1/members/{path}", body, content_type="application/json")
    assert 400 <= response.status_code < 500, response.status_code
    assert Member.objects.count() == 0


def test_a_comment_body_over_the_request_size_limit_is_a_4xx_and_stores_nothing(site, article, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"name": "Tom", "email": "tom@example.com", "comment": "x" * 20_000})
    response = APIClient().post(f"/api/v1/comments/pages/{article.pk}/", body, content_type="application/json")
    assert 400 <= response.status_code < 500, response.status_code
    assert PageComment.objects.count() == 1


# --- floods -------------------------------------------------------------------------------


def test_a_comment_flood_is_refused_past_the_limit_stores_nothing_more_and_costs_little(
    site, article, settings, django_assert_max_num_queries
):
    settings.COMMENTS_RATE_PER_IP = "3/m"
    client = APIClient()
    answers = []
    for n in range(12):
        body = {"name": "Tom", "email": f"tom{n}@example.com", "comment": f"Spam number {n}"}
        with django_assert_max_num_queries(QUERY_BUDGET):
            answers.append(client.post(f"/api/v1/comments/pages/{article.pk}/", body, format="json",
                                       REMOTE_ADDR="203.0.113.50"))
    assert [answer.status_code for answer in answers[:3]] == [201] * 3
    assert {answer.status_code for answer in answers[3:]} == {429}
    assert "too many comments" in answers[3].json()["detail"]
    assert PageComment.objects.count() == 1 + 3


def test_a_poll_vote_flood_is_refused_past_the_limit_and_stores_nothing_more(
    site, settings, django_assert_max_num_queries
):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public_write": "4/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    poll = make_poll(site)
    choice = poll.choices.first().pk
    answers = []
    for _ in range(12):
        with django_assert_max_num_queries(QUERY_BUDGET):
            # A new client each time: no cookie, so each vote is a new voter and only the limit stops it.
            answers.append(APIClient().post(f"/api/v1/polls/{poll.pk}/vote/", {"choices": [choice]}, format="json",
                                            REMOTE_ADDR="203.0.113.60"))
    assert [answer.status_code for answer in answers[:4]] == [201] * 4
    assert {answer.status_code for answer in answers[4:]} == {429}
    assert Vote.objects.filter(poll=poll).count() == 4
