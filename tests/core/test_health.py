"""/health/: 200 when the database, the cache and the task queue answer, 500
naming what does not; and a Redis outage costs the cache, never a page."""
import os

import pytest

from tests.factories import make_standard

# The Redis database the RQ tests use and flush (tests/plugins/syndication/test_scale_out.py).
REDIS_URL = os.environ.get("HEARTHSIDE_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
# Nothing listens on port 1: connections are refused at once.
CLOSED_REDIS_URL = "redis://127.0.0.1:1/0"

pytestmark = pytest.mark.django_db


def redis_cache(url):
    """The production cache (config/settings/production.py) at ``url``."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "hearthside",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }


def use_redis(settings, url):
    settings.CACHES = redis_cache(url)
    settings.RQ_QUEUES = {"default": {"URL": url, "DEFAULT_TIMEOUT": 300}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}


@pytest.fixture
def real_redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL} ({error}); start redis-server or set HEARTHSIDE_TEST_REDIS_URL")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


def health_json(client, **extra):
    response = client.get("/health/", HTTP_ACCEPT="application/json", **extra)
    assert response["Content-Type"] == "application/json"
    return response, response.json()


def test_all_up_with_redis_cache_and_rq_queue_is_200(client, settings, real_redis):
    use_redis(settings, real_redis)

    response, body = health_json(client)

    assert response.status_code == 200, body
    assert body == {
        "Database(alias='default')": "OK",
        "Cache(alias='default')": "OK",
        "TaskQueue(alias='default')": "OK",
    }


def test_all_up_with_the_database_task_backend_is_200(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    response = client.get("/health/?format=json")

    assert response.status_code == 200, response.content
    assert response.json()["TaskQueue(alias='default')"] == "OK"


def test_redis_down_is_500_naming_the_cache_and_the_task_queue(client, settings):
    use_redis(settings, CLOSED_REDIS_URL)

    response, body = health_json(client)

    assert response.status_code == 500
    assert body["Database(alias='default')"] == "OK"
    assert body["Cache(alias='default')"] == (
        "Unavailable: Cache 'default' (RedisCache) did not give back a value just written: "
        "its server is down or unreachable"
    )
    assert body["TaskQueue(alias='default')"] == (
        "Unavailable: Redis of task queue 'default' at 127.0.0.1:1/0 is not answering (ConnectionError)"
    )


def test_the_html_answer_names_the_failing_check_too(client, settings):
    use_redis(settings, CLOSED_REDIS_URL)

    response = client.get("/health/", HTTP_ACCEPT="text/html")

    assert response.status_code == 500
    assert b"TaskQueue" in response.content
    assert b"is not answering" in response.content


def test_a_load_balancer_probe_by_ip_over_http_gets_the_answer(client, settings):
    """Not a 400 for the unknown host, not a 301 to HTTPS, never a cached copy."""
    settings.ALLOWED_HOSTS = ["www.example.org"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/health/", HTTP_HOST="10.0.0.5:8000")

    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]
    assert "X-Page-Cache" not in response


@pytest.mark.parametrize("local_seconds", [0, 1], ids=["shared cache only", "with local copies"])
def test_pages_and_rate_limited_forms_still_serve_with_the_redis_cache_down(
    client, settings, root_page, caplog, local_seconds
):
    settings.CACHES = redis_cache(CLOSED_REDIS_URL)
    # Copies are kept only under a generation the shared cache gave: none can go stale unpurged.
    settings.HEARTHSIDE_PAGE_CACHE_LOCAL_SECONDS = local_seconds
    page = make_standard(root_page, title="Opening hours")

    first = client.get(page.url)
    second = client.get(page.url)
    search = client.get("/search/", {"q": "hours"})

    assert first.status_code == 200
    assert b"Opening hours" in first.content
    # Misses both times: nothing could be stored.
    assert first["X-Page-Cache"] == second["X-Page-Cache"] == "miss"
    # The rate limit fails open (hearthside.ratelimit.consume), and says so.
    assert search.status_code == 200
    assert "Rate limit 'searches' not applied" in caplog.text


def test_ready_asks_only_the_database_so_a_redis_outage_keeps_the_site_in_rotation(client, settings):
    use_redis(settings, CLOSED_REDIS_URL)
    settings.ALLOWED_HOSTS = ["www.example.org"]

    everything = client.get("/health/", HTTP_ACCEPT="application/json", HTTP_HOST="10.0.0.5:8000")
    ready = client.get("/health/ready/", HTTP_ACCEPT="application/json", HTTP_HOST="10.0.0.5:8000")

    assert everything.status_code == 500
    assert (ready.status_code, ready.json()) == (200, {"Database(alias='default')": "OK"})
    assert "no-store" in ready["Cache-Control"]
