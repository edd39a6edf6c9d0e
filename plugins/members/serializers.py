"""The members API's request and response bodies (see :mod:`plugins.members.api`).

Request serializers check only the types. What the values may be (a usable
address, a mobile number, channels and topics the site offers, lengths) is
decided by :mod:`plugins.members.signup` and :mod:`plugins.members.preferences`,
the same rules and messages for the website's forms and the API.

Response serializers describe the answers for the OpenAPI schema and make
sure nothing beyond them reaches a client. Component names start with
``Member`` so they cannot collide with another plugin's.
"""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .validation import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    TOPICS_MAX,
    URL_MAX_LENGTH,
    WORDING_MAX_LENGTH,
)

CHANNELS_SCHEMA = {
    "oneOf": [
        {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Channel key -> frequency, e.g. {\"email\": \"weekly\", \"rss\": \"immediate\"}; "
            "an empty frequency takes the channel's first one.",
        },
        {
            "type": "array",
            "items": {"type": "string"},
            "description": "Channel keys, each at its first frequency, e.g. [\"email\", \"sms\"].",
        },
    ],
}
TOPICS_SCHEMA = {"type": "array", "items": {"type": "string"}, "maxItems": TOPICS_MAX}


@extend_schema_field(CHANNELS_SCHEMA)
class ChannelsField(serializers.JSONField):
    """Channels as sent: ``{key: frequency}`` or a list of keys. The service
    checks them against the site's channels, with messages naming the channel."""


@extend_schema_field(TOPICS_SCHEMA)
class TopicsField(serializers.JSONField):
    """Topic slugs as sent; the service checks they are a list of topics the site offers."""


# --- errors and plain answers --------------------------------------------------------


class MemberErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What was wrong, in a sentence fit to show the person.")
    field = serializers.CharField(
        allow_null=True,
        help_text=(
            "The request field it concerns (email, name, phone, channels, topics, webhook_url, consent_text, "
            "source_page_id, token, code, channel...), or null for the request as a whole (and for "
            "problems with the Authorization header)."
        ),
    )


class MemberMessageSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What happened, in a sentence fit to show the person.")


# --- options: what a signup form offers --------------------------------------------------


class MemberFrequencySerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="immediate, daily or weekly (channels from other plugins may add more)."
    )
    label = serializers.CharField()


class MemberChannelOptionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="email, sms, rss, webhook, or a channel another plugin adds.")
    label = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    frequencies = MemberFrequencySerializer(many=True, help_text="The first one is the default.")
    needs = serializers.CharField(
        help_text="What the channel needs: email (nothing more), phone (`phone`, confirmed by a texted code) "
        "or webhook_url (`webhook_url`)."
    )
    wording = serializers.CharField(
        allow_blank=True,
        help_text="The consent wording to show beside the choice, as this site words it. Send back what you "
        "showed as `consent_text`.",
    )


class MemberTopicOptionSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="What `topics` takes.")
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)


class MemberOptionsSerializer(serializers.Serializer):
    heading = serializers.CharField(
        allow_blank=True, help_text="The signup form's heading, as the site sets it."
    )
    intro = serializers.CharField(allow_blank=True, help_text="The signup form's introduction.")
    channels = MemberChannelOptionSerializer(many=True, help_text="In the order to show them.")
    topics = MemberTopicOptionSerializer(
        many=True, help_text="Topics members can follow, in the order to show them."
    )


# --- joining -------------------------------------------------------------------------------


class MemberSignupSerializer(serializers.Serializer):
    email = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=f"Required. At most {EMAIL_MAX_LENGTH} characters; the part after the @ may be an "
        "internationalised domain (bücher.de), the part before it must be plain Latin letters.",
    )
    name = serializers.CharField(
        required=False, allow_blank=True, help_text=f"At most {NAME_MAX_LENGTH} characters."
    )
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=f"A mobile number, needed for text messages (at most {PHONE_MAX_LENGTH} characters); "
        "without a country code it is read as a local number.",
    )
    channels = ChannelsField(
        required=False,
        help_text="The channels asked for (default: email, at its first frequency). Nothing is granted until "
        "the emailed link is followed, and text messages once the number's code is entered too.",
    )
    topics = TopicsField(
        required=False,
        help_text=f"Slugs of the topics to follow (at most {TOPICS_MAX}); none means everything.",
    )
    webhook_url = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=f"The https:// URL updates are posted to, needed for the webhook channel (at most "
        f"{URL_MAX_LENGTH} characters).",
    )
    consent_text = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=f"The consent wording your form showed (at most {WORDING_MAX_LENGTH} characters), kept "
        "with the consent record. Leave it out to record the site's own wording for each channel.",
    )
    source_page_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=(
            "The id of the site's page the form was on (as in /api/v2/pages/<id>/), kept as the source."
        ),
    )


class MemberTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The token from the link's last path segment.")


class MemberConfirmedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    preferences_token = serializers.CharField(
        help_text="Send it as `Authorization: Member <token>` to the preferences endpoints. It expires, and "
        "stops working once the member is erased."
    )
    phone_code_required = serializers.BooleanField(
        help_text="Text messages wait for the code just texted to the member's number: "
        "POST it to preferences/phone/."
    )


class MemberAccessRequestSerializer(serializers.Serializer):
    email = serializers.CharField(required=False, allow_blank=True, help_text="The member's email address.")


class MemberAccessOpenedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    preferences_token = serializers.CharField(
        help_text="Send it as `Authorization: Member <token>` to the preferences endpoints."
    )


# --- the preference centre -------------------------------------------------------------


class MemberPreferencesSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    email = serializers.CharField(help_text="Read-only: to use another address, sign up with it.")
    phone = serializers.CharField(
        allow_blank=True, help_text="In international form (+447400123456), or empty."
    )
    phone_confirmed = serializers.BooleanField(help_text="Whether the number was confirmed by a texted code.")
    phone_code_required = serializers.BooleanField(
        help_text="Text messages wait for the code texted to the number: POST it to preferences/phone/."
    )
    channels = serializers.DictField(
        child=serializers.CharField(), help_text="The channels granted: key -> frequency."
    )
    topics = serializers.ListField(
        child=serializers.CharField(), help_text="Slugs followed; empty means everything."
    )
    webhook_url = serializers.CharField(allow_blank=True, help_text="Where webhook updates go, or empty.")
    feed_url = serializers.URLField(
        allow_null=True,
        help_text=(
            "The member's private RSS feed while they are on the rss channel, else null. Keep it secret."
        ),
    )
    stage = serializers.CharField(help_text="contact, prospect or customer (set by the business).")


class MemberPreferencesUpdateSerializer(serializers.Serializer):
    """What a member may change. Left out: unchanged."""

    name = serializers.CharField(
        required=False, allow_blank=True, help_text=f"At most {NAME_MAX_LENGTH} characters."
    )
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="A new mobile number (its texts wait for a new code), or empty to remove it (and texts).",
    )
    channels = ChannelsField(
        required=False,
        help_text="The whole new set: channels left out are withdrawn. A list takes each channel's first "
        "frequency.",
    )
    topics = TopicsField(
        required=False, help_text="The whole new set of topic slugs; empty means everything."
    )
    webhook_url = serializers.CharField(
        required=False, allow_blank=True, help_text="Where webhook updates go."
    )


class MemberPhoneCodeSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="The six digits texted to the member's number (spaces are ignored)."
    )


class MemberUnsubscribeSerializer(serializers.Serializer):
    channel = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="The channel to leave; left out, empty or null: every channel.",
    )


class MemberPreferencesChangedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    preferences = MemberPreferencesSerializer(help_text="The preferences now.")


class MemberUnsubscribedSerializer(MemberPreferencesChangedSerializer):
    withdrawn = serializers.IntegerField(help_text="How many channels were left now (0 if none was granted).")


# --- "Download my data" -------------------------------------------------------------------


class MemberExportChannelSerializer(serializers.Serializer):
    channel = serializers.CharField()
    frequency = serializers.CharField()
    since = serializers.DateTimeField()
    url = serializers.CharField(required=False, help_text="Webhook only.")


class MemberExportTopicSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class MemberConsentRecordSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    channel = serializers.CharField()
    action = serializers.ChoiceField(choices=["granted", "withdrawn"])
    source = serializers.CharField(help_text="Where it happened: a form and page, the API, an import...")
    wording = serializers.CharField(allow_blank=True, help_text="The words the member saw.")
    ip_address = serializers.CharField(
        allow_blank=True, help_text="The address, its hash or nothing, as the site keeps them."
    )


class MemberExportSerializer(serializers.Serializer):
    site = serializers.CharField()
    email = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    phone_confirmed = serializers.BooleanField()
    stage = serializers.CharField()
    source = serializers.CharField()
    source_page = serializers.URLField(allow_null=True)
    created_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    unsubscribed_at = serializers.DateTimeField(allow_null=True)
    channels = MemberExportChannelSerializer(many=True)
    topics = MemberExportTopicSerializer(many=True)
    tags = serializers.ListField(child=serializers.CharField())
    consent_history = MemberConsentRecordSerializer(
        many=True, help_text="Every grant and withdrawal, oldest first."
    )
