"""The members plugin's public URLs, mounted at /members/ (namespace ``members``)."""
from django.urls import path

from . import feeds, views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/check-your-inbox/", views.signup_done, name="signup_done"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("access/", views.access, name="access"),
    path("access/<str:token>/", views.access_link, name="access_link"),
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/phone/", views.phone_code, name="phone_code"),
    path("preferences/export.json", views.export, name="export"),
    path("preferences/delete/", views.erase, name="erase"),
    path("preferences/sign-out/", views.sign_out, name="sign_out"),
    path("feed/<str:feed_key>/", feeds.MemberFeed(), name="feed"),
    path("unsubscribe/<str:token>/", views.one_click_unsubscribe, name="one_click_unsubscribe"),
]
