"""The headless API, mounted at /api/ by config.urls.

- /api/v2/: Wagtail API v2 (pages, images, documents), see :mod:`api.v2`;
- /api/v1/: Hearthside's endpoints and each plugin's, see :mod:`api.v1`;
- /api/schema/: one OpenAPI 3 schema for both, see :mod:`api.schema`;
- /api/docs/: Swagger UI for it, served from drf-spectacular-sidecar's static
  files (no CDN), with its script in a separate file so a strict
  Content-Security-Policy (no inline scripts) does not break it.

Any other path under /api/ ending in a slash is a JSON 404 for every method
(:func:`api.errors.no_such_endpoint`), rather than falling through to
Wagtail's page view, whose CSRF check answered an HTML 403 to a POST.
"""
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from .errors import no_such_endpoint
from .schema import SchemaView
from .v2 import router

urlpatterns = [
    path("v2/", router.urls),
    path("v1/", include(("api.v1", "api-v1"))),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Only paths ending in a slash: CommonMiddleware still redirects /api/v1/site to /api/v1/site/.
    re_path(r"^(?:.*/)?$", no_such_endpoint),
]
