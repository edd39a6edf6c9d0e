"""The Content-Security-Policy header: django-csp's middleware, plus the two
things one site-wide policy (CONTENT_SECURITY_POLICY) cannot say.

- ``frame-ancestors`` follows each response's X-Frame-Options: ``'none'`` for
  DENY, ``'self'`` for SAMEORIGIN, nothing when a view is exempt. Browsers
  obey frame-ancestors over X-Frame-Options, so a fixed ``'none'`` would
  break Wagtail's preview panel, whose view allows same-origin framing.
- Under HEARTHSIDE_CSP_ADMIN_PREFIXES (Wagtail's admin) the directives in
  HEARTHSIDE_CSP_ADMIN_DIRECTIVES replace the site's: Wagtail writes inline
  scripts without a nonce, which the site's policy refuses.

A view's own ``@csp_replace`` still wins over both. Wagtail's preview renders
the page through the whole middleware stack with a request of its own, and
returns that response as the admin's: the policy built for the inner request
gives way to the admin's.
"""
from __future__ import annotations

from csp.constants import HEADER, HEADER_REPORT_ONLY, NONE, SELF
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.conf import settings

FRAME_ANCESTORS = {"DENY": [NONE], "SAMEORIGIN": [SELF]}


class CSPMiddleware(DjangoCSPMiddleware):
    def process_response(self, request, response):
        if getattr(response, "_hearthside_csp_request", request) is not request:
            for header in (HEADER, HEADER_REPORT_ONLY):
                if header in response:
                    del response[header]
        response = super().process_response(request, response)
        response._hearthside_csp_request = request
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        replace = {}
        if request.path_info.startswith(tuple(getattr(settings, "HEARTHSIDE_CSP_ADMIN_PREFIXES", ()))):
            replace.update(getattr(settings, "HEARTHSIDE_CSP_ADMIN_DIRECTIVES", {}))
        # None drops the directive, as X-Frame-Options is absent when a view is exempt.
        replace["frame-ancestors"] = FRAME_ANCESTORS.get(response.get("X-Frame-Options", "").upper())
        parts.replace = {**replace, **(parts.replace or {})}
        return parts
