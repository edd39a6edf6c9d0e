from hearthside.models import SiteBranding

from .current import using_theme


class ThemeMiddleware:
    """Render each request with the theme its site chose in Site settings."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        branding = SiteBranding.for_request(request)
        with using_theme(branding.theme):
            return self.get_response(request)
