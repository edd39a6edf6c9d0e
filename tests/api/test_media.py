"""/api/v2/images/ and /api/v2/documents/: public collections only."""
import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_collection(db):
    collection = Collection.get_first_root_node().add_child(name="Staff only")
    CollectionViewRestriction.objects.create(collection=collection, restriction_type="login")
    return collection


def make_document(title, collection=None):
    document = get_document_model()(title=title, file=ContentFile(b"Opening hours", name=f"{title}.txt"))
    if collection is not None:
        document.collection = collection
    document.save()
    return document


def ids(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_images_in_restricted_collections_are_never_served(client, site, admin_user, private_collection):
    public = ImageFactory(title="Loaf")
    private = ImageFactory(title="Rota", collection=private_collection)
    assert ids(client, "/api/v2/images/") == {public.pk}
    assert client.get(f"/api/v2/images/{private.pk}/").status_code == 404
    client.force_login(admin_user)
    assert ids(client, "/api/v2/images/") == {public.pk}

    detail = client.get(f"/api/v2/images/{public.pk}/").json()
    assert {"id", "meta", "title", "width", "height"} <= set(detail)


def test_documents_in_restricted_collections_are_never_served(client, site, private_collection):
    nested = private_collection.add_child(name="Payroll")
    public = make_document("menu")
    hidden = [make_document("rota", private_collection), make_document("pay", nested)]
    assert ids(client, "/api/v2/documents/") == {public.pk}
    for document in hidden:
        assert client.get(f"/api/v2/documents/{document.pk}/").status_code == 404
    download_url = client.get(f"/api/v2/documents/{public.pk}/").json()["meta"]["download_url"]
    assert f"/documents/{public.pk}/menu" in download_url


@pytest.mark.parametrize("endpoint", ["images", "documents"])
def test_limits_and_errors(client, site, endpoint, settings):
    too_many = client.get(f"/api/v2/{endpoint}/?limit=1000")
    assert too_many.status_code == 400
    assert too_many.json() == {"message": f"limit cannot be higher than {settings.WAGTAILAPI_LIMIT_MAX}"}
    assert client.get(f"/api/v2/{endpoint}/?fields=nope").json() == {"message": "unknown fields: nope"}
    assert client.get(f"/api/v2/{endpoint}/999999/").status_code == 404
    assert client.get(f"/api/v2/{endpoint}/?fields=*").status_code == 200
