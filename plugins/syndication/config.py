"""Each site's syndication settings, kept in the core's per-site plugin config."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from hearthside.extending.activation import plugin_config, save_plugin_config

LABEL = "syndication"


@dataclass(frozen=True)
class SyndicationSettings:
    # Feeds carry the whole page, or its summary with a link to read on.
    full_content_feeds: bool = False
    # An update waits this long after publishing, so an editor can hold or cancel it.
    send_delay_minutes: int = 10
    # A WebSub hub told of every publish, e.g. https://pubsubhubbub.appspot.com/ ("" for none).
    websub_hub: str = ""
    # Newsletters count opens and clicks only when this is on.
    track_opens_and_clicks: bool = False


def settings_for(site) -> SyndicationSettings:
    stored = plugin_config(site, LABEL)
    known = {f.name for f in fields(SyndicationSettings)}
    return SyndicationSettings(**{key: value for key, value in stored.items() if key in known})


def save_settings(site, syndication_settings: SyndicationSettings, user=None) -> None:
    save_plugin_config(site, LABEL, {**plugin_config(site, LABEL), **asdict(syndication_settings)}, user=user)
