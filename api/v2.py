"""Wagtail API v2 under /api/v2/: pages (with slot data), images and documents.

Pages (/api/v2/pages/)
----------------------
- **What is served.** Only pages that are live, public and of the request's
  site (found from the Host header, as for the website). Drafts, unpublished
  pages, pages under a view restriction (password, login or groups, on the
  page or an ancestor) and pages of other sites are not in listings and their
  detail answers 404. This holds for signed-in users too: v2 is the public,
  cacheable read API, so an answer never depends on who asks. For the same
  reason Wagtail's ``?site=<hostname>`` (ask about another site) is not
  accepted: it answers 400.
- **Slots.** ``meta.slots`` maps each template slot (site.head, site.header,
  page.sidebar, page.after_body, site.footer) to the contributions of the
  plugins active on the site, each ``{"plugin", "component", "data"}``: the
  same ``data()`` a theme renders for that page, so a headless front end gets
  what a theme gets. Slot data can cost queries per page and per plugin, so:

  - detail (/api/v2/pages/<id>/): included by default;
  - listing: only when asked, with ``?fields=slots`` (or ``?fields=*``).

- **The api_page_payload filter** (``hearthside.extending.hooks``) is applied
  to every page in listings and detail, after serialisation, with the page's
  specific instance and the DRF request. It is not applied to pages nested in
  another page's JSON (a parent, a related page), which are references.
- **Listing size.** ``?limit`` defaults to 20 and may not exceed
  ``WAGTAILAPI_LIMIT_MAX`` (50 unless ``API_LIMIT_MAX`` says otherwise): more
  answers 400 ``limit cannot be higher than 50``.
- **Queries.** A listing's query count does not grow with the number of pages
  it returns: pages are made specific in one query per page type, and the
  foreign keys asked for (``locale``, ``feature_image``...) are fetched once
  per field. What still costs per page is what Wagtail and plugins do per
  page: slot components' ``data()`` (hence slots are opt-in in listings),
  ``api_page_payload`` receivers, and a page type's tags and child relations
  (``?type=...&fields=tags,related_links``).
- **Bounds.** ``?offset`` may not exceed ``OFFSET_MAX`` (10**9; more answers
  400 ``offset cannot be higher than 1000000000``, where the database would
  fail on a number past its integers). ``?search`` is cut to
  ``hearthside.views.SEARCH_QUERY_MAX_LENGTH`` (200) characters before it
  reaches the search backend, as on the website's search page, on the
  images and documents endpoints too: the backend's work grows with the query.
- **Errors.** Wagtail's JSON ``{"message": "..."}``: 400 for a bad limit,
  offset, type, fields, order, search operator or filter value; 404 for an
  unknown or hidden page. Paths under /api/ that match no endpoint answer
  JSON 404 through :mod:`api.errors`.

Images and documents (/api/v2/images/, /api/v2/documents/)
----------------------------------------------------------
Wagtail's endpoints, except that items in a collection under any view
restriction are left out for everyone (Wagtail would show them to users the
restriction admits), for the same reason as pages. Images and documents are
shared by all sites, as in Wagtail's admin.
"""
from __future__ import annotations

import copy

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.fields import Field
from rest_framework.response import Response
from wagtail.api.v2.filters import SearchFilter
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import PageSerializer
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet as WagtailPagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet as WagtailDocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet as WagtailImagesAPIViewSet
from wagtail.models import Collection, CollectionViewRestriction, Locale, Page, Site

from hearthside.extending import hooks
from hearthside.extending.gate import page_types_of_inactive_plugins
from hearthside.extending.slots import all_slots
from hearthside.views import SEARCH_QUERY_MAX_LENGTH

from . import schema

LIMIT_MAX = getattr(settings, "WAGTAILAPI_LIMIT_MAX", 20)
OFFSET_MAX = 10**9


class BoundedPagination(WagtailPagination):
    """Wagtail's ?limit and ?offset, with the offset capped at OFFSET_MAX."""

    def paginate_queryset(self, queryset, request, view=None):
        try:
            too_far = int(request.GET.get("offset", 0)) > OFFSET_MAX
        except ValueError:
            too_far = False  # not a number: Wagtail's own 400 says so
        if too_far:
            raise BadRequestError(f"offset cannot be higher than {OFFSET_MAX}")
        return super().paginate_queryset(queryset, request, view)


class BoundedSearchFilter(SearchFilter):
    """Wagtail's ?search, cut to SEARCH_QUERY_MAX_LENGTH characters first."""

    def filter_queryset(self, request, queryset, view):
        query = request.GET.get("search")
        if query is not None and len(query) > SEARCH_QUERY_MAX_LENGTH:
            params = request.GET.copy()
            params["search"] = query[:SEARCH_QUERY_MAX_LENGTH]
            http_request = copy.copy(request._request)
            http_request.GET = params
            request = copy.copy(request)
            request._request = http_request
        return super().filter_queryset(request, queryset, view)


class SlotsField(Field):
    """What each template slot holds for this page: the data a theme renders.

    Components get the Django ``HttpRequest`` and the specific page, exactly
    as the ``{% slot %}`` tag gives them.
    """

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, page):
        request = self.context["request"]
        http_request = getattr(request, "_request", request)
        site = Site.find_for_request(http_request)
        if type(page) is not page.specific_class and page.specific_class is not None:
            page = page.specific  # a nested page reference, asked for with ?fields=x(slots)
        return {slot.name: slot.data(http_request, site, page=page) for slot in all_slots()}


class StrictFiltersMixin:
    """Turn bad filter values that Wagtail passes to the database unchecked
    (a date that is not a date, an unknown search operator, an offset past
    the database's integers) into 400s rather than 500s, and bound the
    search query (see the module docstring)."""

    SEARCH_OPERATORS = ("and", "or")
    pagination_class = BoundedPagination

    @property
    def filter_backends(self):
        return [BoundedSearchFilter if backend is SearchFilter else backend for backend in super().filter_backends]

    def filter_queryset(self, queryset):
        self._check_filter_values(queryset.model)
        return super().filter_queryset(queryset)

    def find_object(self, queryset, request):
        # Wagtail looks ?id= up unchecked: ?id=abc was a 500.
        if "id" in request.GET:
            try:
                int(request.GET["id"])
            except ValueError:
                raise BadRequestError("id must be an integer") from None
        return super().find_object(queryset, request)

    def _check_filter_values(self, model):
        params = self.request.GET
        operator = params.get("search_operator")
        if operator is not None and operator not in self.SEARCH_OPERATORS:
            raise BadRequestError("search_operator must be 'and' or 'or'")
        # Wagtail answers an unknown ?locale= with a 404, as if the listing were missing.
        if "locale" in params and issubclass(model, Page) and not Locale.objects.filter(language_code=params["locale"]).exists():
            raise BadRequestError(f"locale: there is no language with the code '{params['locale'][:20]}'")
        filterable = set(self.get_available_fields(model, db_fields_only=True))
        for name, value in params.items():
            if name not in filterable:
                continue
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            # Wagtail's FieldsFilter converts these itself, with its own 400s.
            if field.is_relation or isinstance(field, (models.BooleanField, models.IntegerField)):
                continue
            try:
                field.to_python(value)
            except DjangoValidationError as error:
                raise BadRequestError(
                    f"field filter error. '{value}' is not a valid value for {name} "
                    f"({' '.join(error.messages)})"
                ) from error


class HearthsidePageSerializer(PageSerializer):
    slots = SlotsField()


def specific_pages(pages) -> list[Page]:
    """``pages`` (a queryset, a slice of one, or search results) as a list of
    specific page instances, in one query per page type."""
    if isinstance(pages, QuerySet) and pages.model is Page:
        pages = pages.specific()
    pages = list(pages)
    generic_ids = [
        page.pk for page in pages if page.specific_class and type(page) is not page.specific_class
    ]
    if generic_ids:
        found = {page.pk: page for page in Page.objects.filter(pk__in=generic_ids).specific()}
        pages = [found.get(page.pk, page) for page in pages]
    return pages


def prefetch_foreign_keys(pages, model, field_names) -> None:
    """Fetch the objects of the listed forward foreign keys (locale,
    feature_image, ...) for all ``pages`` at once, one query per field,
    rather than once per page as the serializer would."""
    names = []
    for name in field_names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.many_to_one and field.concrete:
            names.append(name)
    if pages and names:
        prefetch_related_objects(pages, *names)


_page_detail_description = """One live, public page of this site, with every field of its type.

`meta.slots` holds each template slot's data for the page. A page of another site,
a draft, an unpublished or a private page answers 404.

Fields each page type adds:

{types}
"""


class PagesAPIViewSet(StrictFiltersMixin, WagtailPagesAPIViewSet):
    """Live, public pages of the request's site, with slot data (see the module docstring)."""

    base_serializer_class = HearthsidePageSerializer
    meta_fields = WagtailPagesAPIViewSet.meta_fields + ["slots"]
    # Listings leave slots out unless asked (see the module docstring).
    listing_default_fields = WagtailPagesAPIViewSet.listing_default_fields
    # ?site=<hostname> would let one site's API serve another site's pages.
    known_query_parameters = WagtailPagesAPIViewSet.known_query_parameters - {"site"}

    def _site(self):
        return Site.find_for_request(self.request)

    def get_base_queryset(self):
        """Live, public pages of the request's site (called several times per
        request, so built once: ``public()`` reads the view restrictions)."""
        if not hasattr(self, "_base_queryset"):
            site = self._site()
            if site is None:
                queryset = Page.objects.none()
            else:
                in_site = Q(path__startswith=site.root_page.path)
                if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
                    for translation in site.root_page.get_translations():
                        in_site |= Q(path__startswith=translation.path)
                queryset = (
                    Page.objects.live()
                    .public()
                    .filter(in_site)
                    .exclude(content_type__in=page_types_of_inactive_plugins(site))
                )
            self._base_queryset = queryset
        return self._base_queryset

    def get_root_page(self):
        site = self._site()
        if site is None:
            raise Http404("No site is configured for this host.")
        return site.root_page

    def _with_payload_filter(self, page, data):
        return hooks.api_page_payload.apply(self._site(), data, page=page, request=self.request)

    @extend_schema(
        operation_id="pages_list",
        summary="Pages of this site",
        description=(
            "Live, public pages of the site the request is for. Each item has id, title and "
            "meta (type, detail_url, html_url, slug, first_published_at). Add fields with "
            "?fields= (for a page type's own fields, also give ?type=); ?fields=slots adds "
            "each page's slot data. Filter by any Page field, e.g. ?slug=about."
        ),
        parameters=schema.listing_parameters(LIMIT_MAX) + schema.PAGE_FILTERS + [schema.RICH_TEXT_FORMAT],
        responses={200: schema.PageListingSerializer, 400: schema.BAD_REQUEST},
        tags=["pages"],
    )
    def listing_view(self, request):
        queryset = self.get_queryset()
        model = queryset.model
        self.check_query_parameters(queryset)
        queryset = self.filter_queryset(queryset)
        pages = specific_pages(self.paginate_queryset(queryset))
        serializer = self.get_serializer(pages, many=True)
        prefetch_foreign_keys(pages, model, serializer.child.fields)
        items = [self._with_payload_filter(page, data) for page, data in zip(pages, serializer.data)]
        return self.get_paginated_response(items)

    @extend_schema(
        operation_id="pages_retrieve",
        summary="One page",
        description=_page_detail_description.format(types=schema.page_types_description()),
        parameters=[schema.ID_PATH, schema.DETAIL_FIELDS, schema.RICH_TEXT_FORMAT],
        responses={200: schema.PageSerializer, 400: schema.BAD_REQUEST, 404: schema.NOT_FOUND},
        tags=["pages"],
    )
    def detail_view(self, request, pk):
        page = self.get_object()
        serializer = self.get_serializer(page)
        return Response(self._with_payload_filter(page, serializer.data))

    @extend_schema(
        operation_id="pages_find",
        summary="Find a page by id or website path",
        description="Redirects to the page's detail URL; 404 if no public page of this site matches.",
        parameters=schema.FIND_PAGE_PARAMETERS,
        responses={302: schema.FOUND, 400: schema.BAD_FIND, 404: schema.NOT_FOUND},
        tags=["pages"],
    )
    def find_view(self, request):
        return super().find_view(request)


def _without_restricted_collections(queryset):
    """Leave out items in a collection under any view restriction, or below one."""
    restricted_paths = set(
        CollectionViewRestriction.objects.values_list("collection__path", flat=True)
    )
    if not restricted_paths:
        return queryset
    restricted = Q()
    for path in restricted_paths:
        restricted |= Q(path__startswith=path)
    return queryset.exclude(collection__in=Collection.objects.filter(restricted))


class _MediaSchema:
    """``@extend_schema`` arguments for the images or documents endpoints."""

    def __init__(self, name, item_serializer, listing_serializer):
        self.listing = extend_schema(
            operation_id=f"{name}_list",
            summary=f"All {name}",
            parameters=schema.listing_parameters(LIMIT_MAX) + [schema.TAGS_FILTER],
            responses={200: listing_serializer, 400: schema.BAD_REQUEST},
            tags=[name],
        )
        self.detail = extend_schema(
            operation_id=f"{name}_retrieve",
            summary=f"One of the {name}",
            parameters=[schema.ID_PATH, schema.DETAIL_FIELDS],
            responses={200: item_serializer, 400: schema.BAD_REQUEST, 404: schema.NOT_FOUND},
            tags=[name],
        )
        self.find = extend_schema(
            operation_id=f"{name}_find",
            summary="Find by id",
            description="Redirects to the item's detail URL; 404 if there is none.",
            parameters=schema.FIND_PARAMETERS,
            responses={302: schema.FOUND, 400: schema.BAD_FIND, 404: schema.NOT_FOUND},
            tags=[name],
        )


_images = _MediaSchema("images", schema.ImageSerializer, schema.ImageListingSerializer)
_documents = _MediaSchema("documents", schema.DocumentSerializer, schema.DocumentListingSerializer)


class ImagesAPIViewSet(StrictFiltersMixin, WagtailImagesAPIViewSet):
    """Images outside restricted collections."""

    def get_queryset(self):
        return _without_restricted_collections(self.model.objects.order_by("id"))

    @_images.listing
    def listing_view(self, request):
        return super().listing_view(request)

    @_images.detail
    def detail_view(self, request, pk):
        return super().detail_view(request, pk)

    @_images.find
    def find_view(self, request):
        return super().find_view(request)


class DocumentsAPIViewSet(StrictFiltersMixin, WagtailDocumentsAPIViewSet):
    """Documents outside restricted collections."""

    def get_queryset(self):
        return _without_restricted_collections(self.model.objects.order_by("id"))

    @_documents.listing
    def listing_view(self, request):
        return super().listing_view(request)

    @_documents.detail
    def detail_view(self, request, pk):
        return super().detail_view(request, pk)

    @_documents.find
    def find_view(self, request):
        return super().find_view(request)


router = WagtailAPIRouter("wagtailapi")
router.register_endpoint("pages", PagesAPIViewSet)
router.register_endpoint("images", ImagesAPIViewSet)
router.register_endpoint("documents", DocumentsAPIViewSet)
