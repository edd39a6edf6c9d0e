"""The OpenAPI schema at /api/schema/ (Swagger UI at /api/docs/).

One schema covers the whole headless API:

- /api/v1/: Hearthside's own DRF endpoints and every installed plugin's
  ``api.py`` endpoints (/api/v1/<plugin label>/...), described from their
  serializers and ``@extend_schema`` like any DRF view. The schema is the
  same for every site: it lists the endpoints of every *installed* plugin;
  ``GET /api/v1/plugins/`` says which are active on a site (an inactive
  plugin's endpoints answer 404).
- /api/v2/: Wagtail's pages, images and documents endpoints. drf-spectacular
  cannot inspect them on its own (their serializers are built per request
  from ``?fields=`` and the page type, and they need Wagtail's router on the
  request), so :mod:`api.v2` declares them with ``@extend_schema`` using the
  serializers below. These describe the default shape of each answer; a page
  also carries the fields of its own type, listed in the detail operation's
  description.

Only /api/v1/ and /api/v2/ are described: :func:`public_api_only` drops
everything else the URLconf holds (Wagtail's admin API, the schema views).
It must be listed in ``SPECTACULAR_SETTINGS["PREPROCESSING_HOOKS"]`` so the
``manage.py spectacular`` command and the /api/schema/ view agree.

:class:`api.openapi.AutoSchema` (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``) adds to
every operation the errors DRF and the plugin gate answer before a view's
own code runs, unless the operation documents them itself: 401 for a bad
token, 403 for a session write without the CSRF token, 429 when throttled,
404 for a plugin's endpoint while the plugin is inactive.
"""
from __future__ import annotations

from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.response import Response

SCHEMA_PATH_PREFIXES = ("/api/v1/", "/api/v2/")


def public_api_only(endpoints):
    """drf-spectacular preprocessing hook: keep /api/v1/ and /api/v2/ only."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(SCHEMA_PATH_PREFIXES)]


class SchemaView(SpectacularAPIView):
    """The schema, generated once per process (per API version and language).

    Endpoints and installed plugins are fixed when the process starts, so
    there is nothing to regenerate per request; generating costs far more than
    any other API request and this view is public.
    """

    _schemas: dict = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, translation.get_language())
        schema = self._schemas.get(key)
        if schema is None:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            schema = self._schemas[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=schema,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )

    @classmethod
    def forget(cls):
        """Drop generated schemas (tests that change settings call this)."""
        cls._schemas.clear()


# --- /api/v2/: shapes of Wagtail's answers, for the schema only ------------


class ErrorMessageSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="What was wrong with the request.")


class TotalCountSerializer(serializers.Serializer):
    total_count = serializers.IntegerField(help_text="Items matching the query, before limit/offset.")


class SlotItemSerializer(serializers.Serializer):
    plugin = serializers.CharField(allow_null=True, help_text="App label of the contributing plugin.")
    component = serializers.CharField(help_text="Name of the contributing component.")
    data = serializers.DictField(help_text="The component's data: what the theme renders.")


class PageRefMetaSerializer(serializers.Serializer):
    type = serializers.CharField()
    detail_url = serializers.URLField()
    html_url = serializers.URLField(allow_null=True)


class PageRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    meta = PageRefMetaSerializer()
    title = serializers.CharField()


class PageMetaSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="The page type, e.g. hearthside.ArticlePage.")
    detail_url = serializers.URLField()
    html_url = serializers.URLField(allow_null=True, help_text="The page on the website.")
    slug = serializers.CharField()
    show_in_menus = serializers.BooleanField(required=False)
    seo_title = serializers.CharField(required=False)
    search_description = serializers.CharField(required=False)
    first_published_at = serializers.DateTimeField(allow_null=True)
    alias_of = PageRefSerializer(allow_null=True, required=False)
    parent = PageRefSerializer(allow_null=True, required=False, help_text="Detail only.")
    locale = serializers.CharField(required=False)
    slots = serializers.DictField(
        child=SlotItemSerializer(many=True),
        required=False,
        help_text=(
            "What each template slot (site.head, site.header, page.sidebar, page.after_body, "
            "site.footer) holds for this page: the data a theme renders, from plugins active on "
            "the site. In detail by default; in listings with ?fields=slots or ?fields=*."
        ),
    )


class PageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    meta = PageMetaSerializer()
    title = serializers.CharField()


class PageListingSerializer(serializers.Serializer):
    meta = TotalCountSerializer()
    items = PageSerializer(many=True)


class MediaMetaSerializer(serializers.Serializer):
    type = serializers.CharField()
    detail_url = serializers.URLField()
    tags = serializers.ListField(child=serializers.CharField())
    download_url = serializers.CharField()


class ImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    meta = MediaMetaSerializer()
    title = serializers.CharField()
    width = serializers.IntegerField(required=False, help_text="Detail, or ask with ?fields=width.")
    height = serializers.IntegerField(required=False, help_text="Detail, or ask with ?fields=height.")


class ImageListingSerializer(serializers.Serializer):
    meta = TotalCountSerializer()
    items = ImageSerializer(many=True)


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    meta = MediaMetaSerializer()
    title = serializers.CharField()


class DocumentListingSerializer(serializers.Serializer):
    meta = TotalCountSerializer()
    items = DocumentSerializer(many=True)


def _query(name, type_, description, **kwargs):
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, description=description, **kwargs)


def listing_parameters(limit_max: int):
    return [
        _query("limit", int, f"How many items to return (default 20, at most {limit_max}; more is a 400)."),
        _query("offset", int, "How many items to skip (at most 1000000000; more is a 400)."),
        _query(
            "fields",
            str,
            "Fields to add to the defaults (fields=a,b), remove (fields=-a), start from none "
            "(fields=_,a) or all (fields=*); nested: fields=feature_image(width,height).",
        ),
        _query("order", str, "Field to order by; -field for descending, random for a random order."),
        _query("search", str, "Full-text search; only the first 200 characters are searched for."),
        _query("search_operator", str, "How search terms combine.", enum=["and", "or"]),
    ]


RICH_TEXT_FORMAT = _query(
    "rich_text_format",
    str,
    "How rich text is returned (default db_html).",
    enum=["db_html", "html", "db_markdown", "markdown"],
)
DETAIL_FIELDS = _query("fields", str, "As for the listing; the default is every field.")
PAGE_FILTERS = [
    _query("type", str, "Only pages of this type (app_label.ModelName); allows filtering by its fields."),
    _query("child_of", str, "Only children of this page id (or 'root': the site's home page)."),
    _query("descendant_of", str, "Only descendants of this page id (or 'root')."),
    _query("ancestor_of", int, "Only ancestors of this page id."),
    _query("translation_of", str, "Only translations of this page id."),
    _query("locale", str, "Only pages in this language code (an unknown code is a 400)."),
    _query("slug", str, "Only pages with this slug."),
    _query("show_in_menus", bool, "Only pages shown (true) or not shown (false) in menus."),
]
TAGS_FILTER = _query("tags", str, "Only items with all these tags (comma-separated).")
ID_PATH = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The item's id.")
FIND_PARAMETERS = [_query("id", int, "The item's id.")]
FIND_PAGE_PARAMETERS = FIND_PARAMETERS + [
    _query("html_path", str, "The page's path on the website, e.g. /journal/new-loaves/."),
]

BAD_REQUEST = OpenApiResponse(ErrorMessageSerializer, description="A query parameter is not valid.")
BAD_FIND = OpenApiResponse(ErrorMessageSerializer, description="?id= is not an integer.")
NOT_FOUND = OpenApiResponse(ErrorMessageSerializer, description="No such item, or it is not public.")
FOUND = OpenApiResponse(
    None,
    description="Redirect to the item's detail URL (the Location header), keeping other query parameters.",
)


def page_types_description() -> str:
    """A line per page type with the fields it adds to a page's JSON."""
    from wagtail.models import get_page_models

    lines = []
    for model in get_page_models():
        if model._meta.app_label == "wagtailcore":
            continue
        fields = [getattr(field, "name", field) for field in getattr(model, "api_fields", [])]
        label = f"{model._meta.app_label}.{model.__name__}"
        lines.append(f"- `{label}`: {', '.join(fields) if fields else '(no extra fields)'}")
    return "\n".join(lines)
