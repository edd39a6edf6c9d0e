"""Checking what people type before anything is stored: email addresses
(internationalised domains included), mobile numbers, names and URLs.

Every refusal is a :class:`MemberRejected` with a message fit to show the
person and the field it concerns.
"""
from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from email_validator import EmailNotValidError, validate_email

EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 100
PHONE_MAX_LENGTH = 32
URL_MAX_LENGTH = 500
WORDING_MAX_LENGTH = 2000
SOURCE_MAX_LENGTH = 200
TOPICS_MAX = 50


class MemberRejected(Exception):
    """Input refused before anything was written. ``field`` names the form
    field it concerns (None for the request as a whole)."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class LinkGone(MemberRejected):
    """A link from an email that worked once and no longer does: expired,
    already used, or for a subscription since deleted."""


class MemberRateLimited(MemberRejected):
    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def _validated(email: str):
    email = (email or "").strip()
    if not email:
        raise MemberRejected("Please give your email address.", "email")
    if len(email) > EMAIL_MAX_LENGTH:
        raise MemberRejected(f"Email addresses can be at most {EMAIL_MAX_LENGTH} characters.", "email")
    try:
        return validate_email(email, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        text = str(error)
        if "before the @-sign are not supported" in text:
            text = (
                "We can't send mail to addresses with accents or other non-Latin letters before the @ "
                "(the part after it may have them). Please use another address."
            )
        raise MemberRejected(f"“{email[:80]}” is not an email address we can use: {text}", "email") from None


def normalise_email(email: str) -> str:
    """The address in the form it is stored: the domain lowercased and in
    Unicode (``user@bücher.de``, also for ``user@xn--bcher-kva.de``)."""
    return _validated(email).normalized


def mailable_address(email: str) -> str:
    """The address as it goes into an SMTP envelope: the domain in IDNA
    (punycode) form, which every mail server accepts."""
    return _validated(email).ascii_email


def normalise_phone(phone: str) -> str:
    """A mobile number in E.164 (``+447700900123``); "" for none. Numbers
    without a country code are read as PHONENUMBER_DEFAULT_REGION's."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) > PHONE_MAX_LENGTH:
        raise MemberRejected(f"Phone numbers can be at most {PHONE_MAX_LENGTH} characters.", "phone")
    try:
        number = phonenumbers.parse(phone, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise MemberRejected(
            f"“{phone}” is not a phone number. Please give your mobile number, with the country code "
            "if it is not a local one (e.g. +44 7400 123456).",
            "phone",
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise MemberRejected(f"“{phone}” is not a valid phone number. Please check the digits.", "phone")
    kind = phonenumbers.number_type(number)
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise MemberRejected(f"“{phone}” is not a mobile number, so it cannot receive text messages.", "phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if len(name) > NAME_MAX_LENGTH:
        raise MemberRejected(f"Names can be at most {NAME_MAX_LENGTH} characters.", "name")
    if any(ord(char) < 32 for char in name):
        raise MemberRejected("Names cannot contain control characters.", "name")
    return name


def clean_webhook_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise MemberRejected("Please give the URL updates should be posted to.", "webhook_url")
    if len(url) > URL_MAX_LENGTH:
        raise MemberRejected(f"Webhook URLs can be at most {URL_MAX_LENGTH} characters.", "webhook_url")
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise MemberRejected(
            f"“{url[:80]}” is not a web address: give a full https:// URL.", "webhook_url"
        ) from None
    return url


def clean_text(value: str, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise MemberRejected(f"{field.replace('_', ' ').capitalize()} can be at most {max_length} characters.", field)
    return value
