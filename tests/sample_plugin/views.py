from django.http import JsonResponse
from django.template.response import TemplateResponse
from wagtail.models import Site

from .models import SiteEvent


def hello(request):
    return TemplateResponse(request, "sample_plugin/hello.html", {})


def events(request):
    site = Site.find_for_request(request)
    return JsonResponse({"published": SiteEvent.objects.filter(site=site, kind="published").count()})
