"""CappedPageNumberPagination: the default for plugins' DRF list views."""
import pytest
from django.urls import path
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from wagtail.models import Collection

from api.pagination import CappedPageNumberPagination


class CollectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Collection
        fields = ["id", "name"]


class CollectionList(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = CollectionSerializer
    queryset = Collection.objects.order_by("id")


urlpatterns = [path("api/v1/test/collections/", CollectionList.as_view())]
URL = "/api/v1/test/collections/"

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def collections(site, settings):
    settings.WAGTAILAPI_LIMIT_MAX = 3
    root = Collection.get_first_root_node()
    for n in range(5):
        root.add_child(name=f"Collection {n}")


def test_is_the_default_pagination():
    assert CollectionList.pagination_class is CappedPageNumberPagination


def test_page_size_is_capped(client, collections):
    data = client.get(f"{URL}?page_size=1000").json()
    assert data["count"] == 6
    assert len(data["results"]) == 3
    assert data["next"].endswith("page=2&page_size=1000")


def test_page_size_below_the_cap_is_honoured(client, collections):
    assert len(client.get(f"{URL}?page_size=2").json()["results"]) == 2


def test_a_page_past_the_end_is_404_json(client, collections):
    response = client.get(f"{URL}?page=99")
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_browsable_api_renders_for_browsers(client, collections):
    response = client.get(URL, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Collection 0" in response.content
