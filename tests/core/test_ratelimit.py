"""Public forms outside the API answer 429 past their rate, per client."""
import pytest

from hearthside.ratelimit import parse_rate


@pytest.fixture
def tight_limits(settings):
    settings.HEARTHSIDE_RATE_LIMITS = [
        ("sign-in attempts", r"^/admin/login/$", ["POST"], "3/m"),
        ("searches", r"^/search/$", ["GET"], "2/m"),
    ]


def test_sign_in_attempts_past_the_limit_get_429_and_are_not_processed(client, site, admin_user, tight_limits):
    for _ in range(3):
        assert client.post("/admin/login/", {"username": "admin", "password": "wrong"}).status_code == 200

    response = client.post("/admin/login/", {"username": "admin", "password": "correct horse battery"})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "You have sent sign in attempts too often" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_limit_is_per_client(client, site, tight_limits):
    # Distinct queries: a repeated one is answered by the page cache, which
    # sits in front of the limit because it costs next to nothing.
    for query in ("cake", "bread"):
        client.get("/search/", {"q": query}, REMOTE_ADDR="10.0.0.1")
    assert client.get("/search/", {"q": "scones"}, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get("/search/", {"q": "scones"}, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_other_methods_and_paths_are_not_counted(client, site, tight_limits):
    for _ in range(5):
        assert client.get("/admin/login/").status_code == 200


def test_rates_are_parsed_or_refused_clearly():
    assert parse_rate("10/m") == (10, 60)
    assert parse_rate("5/hour") == (5, 3600)
    with pytest.raises(ValueError, match="is not like '10/m'"):
        parse_rate("ten per minute")


def test_a_malformed_rate_is_reported_by_check(settings):
    from hearthside.checks import check_rate_limits

    settings.HEARTHSIDE_RATE_LIMITS = [("searches", r"^/search/$", ["GET"], "lots")]
    [error] = check_rate_limits()
    assert error.id == "hearthside.E020"
    assert "Rate 'lots' is not like '10/m'" in error.msg
