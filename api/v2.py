"""Wagtail API v2: pages (with slot data), images and documents."""
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import PageSerializer
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Site
from rest_framework.fields import Field

from hearthside.extending import hooks
from hearthside.extending.slots import all_slots


class SlotsField(Field):
    """What each template slot holds for this page: the data a theme renders."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, page):
        request = self.context["request"]
        site = Site.find_for_request(request)
        return {slot.name: slot.data(request, site, page=page) for slot in all_slots()}


class HearthsidePageSerializer(PageSerializer):
    slots = SlotsField(read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context["request"]
        return hooks.api_page_payload.apply(
            Site.find_for_request(request), data, page=instance, request=request
        )


class HearthsidePagesAPIViewSet(PagesAPIViewSet):
    base_serializer_class = HearthsidePageSerializer
    meta_fields = PagesAPIViewSet.meta_fields + ["slots"]
    listing_default_fields = PagesAPIViewSet.listing_default_fields


router = WagtailAPIRouter("wagtailapi")
router.register_endpoint("pages", HearthsidePagesAPIViewSet)
router.register_endpoint("images", ImagesAPIViewSet)
router.register_endpoint("documents", DocumentsAPIViewSet)
