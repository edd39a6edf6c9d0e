"""A CDN or caching proxy in front (Wagtail's frontend cache invalidation,
WAGTAILFRONTENDCACHE): a page is purged there when it is published and when
its comments change. The proxy here is a real HTTP server taking PURGE."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hearthside import pagecache
from plugins.comments import posting
from plugins.comments.models import CommentState, PageComment
from tests.factories import make_article
from tests.plugins.comments.factories import store_comment


class PurgeRecorder(BaseHTTPRequestHandler):
    def do_PURGE(self):  # noqa: N802 (the HTTP method's name)
        self.server.purged.append((self.headers["Host"], self.path))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), PurgeRecorder)
    server.purged = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WAGTAILFRONTENDCACHE = {
        "proxy": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_port}",
        }
    }
    yield server.purged
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_publishing_purges_the_page_at_the_proxy(site, root_page, proxy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(root_page, title="Winter menu")
    assert ("testserver", article.url) in proxy


@pytest.mark.django_db
def test_moderating_a_comment_purges_its_page(site, root_page, proxy, admin_user,
                                              django_capture_on_commit_callbacks):
    article = make_article(root_page, title="Winter menu")
    comment = store_comment(article, state=CommentState.PENDING)
    proxy.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert posting.moderate(PageComment.objects.filter(pk=comment.pk), CommentState.APPROVED, admin_user) == 1
    assert proxy == [("testserver", article.url)]
    proxy.clear()
    with django_capture_on_commit_callbacks(execute=True):
        posting.moderate(PageComment.objects.filter(pk=comment.pk), CommentState.REMOVED, admin_user)
    assert proxy == [("testserver", article.url)]


@pytest.mark.django_db
def test_a_site_wide_purge_leaves_the_proxy_alone(site, root_page, proxy):
    make_article(root_page, title="Winter menu")
    proxy.clear()
    pagecache.purge()
    assert proxy == []


@pytest.mark.django_db
def test_a_proxy_that_does_not_answer_fails_nothing(site, root_page, settings, admin_user,
                                                    django_capture_on_commit_callbacks):
    settings.WAGTAILFRONTENDCACHE = {
        "proxy": {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
                  "LOCATION": "http://127.0.0.1:1"}
    }
    article = make_article(root_page, title="Winter menu")
    comment = store_comment(article, state=CommentState.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        assert posting.moderate(PageComment.objects.filter(pk=comment.pk), CommentState.APPROVED, admin_user) == 1
    comment.refresh_from_db()
    assert comment.state == CommentState.APPROVED
