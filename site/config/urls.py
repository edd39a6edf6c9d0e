from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from hearthside import views as hearthside_views
from hearthside.extending.urls import plugin_urlpatterns
from hearthside.health import health_view, ready_view

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", include("api.urls")),
    path("search/", hearthside_views.search, name="search"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", hearthside_views.robots_txt, name="robots_txt"),
    # Normally answered by hearthside.health.HealthCheckMiddleware before routing;
    # named so `manage.py health_check health_check` can find it.
    path("health/", health_view, name="health_check"),
    path("health/ready/", ready_view, name="health_ready"),
    *plugin_urlpatterns(),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns.append(path("", include(wagtail_urls)))

# JSON errors under /api/ (unknown endpoints, inactive plugins' endpoints, crashes);
# the theme's 404.html / 500.html elsewhere.
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"
