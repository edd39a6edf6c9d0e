"""The comments plugin's public URLs, mounted at /comments/ (namespace ``comments``)."""

from django.urls import path

from . import feeds, views

urlpatterns = [
    path("post/<int:page_id>/", views.post, name="post"),
    path("sent/<int:page_id>/", views.sent, name="sent"),
    path("held/<int:page_id>/", views.held, name="held"),
    path("reply/<int:comment_id>/", views.reply, name="reply"),
    path("confirm/<str:key>/", views.confirm, name="confirm"),
    path("mute/<str:key>/", views.mute, name="mute"),
    path("<int:comment_id>/like/", views.like, name="like"),
    path("<int:comment_id>/flag/", views.flag, name="flag"),
    path("feed/rss/", feeds.SiteCommentsRSSFeed(), name="feed-rss"),
    path("feed/atom/", feeds.SiteCommentsAtomFeed(), name="feed-atom"),
    path("page/<int:page_id>/feed/rss/", feeds.PageCommentsRSSFeed(), name="page-feed-rss"),
    path("page/<int:page_id>/feed/atom/", feeds.PageCommentsAtomFeed(), name="page-feed-atom"),
]
