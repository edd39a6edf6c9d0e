"""The syndication plugin's public URLs, mounted at /syndication/ (namespace ``syndication``)."""
from django.urls import path

from . import feeds, views

urlpatterns = [
    # Public RSS and Atom feeds (feeds.py): the whole site, a section, a tag.
    path("feed/", feeds.SiteRSSFeed(), name="feed-rss"),
    path("feed/atom/", feeds.SiteAtomFeed(), name="feed-atom"),
    path("section/<int:page_id>/feed/", feeds.SectionRSSFeed(), name="section-feed-rss"),
    path("section/<int:page_id>/feed/atom/", feeds.SectionAtomFeed(), name="section-feed-atom"),
    # Tag slugs may hold letters beyond ASCII (taggit keeps them), so not <slug:>.
    path("tag/<str:tag>/feed/", feeds.TagRSSFeed(), name="tag-feed-rss"),
    path("tag/<str:tag>/feed/atom/", feeds.TagAtomFeed(), name="tag-feed-atom"),
    # Providers' bounce and complaint reports (views.py).
    path("events/<str:secret>/", views.provider_events, name="events"),
    *(path(f"anymail/{route}", view, name=name) for route, view, name in views.provider_tracking_views()),
    # Newsletters' open pixel and tracked links, when a site counts them (views.py, tracking.py).
    path("o/<str:token>.gif", views.track_open, name="track-open"),
    path("c/<str:token>/", views.track_click, name="track-click"),
]
