"""The polls plugin's public URLs, mounted at /polls/ (namespace ``polls``)."""
from django.urls import path

from . import views

urlpatterns = [
    path("<int:poll_id>/vote/", views.vote, name="vote"),
    path("<int:poll_id>/results/", views.results, name="results"),
]
