"""System checks for the comments plugin's settings."""
from django.apps import apps
from django.conf import settings
from django.core.checks import Error, register
from wagtail.models import Page

from hearthside.ratelimit import parse_rate


@register()
def check_comment_settings(app_configs=None, **kwargs):
    errors = []
    for dotted in settings.COMMENTS_PAGE_TYPES:
        try:
            model = apps.get_model(dotted)
        except (LookupError, ValueError):
            errors.append(
                Error(f"COMMENTS_PAGE_TYPES names {dotted!r}, which is not a model.",
                      hint="Use 'app_label.ModelName', e.g. 'hearthside.ArticlePage'.", id="comments.E001")
            )
            continue
        if not issubclass(model, Page):
            errors.append(Error(f"COMMENTS_PAGE_TYPES names {dotted!r}, which is not a page type.", id="comments.E001"))
    for name in ("COMMENTS_RATE_PER_IP", "COMMENTS_RATE_PER_EMAIL"):
        try:
            parse_rate(getattr(settings, name))
        except ValueError as error:
            errors.append(Error(f"{name}: {error}", id="comments.E002"))
    if not settings.COMMENTS_XTD_SALT:
        errors.append(Error("COMMENTS_XTD_SALT is empty: set COMMENTS_SALT.", id="comments.E003"))
    return errors
