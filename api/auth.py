"""Token authentication for apps: ``Authorization: Bearer <key>`` or DRF's
``Authorization: Token <key>``, with the same keys (``manage.py drf_create_token``
or the admin's Tokens screen).

Token requests carry no cookie, so they need no CSRF token: only DRF's
SessionAuthentication (a browser's session cookie) checks CSRF. A bad,
unknown or revoked key is a 401 with ``WWW-Authenticate: Token`` on every
endpoint, even one anybody may read without credentials.
"""
from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import TokenAuthentication, get_authorization_header


class BearerOrTokenAuthentication(TokenAuthentication):
    """DRF's TokenAuthentication, also taking the ``Bearer`` keyword that most
    HTTP clients and API tools send."""

    keywords = ("Token", "Bearer")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in {keyword.lower().encode() for keyword in self.keywords}:
            return None
        # The parent checks the header's shape and the key under its own keyword.
        self.keyword = parts[0].decode("ascii")
        try:
            return super().authenticate(request)
        finally:
            del self.keyword

    def authenticate_header(self, request):
        return TokenAuthentication.keyword


class BearerOrTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerOrTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Bearer <key>` or `Token <key>`: an API key made in the admin (Tokens) or with "
                "`manage.py drf_create_token <username>`. It acts as that user; no CSRF token is needed."
            ),
        }
