"""PublicWriteThrottle, on a small write view mounted only for these tests."""
import pytest
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.throttling import PublicWriteThrottle
from tests.factories import UserFactory


class VoteView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [PublicWriteThrottle]

    def get(self, request):
        return Response({"votes": 0})

    def post(self, request):
        return Response({"ok": True}, status=201)


urlpatterns = [path("api/v1/test/vote/", VoteView.as_view())]
URL = "/api/v1/test/vote/"

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def rate(settings, site):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public_write": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def post(client, ip="203.0.113.1", **extra):
    return client.post(URL, REMOTE_ADDR=ip, **extra)


def test_anonymous_posts_are_limited_per_ip(client):
    assert [post(client).status_code for _ in range(3)] == [201, 201, 201]
    refused = post(client)
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Request was throttled.")
    assert int(refused["Retry-After"]) > 0
    assert post(client, ip="203.0.113.2").status_code == 201


def test_reads_are_not_counted(client):
    for _ in range(5):
        assert client.get(URL, REMOTE_ADDR="203.0.113.1").status_code == 200
    assert post(client).status_code == 201


def test_a_made_up_forwarded_for_does_not_reset_the_budget(client):
    for n in range(3):
        assert post(client, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code == 201
    assert post(client, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_forwarded_for_is_used_when_the_proxies_are_declared(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for _ in range(3):
        assert post(client, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 201
    assert post(client, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert post(client, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 201


def test_signed_in_users_are_limited_per_user_not_per_ip(client):
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    client.force_login(ann)
    for n in range(3):
        assert post(client, ip=f"203.0.113.{n}").status_code == 201  # moving between networks
    assert post(client, ip="203.0.113.9").status_code == 429

    client.force_login(bob)  # same office IP, own budget
    assert post(client, ip="203.0.113.9").status_code == 201
    # and anonymous visitors from that IP are counted apart from both
    client.logout()
    assert post(client, ip="203.0.113.9").status_code == 201


def test_the_rate_comes_from_settings(settings):
    assert PublicWriteThrottle().rate == "3/min"
    rates = {"public_write": "100/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    assert PublicWriteThrottle().rate == "100/hour"
