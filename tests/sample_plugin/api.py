"""The sample plugin's API: mounted at /api/v1/sample_plugin/."""
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.models import Site

from .models import SiteEvent


class PublishCountView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=inline_serializer("SamplePublishCount", {"published": serializers.IntegerField()}))
    def get(self, request):
        site = Site.find_for_request(request)
        return Response({"published": SiteEvent.objects.filter(site=site, kind="published").count()})


urlpatterns = [path("published/", PublishCountView.as_view(), name="published")]
