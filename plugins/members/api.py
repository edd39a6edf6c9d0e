"""The members API, mounted at /api/v1/members/ (404 while the plugin is
inactive on the request's site: the gate answers before these views run).

Public (no credentials):

- ``GET  options/``: the channels, topics and consent wording a signup form shows;
- ``POST signup/``: ask to join; a confirmation link is emailed (double opt-in);
- ``POST confirm/``: the token from that link; answers a preferences token;
- ``POST access/``: ask for a link to one's preferences by email (magic link);
- ``POST access/open/``: the token from that link; answers a preferences token.

With ``Authorization: Member <preferences token>``:

- ``GET / PATCH / DELETE preferences/``: read, change, or erase everything;
- ``POST preferences/phone/`` and ``preferences/phone/resend/``: the number's code;
- ``POST unsubscribe/``: leave one channel or all of them;
- ``GET  export/``: everything kept about the member ("Download my data").

No enumeration: signup/ and access/ answer exactly the same whether the
address is new, known, or suppressed; only bad input (the same for every
address) and rate limits answer otherwise.

Every rule (what an address, number, channel or topic may be; the rate limits
per address and per email) is the service's, :mod:`plugins.members.signup`
and :mod:`plugins.members.preferences`, shared with the website's forms.
Errors are ``{"detail": message, "field": name or null}`` and change nothing.

Authentication is the member token only. It is not a Django user:
``request.user`` stays anonymous, and there is no session authentication, so
no cookie can act for anyone and no CSRF token is needed. Bodies are JSON.
"""
from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager

from django.contrib.auth.models import AnonymousUser
from django.urls import path, reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.models import Page, Site

from api.errors import first_error
from api.throttling import PublicWriteThrottle
from hearthside.ratelimit import client_ip

from . import preferences, signup, tokens
from .channels import channels_for
from .config import settings_for, wording_for
from .models import Member, Source, Topic, email_key
from .serializers import (
    MemberAccessOpenedSerializer,
    MemberAccessRequestSerializer,
    MemberConfirmedSerializer,
    MemberErrorSerializer,
    MemberExportSerializer,
    MemberMessageSerializer,
    MemberOptionsSerializer,
    MemberPhoneCodeSerializer,
    MemberPreferencesChangedSerializer,
    MemberPreferencesSerializer,
    MemberPreferencesUpdateSerializer,
    MemberSignupSerializer,
    MemberTokenSerializer,
    MemberUnsubscribedSerializer,
    MemberUnsubscribeSerializer,
)
from .validation import MemberRejected, normalise_email

TAG = "members"
AUTH_KEYWORD = "Member"
# The consent records of changes made through the API say so.
API_SOURCE = Source.API.label

CHECK_YOUR_INBOX = (
    "Thank you! Check your inbox for a link to confirm your subscription: we send you nothing else until "
    "you follow it. If it hasn't arrived in a few minutes, look in your spam folder."
)
ACCESS_LINK_SENT = (
    "Check your inbox: if this address is on our list, we've emailed it a link to your preferences (or, if "
    "it isn't confirmed yet, the link to confirm it). If it hasn't arrived in a few minutes, look in your "
    "spam folder."
)
NO_TOKEN = (
    f"Send your preferences token in the header `Authorization: {AUTH_KEYWORD} <token>`. Follow the link "
    "we emailed you, or ask for a new one."
)


# --- errors ---------------------------------------------------------------------------


class MembersAPIError(exceptions.APIException):
    """An error answered as ``{"detail": message, "field": field}``.
    ``retry_after`` (seconds) becomes the Retry-After header."""

    def __init__(self, message: str, field: str | None = None, status_code: int = 400, retry_after=None):
        self.status_code = status_code
        # Set directly: APIException would turn field=None into the string "None".
        self.detail = {"detail": message, "field": field}
        self.wait = retry_after  # DRF's exception handler sends it as Retry-After

    @classmethod
    def from_rejection(cls, rejection: MemberRejected) -> MembersAPIError:
        # A link followed twice is not bad input but a conflict with what already happened.
        code = status.HTTP_409_CONFLICT if isinstance(rejection, signup.LinkAlreadyUsed) else rejection.status
        retry_after = getattr(rejection, "retry_after", None)
        return cls(rejection.message, rejection.field, status_code=code, retry_after=retry_after)


@contextmanager
def answering_refusals():
    """The service's MemberRejected / MemberRateLimited as the API's errors."""
    try:
        yield
    except MemberRejected as rejected:
        raise MembersAPIError.from_rejection(rejected) from None


class MemberTokenRefused(exceptions.AuthenticationFailed):
    def __init__(self, message: str):
        self.detail = {"detail": message, "field": None}


class MemberTokenMissing(exceptions.NotAuthenticated):
    def __init__(self, message: str = NO_TOKEN):
        self.detail = {"detail": message, "field": None}


# --- authentication -------------------------------------------------------------------


class MemberTokenAuthentication(BaseAuthentication):
    """``Authorization: Member <preferences token>`` -> the Member, as
    ``request.auth``. ``request.user`` stays AnonymousUser: a member is not a
    Django user and gets no user's rights anywhere. Other schemes (Token,
    Basic) are not this class's business and are left alone; a bad, expired
    or void member token, or one for another site, is a 401."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != AUTH_KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise MemberTokenRefused(
                f"The header must be `Authorization: {AUTH_KEYWORD} <token>`, with no spaces in the token."
            )
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise MemberTokenRefused("This token is not valid: it has characters no token has.") from None
        try:
            member = signup.member_for_token(token)
        except MemberRejected as rejected:
            raise MemberTokenRefused(rejected.message) from None
        if member.site_id != getattr(Site.find_for_request(request._request), "pk", None):
            raise MemberTokenRefused("This token is for another site.")
        return AnonymousUser(), member

    def authenticate_header(self, request):
        # A 401 needs a WWW-Authenticate challenge (DRF answers 403 without one).
        return f'{AUTH_KEYWORD} realm="members"'


class MemberTokenScheme(OpenApiAuthenticationExtension):
    target_class = MemberTokenAuthentication
    name = "memberToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                f"`{AUTH_KEYWORD} <preferences token>`, the token that confirm/ and access/open/ answer. "
                "It acts for one member of one site, expires, and is void once the member is erased."
            ),
        }


class HasMemberToken(BasePermission):
    def has_permission(self, request, view):
        if request.method == "OPTIONS" or isinstance(request.auth, Member):
            return True
        raise MemberTokenMissing()


# --- throttles: the public write rate, counted apart per kind of request -----------------


class SignupThrottle(PublicWriteThrottle):
    cache_format = "throttle_%(scope)s_members_signup_%(ident)s"


class LinkThrottle(PublicWriteThrottle):
    """Following emailed links (confirm/, access/open/)."""

    cache_format = "throttle_%(scope)s_members_links_%(ident)s"


class AccessThrottle(PublicWriteThrottle):
    cache_format = "throttle_%(scope)s_members_access_%(ident)s"


class MemberWriteThrottle(PublicWriteThrottle):
    """Changes made with a member token, counted per member (as signed-in
    users are), so a family behind one address does not share a budget."""

    cache_format = "throttle_%(scope)s_members_preferences_%(ident)s"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, Member):
            return self.cache_format % {"scope": self.scope, "ident": f"member-{request.auth.pk}"}
        return super().get_cache_key(request, view)


# --- base views and helpers ---------------------------------------------------------------


class MembersAPIView(APIView):
    """Public endpoints: no credentials read at all."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]
    write_throttle_class = PublicWriteThrottle

    def get_throttles(self):
        # The API's default read throttles, plus the write throttle for unsafe methods.
        return [*super().get_throttles(), self.write_throttle_class()]

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # One error shape for every answer, DRF's own (parse errors, throttling) included.
        if isinstance(response.data, dict) and "detail" in response.data and "field" not in response.data:
            response.data = {"detail": response.data["detail"], "field": None}
        return response


class MemberAPIView(MembersAPIView):
    """Endpoints that act for the member whose token is in the Authorization header."""

    authentication_classes = [MemberTokenAuthentication]
    permission_classes = [HasMemberToken]
    write_throttle_class = MemberWriteThrottle


def _site(request) -> Site:
    site = Site.find_for_request(request._request)
    if site is None:
        raise MembersAPIError("No site is configured for this host.", status_code=status.HTTP_404_NOT_FOUND)
    return site


def parsed(request, serializer_class, *, tolerated=()) -> dict:
    """The request's JSON object checked by ``serializer_class``. A field the
    endpoint does not take is refused by name (a misspelt ``topic`` would
    otherwise be ignored without a word); ``tolerated`` names are ignored."""
    data = request.data
    if not isinstance(data, Mapping):
        raise MembersAPIError("Send a JSON object with the fields as its keys.")
    form = serializer_class(data=data)
    unknown = [key for key in data if key not in form.fields and key not in tolerated]
    if unknown:
        name = str(unknown[0])[:40]
        raise MembersAPIError(f"“{name}” is not a field here; send {', '.join(form.fields)}.", name)
    if not form.is_valid():
        field, message = first_error(form.errors)
        raise MembersAPIError(message, field)
    return form.validated_data


def _source_page(site, page_id):
    if page_id is None:
        return None
    page = Page.objects.live().descendant_of(site.root_page, inclusive=True).filter(pk=page_id).first()
    if page is None:
        raise MembersAPIError(f"There is no page {page_id} on this site.", "source_page_id")
    return page


def _phone_code_required(member: Member) -> bool:
    return bool((member.pending or {}).get("awaiting_code"))


def preferences_data(request, member: Member) -> dict:
    """The member's preferences as MemberPreferencesSerializer shows them (two queries)."""
    subscriptions = list(member.subscriptions.all())
    channels = {subscription.channel: subscription.frequency for subscription in subscriptions}
    webhook_url = next((s.config.get("url", "") for s in subscriptions if s.channel == "webhook"), "")
    feed_url = None
    if "rss" in channels:
        feed_url = request.build_absolute_uri(reverse("members:feed", args=[member.feed_key]))
    return {
        "name": member.name,
        "email": member.email,
        "phone": str(member.phone or ""),
        "phone_confirmed": member.phone_confirmed,
        "phone_code_required": _phone_code_required(member),
        "channels": channels,
        "topics": list(member.topics.values_list("slug", flat=True)),
        "webhook_url": webhook_url,
        "feed_url": feed_url,
        "stage": member.stage,
    }


def _preferences_response(request, member: Member) -> dict:
    return MemberPreferencesSerializer(preferences_data(request, member)).data


def _fresh(member: Member) -> Member:
    return Member.objects.select_related("site").get(pk=member.pk)


# --- schema -------------------------------------------------------------------------------

RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    description="Seconds to wait before trying again.",
    response=[429],
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(MemberErrorSerializer, description=description)


NOT_ACTIVE = _error("The members plugin is not active on this site (or no site is configured for this host).")
THROTTLED = _error(
    "Too many requests from this address, for this email address or number, or for this member; see "
    "Retry-After. Nothing was changed."
)
BAD_TOKEN_HEADER = _error(
    f"No `Authorization: {AUTH_KEYWORD} <token>` header, or a token that was changed, has expired, is for "
    "another site, or belongs to a member who has since been erased. Nothing was changed."
)
MEMBER_ERRORS = {401: BAD_TOKEN_HEADER, 404: NOT_ACTIVE, 429: THROTTLED}


# --- public views ----------------------------------------------------------------------


class OptionsView(MembersAPIView):
    @extend_schema(
        operation_id="members_options",
        summary="What a signup form offers",
        description=(
            "The channels members can choose on this site (with their frequencies, what each needs, and the "
            "consent wording to show beside it), the topics they can follow, and the form's heading and "
            "introduction, so a front end can build the form."
        ),
        responses={200: MemberOptionsSerializer, 404: NOT_ACTIVE, 429: THROTTLED},
        tags=[TAG],
    )
    def get(self, request):
        site = _site(request)
        member_settings = settings_for(site)
        channels = [
            {**channel.as_dict(), "wording": wording_for(site, channel.key, member_settings)}
            for channel in channels_for(site).values()
        ]
        topics = Topic.objects.filter(site=site, subscribable=True).values("slug", "name", "description")
        data = {
            "heading": member_settings.signup_heading,
            "intro": member_settings.signup_intro,
            "channels": channels,
            "topics": list(topics),
        }
        return Response(MemberOptionsSerializer(data).data)


class SignupView(MembersAPIView):
    write_throttle_class = SignupThrottle

    @extend_schema(
        operation_id="members_signup",
        summary="Sign up",
        description=(
            "Asks to join the site's members, with double opt-in: a link to confirm is emailed, and nothing "
            "is granted or sent until it is followed (POST its token to confirm/). Signing up again with the "
            "same address replaces what was asked for and sends the link again.\n\n"
            "The answer is the same 202 whether the address is new, already a member, or must never be "
            "mailed again, so nobody can learn who is on the list. Bad input is a 400 naming the field, "
            "and stores nothing. Rate-limited per network address and per email address (429 with "
            "Retry-After)."
        ),
        parameters=[RETRY_AFTER],
        request=MemberSignupSerializer,
        responses={
            202: MemberMessageSerializer,
            400: _error(
                "Bad input, nothing stored: an address we cannot use (accents before the @ included), a "
                "number that is not a mobile one, a channel or frequency or topic the site does not offer, a "
                "missing number for texts or URL for webhooks, a field that is too long or not taken here, a "
                "page that is not on this site. `field` names it."
            ),
            404: NOT_ACTIVE,
            415: _error("The body is not JSON."),
            429: THROTTLED,
        },
        tags=[TAG],
    )
    def post(self, request):
        data = parsed(request, MemberSignupSerializer)
        site = _site(request)
        source_page = _source_page(site, data.get("source_page_id"))
        with answering_refusals():
            signup.signup(
                site,
                email=data.get("email", ""),
                name=data.get("name", ""),
                phone=data.get("phone", ""),
                channels=data.get("channels"),
                topics=data.get("topics", ()),
                webhook_url=data.get("webhook_url", ""),
                source=Source.API,
                source_page=source_page,
                consent_text=data.get("consent_text"),
                ip_address=client_ip(request) or None,
            )
        # The same answer for a new, a known and a suppressed address (signup returned None).
        answer = MemberMessageSerializer({"detail": CHECK_YOUR_INBOX}).data
        return Response(answer, status=status.HTTP_202_ACCEPTED)


LINK_ERRORS = {
    400: _error("The token was changed, cut short, or has expired (`field` is token); nothing was changed."),
    404: NOT_ACTIVE,
    409: _error("The link was used already: it works once."),
    429: THROTTLED,
}


class ConfirmView(MembersAPIView):
    write_throttle_class = LinkThrottle

    @extend_schema(
        operation_id="members_confirm",
        summary="Confirm a signup",
        description=(
            "Follows the confirmation link: `token` is its last path segment (/members/confirm/<token>/). "
            "The address is confirmed and what the signup asked for is granted, each channel recorded as "
            "consent; text messages wait for the code texted to the number (`phone_code_required`). "
            "Answers a preferences token for the preferences endpoints. The link works once."
        ),
        parameters=[RETRY_AFTER],
        request=MemberTokenSerializer,
        responses={200: MemberConfirmedSerializer, **LINK_ERRORS},
        tags=[TAG],
    )
    def post(self, request):
        data = parsed(request, MemberTokenSerializer)
        with answering_refusals():
            member = signup.confirm(data["token"], site=_site(request), ip_address=client_ip(request) or None)
        code_required = _phone_code_required(member)
        message = "Thank you: your address is confirmed."
        if code_required:
            message += " We've texted a code to your mobile number: enter it to get text messages too."
        result = {
            "detail": message,
            "preferences_token": tokens.make(tokens.PREFERENCES, member),
            "phone_code_required": code_required,
        }
        return Response(MemberConfirmedSerializer(result).data)


class AccessView(MembersAPIView):
    write_throttle_class = AccessThrottle

    @extend_schema(
        operation_id="members_access",
        summary="Ask for a link to one's preferences",
        description=(
            "Emails a member a single-use link to their preferences (POST its token to access/open/); a "
            "member who never confirmed gets the confirmation link again. The answer is the same 202 "
            "whether or not the address is a member. Rate-limited per network address and per email "
            "address (429 with Retry-After)."
        ),
        parameters=[RETRY_AFTER],
        request=MemberAccessRequestSerializer,
        responses={
            202: MemberMessageSerializer,
            400: _error("Not an email address we can use, or a field not taken here; nothing was sent."),
            404: NOT_ACTIVE,
            415: _error("The body is not JSON."),
            429: THROTTLED,
        },
        tags=[TAG],
    )
    def post(self, request):
        data = parsed(request, MemberAccessRequestSerializer)
        with answering_refusals():
            signup.request_access(
                _site(request), data.get("email", ""), ip_address=client_ip(request) or None
            )
        # The same answer whether or not the address is a member.
        answer = MemberMessageSerializer({"detail": ACCESS_LINK_SENT}).data
        return Response(answer, status=status.HTTP_202_ACCEPTED)


class AccessOpenView(MembersAPIView):
    write_throttle_class = LinkThrottle

    @extend_schema(
        operation_id="members_access_open",
        summary="Open a link to one's preferences",
        description=(
            "Follows the link access/ emailed: `token` is its last path segment (/members/access/<token>/). "
            "Answers a preferences token. The link works once."
        ),
        parameters=[RETRY_AFTER],
        request=MemberTokenSerializer,
        responses={200: MemberAccessOpenedSerializer, **LINK_ERRORS},
        tags=[TAG],
    )
    def post(self, request):
        data = parsed(request, MemberTokenSerializer)
        with answering_refusals():
            member = signup.open_access_link(data["token"], site=_site(request))
        result = {
            "detail": "Here are your preferences.",
            "preferences_token": tokens.make(tokens.PREFERENCES, member),
        }
        return Response(MemberAccessOpenedSerializer(result).data)


# --- the member's own views -------------------------------------------------------------

# A front end may send back what GET answered: these are shown, not changed.
SHOWN_NOT_CHANGED = ("email", "phone_confirmed", "phone_code_required", "feed_url", "stage")


def _same_address(given, member: Member) -> bool:
    try:
        return email_key(normalise_email(str(given))) == member.email_key
    except MemberRejected:
        return False


class PreferencesView(MemberAPIView):
    @extend_schema(
        operation_id="members_preferences_retrieve",
        summary="The member's preferences",
        description="What the member gets, on which channels, about what; their private feed while on rss.",
        responses={200: MemberPreferencesSerializer, **MEMBER_ERRORS},
        tags=[TAG],
    )
    def get(self, request):
        return Response(_preferences_response(request, request.auth))

    @extend_schema(
        operation_id="members_preferences_update",
        summary="Change the member's preferences",
        description=(
            "Changes what is sent (fields left out stay as they are). `channels` is the whole new set: "
            "channels left out are withdrawn; each grant and withdrawal is recorded as consent, with the "
            "site's wording. A new mobile number waits for the code texted to it before texts are sent "
            "(`phone_code_required`). The read-only fields GET answers may be sent back and are ignored, "
            "except a different `email`, which is refused. Bad input changes nothing."
        ),
        parameters=[RETRY_AFTER],
        request=MemberPreferencesUpdateSerializer,
        responses={
            200: MemberPreferencesSerializer,
            400: _error(
                "Bad input, nothing changed: a channel, frequency or topic the site does not offer, a number "
                "that is not a mobile one, a missing URL for webhooks, a field too long or not taken here, "
                "a different email address. `field` names it."
            ),
            415: _error("The body is not JSON."),
            **MEMBER_ERRORS,
        },
        tags=[TAG],
    )
    def patch(self, request):
        member = request.auth
        data = parsed(request, MemberPreferencesUpdateSerializer, tolerated=SHOWN_NOT_CHANGED)
        if "email" in request.data and not _same_address(request.data["email"], member):
            raise MembersAPIError(
                "Your email address cannot be changed here: sign up with the new address, and unsubscribe "
                "this one if you like.",
                "email",
            )
        with answering_refusals():
            member = preferences.update_preferences(
                member,
                channels=data.get("channels"),
                topics=data.get("topics"),
                name=data.get("name"),
                phone=data.get("phone"),
                webhook_url=data.get("webhook_url"),
                source=API_SOURCE,
                ip_address=client_ip(request) or None,
            )
        return Response(_preferences_response(request, member))

    @extend_schema(
        operation_id="members_erase",
        summary="Erase the member",
        description=(
            "Deletes the member and everything kept about them, consent history included. Only anonymised "
            "entries remain so the address and number are never contacted again. The token stops working "
            "(401 afterwards)."
        ),
        parameters=[RETRY_AFTER],
        request=None,
        responses={200: MemberMessageSerializer, **MEMBER_ERRORS},
        tags=[TAG],
    )
    def delete(self, request):
        preferences.erase(request.auth)
        message = "Everything we kept about you is deleted, and we won't contact you again. Goodbye!"
        return Response(MemberMessageSerializer({"detail": message}).data)


class PhoneCodeView(MemberAPIView):
    @extend_schema(
        operation_id="members_phone_verify",
        summary="Confirm the mobile number",
        description=(
            "The code texted to the member's number. Right, the number is confirmed and the text messages "
            "waiting for it are granted; wrong, it counts against a few tries."
        ),
        parameters=[RETRY_AFTER],
        request=MemberPhoneCodeSerializer,
        responses={
            200: MemberPreferencesChangedSerializer,
            400: _error("No code is waiting, or it is wrong, expired, or tried too often (`field` is code)."),
            **MEMBER_ERRORS,
        },
        tags=[TAG],
    )
    def post(self, request):
        data = parsed(request, MemberPhoneCodeSerializer)
        with answering_refusals():
            member = signup.verify_phone_code(request.auth, data["code"])
        result = {
            "detail": "Thank you: your number is confirmed.",
            "preferences": preferences_data(request, member),
        }
        return Response(MemberPreferencesChangedSerializer(result).data)


class PhoneCodeResendView(MemberAPIView):
    @extend_schema(
        operation_id="members_phone_resend",
        summary="Text a new code",
        description=(
            "Texts a new code to the member's number, while texts wait for one. Rate-limited per number."
        ),
        parameters=[RETRY_AFTER],
        request=None,
        responses={
            202: MemberMessageSerializer,
            400: _error("No number is waiting for a code."),
            **MEMBER_ERRORS,
        },
        tags=[TAG],
    )
    def post(self, request):
        member = request.auth
        with answering_refusals():
            signup.request_new_phone_code(member)
        message = f"We're texting a new code to {member.phone}. It replaces the one before."
        return Response(MemberMessageSerializer({"detail": message}).data, status=status.HTTP_202_ACCEPTED)


class UnsubscribeView(MemberAPIView):
    @extend_schema(
        operation_id="members_unsubscribe",
        summary="Unsubscribe",
        description=(
            "Takes the member off `channel`, or off every channel when it is left out. Each withdrawal is "
            "recorded. Unsubscribing from a channel the member is not on changes nothing."
        ),
        parameters=[RETRY_AFTER],
        request=MemberUnsubscribeSerializer,
        responses={
            200: MemberUnsubscribedSerializer,
            400: _error("Not a channel of this site, or a field not taken here (`field` names it)."),
            415: _error("The body is not JSON."),
            **MEMBER_ERRORS,
        },
        tags=[TAG],
    )
    def post(self, request):
        member = request.auth
        channel = parsed(request, MemberUnsubscribeSerializer).get("channel") or None
        with answering_refusals():
            withdrawn = preferences.unsubscribe(
                member, channel, source=API_SOURCE, ip_address=client_ip(request) or None
            )
        member = _fresh(member)
        if channel is None:
            message = (
                "You're unsubscribed from everything: we won't send you anything more."
                if withdrawn
                else "You weren't subscribed to anything, so nothing changed."
            )
        else:
            label = channels_for(member.site)[channel].label
            message = (
                f"You're unsubscribed from {label}."
                if withdrawn
                else f"You weren't getting {label}, so nothing changed."
            )
        result = {"detail": message, "withdrawn": withdrawn, "preferences": preferences_data(request, member)}
        return Response(MemberUnsubscribedSerializer(result).data)


class ExportView(MemberAPIView):
    @extend_schema(
        operation_id="members_export",
        summary="Download my data",
        description="Everything kept about the member, consent history included, as JSON.",
        responses={200: MemberExportSerializer, **MEMBER_ERRORS},
        tags=[TAG],
    )
    def get(self, request):
        # The service's dict as it is, not filtered through a serializer: an
        # export must not lose whatever the service adds to it.
        return Response(preferences.export_data(request.auth))


urlpatterns = [
    path("options/", OptionsView.as_view(), name="options"),
    path("signup/", SignupView.as_view(), name="signup"),
    path("confirm/", ConfirmView.as_view(), name="confirm"),
    path("access/", AccessView.as_view(), name="access"),
    path("access/open/", AccessOpenView.as_view(), name="access-open"),
    path("preferences/", PreferencesView.as_view(), name="preferences"),
    path("preferences/phone/", PhoneCodeView.as_view(), name="phone-code"),
    path("preferences/phone/resend/", PhoneCodeResendView.as_view(), name="phone-code-resend"),
    path("unsubscribe/", UnsubscribeView.as_view(), name="unsubscribe"),
    path("export/", ExportView.as_view(), name="export"),
]
