from hearthside.models import SiteBranding

from .current import using_theme_of


class ThemeMiddleware:
    """Render each request with the theme its site chose in Site settings.
    The choice is read only when the request renders something: a comment
    post that redirects, or an API answer, reads no branding."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with using_theme_of(lambda: SiteBranding.for_request(request).theme):
            return self.get_response(request)
