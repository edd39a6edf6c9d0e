"""The schema class of every API view (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``).

Kept apart from :mod:`api.schema`: DRF imports it while importing its views,
which api.schema needs itself.
"""
from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What was wrong with the request.")


UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, plus the errors answered before the view runs."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in self._framework_errors():
            if code not in responses:
                error = OpenApiResponse(ErrorDetailSerializer, description=description)
                responses[code] = self._get_response_for_code(error, code, direction=direction)
        return responses

    def _framework_errors(self):
        view, request = self.view, getattr(self.view, "request", None)
        authenticators = [authenticator() for authenticator in view.authentication_classes]
        challenges = [a.authenticate_header(request) for a in authenticators]
        if any(challenges):
            # DRF answers a bad token with 401 even where no credentials are needed.
            schemes = ", ".join(f"`{challenge.split()[0]}`" for challenge in challenges if challenge)
            yield "401", f"Bad or missing credentials for this scheme ({schemes}): an unknown or revoked key."
        if self.method in UNSAFE_METHODS and any(isinstance(a, SessionAuthentication) for a in authenticators):
            yield "403", "A session request without the CSRF token (send X-CSRFToken)."
        if self._plugin_label() is not None:
            yield "404", "The plugin is not active on this site."
        if view.get_throttles():
            yield "429", "Too many requests from this address or user; see Retry-After."

    def _plugin_label(self):
        from hearthside.extending.plugins import installed_plugins

        labels = {plugin.label for plugin in installed_plugins()}
        parts = self.path.strip("/").split("/")
        if len(parts) >= 3 and parts[:2] == ["api", "v1"] and parts[2] in labels:
            return parts[2]
        return None
