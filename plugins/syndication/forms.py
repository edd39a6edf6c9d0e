"""The syndication plugin's admin forms: the site's syndication settings."""
from __future__ import annotations

from django import forms
from django.core.validators import URLValidator

from .config import SyndicationSettings

MAX_DELAY_MINUTES = 1440  # a day: longer and a page's news is stale before it goes out
HUB_EXAMPLE = "https://pubsubhubbub.appspot.com/"


class SyndicationSettingsForm(forms.Form):
    """One site's :class:`~plugins.syndication.config.SyndicationSettings`."""

    send_delay_minutes = forms.IntegerField(
        label="Wait before sending an update (minutes)",
        min_value=0,
        max_value=MAX_DELAY_MINUTES,
        error_messages={
            "required": "Give the wait in minutes, from 0 (send at once) to 1440 (a day).",
            "invalid": "Give the wait as a whole number of minutes, from 0 to 1440.",
            "min_value": "The wait cannot be negative: 0 sends an update as soon as the page is published.",
            "max_value": "The wait can be at most 1440 minutes (a day).",
        },
        help_text="After a page is first published its update waits this long, so an editor can see it in "
        "Updates and hold or cancel it. 0 sends at once.",
    )
    full_content_feeds = forms.BooleanField(
        label="Put whole pages in the feeds",
        required=False,
        help_text="Off: feeds carry each page's summary with a link to read on.",
    )
    websub_hub = forms.CharField(
        label="WebSub hub",
        required=False,
        max_length=500,
        help_text=f"Feed readers hear of every publish at once through this hub (e.g. {HUB_EXAMPLE}); "
        "leave empty for none.",
    )
    track_opens_and_clicks = forms.BooleanField(
        label="Count opens and clicks of newsletters",
        required=False,
        help_text="Only newsletters that ask for it are counted; page updates never are.",
    )
    field_order = ["send_delay_minutes", "full_content_feeds", "websub_hub", "track_opens_and_clicks"]

    def clean_websub_hub(self) -> str:
        hub = self.cleaned_data.get("websub_hub", "").strip()
        if not hub:
            return ""
        try:
            # Only the web's schemes: the server itself posts to the hub.
            URLValidator(schemes=["https", "http"])(hub)
        except forms.ValidationError:
            raise forms.ValidationError(
                f"“{hub}” is not a web address. Give the hub's full address, starting with https://, "
                f"e.g. {HUB_EXAMPLE}"
            ) from None
        return hub

    def to_settings(self) -> SyndicationSettings:
        data = self.cleaned_data
        return SyndicationSettings(
            full_content_feeds=data["full_content_feeds"],
            send_delay_minutes=data["send_delay_minutes"],
            websub_hub=data["websub_hub"],
            track_opens_and_clicks=data["track_opens_and_clicks"],
        )
