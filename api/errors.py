"""JSON errors for /api/ paths that fail outside a DRF view.

DRF and Wagtail's API views answer their own errors as JSON. Some requests
under /api/ never reach one: a path that matches no endpoint, a plugin
endpoint stopped by the gate middleware because the plugin is inactive on the
site, an uncaught exception. Django then calls its ``handler404`` /
``handler500``; these handlers answer JSON for /api/ paths and leave every
other path to Django's defaults (the theme's 404.html and 500.html).

The message is under ``"message"`` for /api/v2/ (Wagtail's format) and
``"detail"`` elsewhere (DRF's format), so each API keeps one error shape.
Wire them in the root URLconf::

    handler404 = "api.errors.page_not_found"
    handler500 = "api.errors.server_error"
"""
from __future__ import annotations

from django.http import Http404, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(request, message: str, status: int) -> JsonResponse:
    key = "message" if request.path.startswith("/api/v2/") else "detail"
    return JsonResponse({key: message}, status=status)


def _exception_message(exception, default: str) -> str:
    message = exception.args[0] if exception is not None and exception.args else None
    return message if isinstance(message, str) and message else default


def page_not_found(request, exception=None):
    if is_api_request(request):
        return error_response(
            request, _exception_message(exception, f"There is no API endpoint at {request.path}."), 404
        )
    return defaults.page_not_found(request, exception)


@csrf_exempt
def no_such_endpoint(request, *args, **kwargs):
    """The last pattern under /api/: no endpoint is here, whatever the method.
    Exempt from CSRF: there is nothing to protect, and the answer is the same 404."""
    raise Http404(f"There is no API endpoint at {request.path}.")


def server_error(request):
    if is_api_request(request):
        return error_response(request, "The server could not answer this request; it has been logged.", 500)
    return defaults.server_error(request)


def first_error(errors) -> tuple[str | None, str]:
    """(field, message) of the first error in a DRF serializer's ``errors``,
    for answers of the form ``{"detail": message, "field": field}``."""
    if isinstance(errors, dict):
        name, found = next(iter(errors.items()))
        message = first_error(found)[1]
        if name == "non_field_errors":
            return None, message
        return name, f"{name}: {message}"
    if isinstance(errors, list):
        return first_error(errors[0])
    return None, str(errors)
