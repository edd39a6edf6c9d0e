"""Each site's members settings, kept in the core's per-site plugin config:
the consent wording shown for each channel and the signup form's texts."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from hearthside.extending.activation import plugin_config, save_plugin_config

from .channels import channels_for

LABEL = "members"


@dataclass(frozen=True)
class MemberSettings:
    signup_heading: str = "Hear from us"
    signup_intro: str = "New articles, offers and news, on the channel you prefer. No spam, ever."
    # Shown in every theme's footer; the signup page and blocks work without it.
    footer_form: bool = True
    # Channel key -> consent wording; channels left out use their default wording.
    wording: dict = field(default_factory=dict)


def settings_for(site) -> MemberSettings:
    stored = plugin_config(site, LABEL)
    known = {f.name for f in fields(MemberSettings)}
    return MemberSettings(**{key: value for key, value in stored.items() if key in known})


def save_settings(site, member_settings: MemberSettings, user=None) -> None:
    save_plugin_config(site, LABEL, {**plugin_config(site, LABEL), **asdict(member_settings)}, user=user)


def business_name(site, request=None) -> str:
    """The brand name consent wording and emails use; from the branding the
    theme middleware already read when there is a request."""
    from hearthside.models import SiteBranding

    branding = SiteBranding.for_request(request) if request is not None else SiteBranding.for_site(site)
    return getattr(branding, "brand_name", "") or site.site_name or "us"


def wording_for(
    site, channel_key: str, member_settings: MemberSettings | None = None, *, channel=None, business: str | None = None
) -> str:
    """The consent wording a person sees beside ``channel_key`` on ``site``:
    the site's own words, else the channel's with the brand name in it.
    Pass what the caller already has (settings, the Channel, the name) to
    spare the queries."""
    member_settings = member_settings or settings_for(site)
    custom = (member_settings.wording or {}).get(channel_key)
    if custom:
        return custom
    channel = channel or channels_for(site).get(channel_key)
    if channel is None:
        return ""
    return channel.wording.replace("{business}", business if business is not None else business_name(site))
