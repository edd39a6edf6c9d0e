from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from wagtail.contrib.search_promotions.models import Query
from wagtail.models import Page, Site

SEARCH_PAGE_SIZE = 10
SEARCH_QUERY_MAX_LENGTH = 200


@require_GET
def search(request):
    """Site search over live, public pages of the request's site."""
    query = request.GET.get("q", "").strip()[:SEARCH_QUERY_MAX_LENGTH]
    site = Site.find_for_request(request)
    results = Page.objects.none()
    if query and site:
        pages = Page.objects.live().public().descendant_of(site.root_page, inclusive=True).specific()
        results = pages.search(query)
        Query.get(query).add_hit()
    paginator = Paginator(results, SEARCH_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1)
    return TemplateResponse(request, "search.html", {"search_query": query, "search_results": page})


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    if getattr(settings, "HEARTHSIDE_DISALLOW_ROBOTS", False):
        lines = ["User-agent: *", "Disallow: /"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
