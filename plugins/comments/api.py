"""The comments API, mounted at /api/v1/comments/ (404 while the plugin is
inactive on the request's site: the gate answers before these views run).

- ``GET  pages/<page_id>/``: the page's visible comments as nested threads,
  paginated by thread (``?page=``, ``?page_size=``);
- ``POST pages/<page_id>/``: post a comment, through ``posting.submit`` like
  the page's form: a visitor's comment waits for the link emailed to them, a
  signed-in user's is published or held by the site's rules;
- ``POST <comment_id>/like/``: like a comment, or take the like back;
- ``POST <comment_id>/flag/``: flag a comment for removal.

Authentication: ``Authorization: Token <key>`` for apps; a browser's session
needs the CSRF token on every POST (DRF's SessionAuthentication). Visitors
post without either, as on the page's form: their comment is confirmed by
email. Errors are ``{"detail": message, "field": name or null}``.
"""
from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import APIException, NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView
from wagtail.models import Page, Site

from api.auth import BearerOrTokenAuthentication
from api.errors import first_error
from api.throttling import PublicWriteThrottle
from hearthside.extending.gate import page_types_of_inactive_plugins
from hearthside.ratelimit import client_ip

from . import posting
from .models import CommentState, PageComment
from .pages import accepts_comments
from .rules import closed_reason, rules_for
from .serializers import (
    CommentErrorSerializer,
    FlagSerializer,
    LikeSerializer,
    NewCommentSerializer,
    PostedCommentSerializer,
    ThreadPageSerializer,
)
from .threads import MAX_THREADS_PER_PAGE, THREADS_PER_PAGE, serialize_comment, thread_page

TAG = "comments"
PAGE_PARAMETER = "page"
PAGE_SIZE_PARAMETER = "page_size"


def max_page_size() -> int:
    # The same cap as the rest of the API (api.pagination), within what threads.py serves.
    return min(settings.WAGTAILAPI_LIMIT_MAX, MAX_THREADS_PER_PAGE)


class CommentError(APIException):
    """An error answered as ``{"detail": message, "field": field}``.
    ``retry_after`` (seconds) becomes the Retry-After header."""

    def __init__(self, message: str, field: str | None = None, status_code: int = 400, retry_after=None):
        self.status_code = status_code
        self.detail = {"detail": message, "field": field}
        self.wait = retry_after  # DRF's exception handler sends it as Retry-After

    @classmethod
    def from_rejection(cls, rejection: posting.CommentRejected) -> CommentError:
        return cls(
            rejection.message,
            rejection.field,
            status_code=rejection.status,
            retry_after=getattr(rejection, "retry_after", None),
        )


class ReactionThrottle(PublicWriteThrottle):
    """The public write rate, counted apart from posting: liking a few
    comments while reading must not use up the budget for posting one.
    Each like purges the page cache, so it is limited like a write."""

    cache_format = "throttle_%(scope)s_reactions_%(ident)s"


class CommentsAPIView(APIView):
    authentication_classes = [BearerOrTokenAuthentication, SessionAuthentication]
    write_throttle_class = PublicWriteThrottle

    def get_throttles(self):
        # The API's default read throttles, plus the write throttle for POSTs.
        return [*super().get_throttles(), self.write_throttle_class()]


def _site(request) -> Site:
    site = Site.find_for_request(request)
    if site is None:
        raise NotFound("No site is configured for this host.")
    return site


def _public_pages(site):
    """Live, public pages of ``site`` whose type's plugin is active there:
    what the pages API (/api/v2/pages/) shows."""
    in_site = Q(path__startswith=site.root_page.path)
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        for translation in site.root_page.get_translations():
            in_site |= Q(path__startswith=translation.path)
    return (
        Page.objects.live()
        .public()
        .filter(in_site)
        .exclude(content_type__in=page_types_of_inactive_plugins(site))
    )


def commentable_page(request, page_id: int):
    """(site, specific page) for a public page of the request's site that takes comments; else 404."""
    site = _site(request)
    page = _public_pages(site).filter(pk=page_id).first()
    if page is None or not accepts_comments(page.specific_class):
        raise NotFound(f"There is no public page {page_id} that takes comments on this site.")
    return site, page.specific


def visible_comment(request, comment_id: int) -> PageComment:
    """A visible comment on a public page of the request's site; else 404."""
    site = _site(request)
    # The pk is a link to the parent comment: Django does not turn an id no column
    # can hold into "no match" there, and SQLite raised OverflowError on it.
    if not -(2**63) <= comment_id < 2**63:
        raise NotFound(f"There is no comment {comment_id} on this site, or it is hidden.")
    comment = (
        PageComment.objects.filter(pk=comment_id, state=CommentState.APPROVED, wagtail_site=site)
        .filter(page__in=_public_pages(site))
        .first()
    )
    if comment is None:
        raise NotFound(f"There is no comment {comment_id} on this site, or it is hidden.")
    return comment


def _positive_int_parameter(request, name: str, default: int) -> int:
    raw = request.query_params.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise CommentError(f"?{name}= must be a whole number from 1 up, not “{raw[:20]}”.", name)
    return value


def _page_link(request, number: int, page_count: int) -> str | None:
    if number < 1 or number > page_count:
        return None
    url = request.build_absolute_uri()
    if number == 1:
        return remove_query_param(url, PAGE_PARAMETER)
    return replace_query_param(url, PAGE_PARAMETER, number)


_RESULT_MESSAGES = {
    CommentState.UNCONFIRMED: (
        "Check your email to confirm your comment: we sent a link to {email}. "
        "It appears once you follow it."
    ),
    CommentState.PENDING: (
        "Thank you! Your comment is held for moderation and appears once a moderator approves it."
    ),
    CommentState.APPROVED: "Thank you! Your comment is published.",
}


def _reported_state(comment) -> str:
    return CommentState.PENDING if comment.state == CommentState.SPAM else comment.state


# --- schema -----------------------------------------------------------------

PAGE_ID = OpenApiParameter(
    "page_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="The page's id, as in /api/v2/pages/<id>/.",
)
COMMENT_ID = OpenApiParameter(
    "comment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The comment's id."
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    description="Seconds to wait before posting again.",
    response=[429],
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(CommentErrorSerializer, description=description)


PAGE_NOT_FOUND = _error(
    "No live, public page of this site with this id takes comments, or the plugin is not active on the site."
)
COMMENT_NOT_FOUND = _error(
    "No visible comment with this id on this site, or the plugin is not active on the site."
)
NOT_SIGNED_IN = _error("No credentials, or a bad token: like and flag need a signed-in user.")
CSRF_FAILED = _error("A session request without the CSRF token (send X-CSRFToken).")
THROTTLED = _error("Too many requests from this person or address; see Retry-After.")


# --- views ------------------------------------------------------------------


class PageThreadView(CommentsAPIView):
    """A page's comments (GET) and posting a new one (POST)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="comments_page_thread",
        summary="A page's comments",
        description=(
            "The visible comments on a page, as threads: each top-level comment with its visible replies "
            "nested under `replies`, oldest first. Paginated by thread with `?page=` and `?page_size=` "
            f"(default {THREADS_PER_PAGE}; larger sizes are lowered to the cap, "
            f"{settings.WAGTAILAPI_LIMIT_MAX} unless API_LIMIT_MAX says otherwise); a page past the last "
            "answers 404. `open` and `closed_reason` say whether the page takes new comments."
        ),
        parameters=[
            PAGE_ID,
            OpenApiParameter(PAGE_PARAMETER, OpenApiTypes.INT, description="Page of results, from 1."),
            OpenApiParameter(
                PAGE_SIZE_PARAMETER, OpenApiTypes.INT, description="Threads per page of results."
            ),
        ],
        responses={
            200: ThreadPageSerializer,
            400: _error("?page= or ?page_size= is not a whole number from 1 up."),
            404: _error(
                "No such page of this site taking comments, a page of results past the last, or the plugin "
                "is not active on the site."
            ),
            429: THROTTLED,
        },
        tags=[TAG],
    )
    def get(self, request, page_id: int):
        site, page = commentable_page(request, page_id)
        number = _positive_int_parameter(request, PAGE_PARAMETER, 1)
        asked_size = _positive_int_parameter(request, PAGE_SIZE_PARAMETER, THREADS_PER_PAGE)
        per_page = min(asked_size, max_page_size())
        rules = rules_for(site)
        threads = thread_page(
            page, max_depth=rules.max_depth, number=number, per_page=per_page, user=request.user
        )
        if number > threads.page_count:
            raise CommentError(
                f"There is no page {number} of comments: with {per_page} threads per page there "
                f"{'is' if threads.page_count == 1 else 'are'} {threads.page_count}.",
                PAGE_PARAMETER,
                status_code=status.HTTP_404_NOT_FOUND,
            )
        reason = closed_reason(page, rules)
        data = {
            "count": threads.thread_count,
            "comment_count": threads.comment_count,
            "page": threads.number,
            "page_size": threads.per_page,
            "page_count": threads.page_count,
            "next": _page_link(request, threads.number + 1, threads.page_count),
            "previous": _page_link(request, threads.number - 1, threads.page_count),
            "open": reason is None,
            "closed_reason": reason,
            "max_depth": rules.max_depth,
            "results": threads.threads,
        }
        return Response(ThreadPageSerializer(data).data)

    @extend_schema(
        operation_id="comments_post",
        summary="Post a comment",
        description=(
            "Posts a comment on the page, with the same rules as the page's form.\n\n"
            "- **Visitors** (no credentials) give `name` and `email`: the comment is stored as "
            "`unconfirmed` and a link to confirm it is emailed to them; once confirmed, the site's rules "
            "publish it or hold it for a moderator.\n"
            "- **Signed-in users** (a token, or a session with the CSRF token) post under their account: "
            "the comment is published (`approved`) or held (`pending`) at once.\n\n"
            "`reply_to` names a visible comment on the same page, within the site's reply depth. Nothing "
            "is stored when the answer is an error. Posting is rate-limited per address and per email "
            "(429 with Retry-After)."
        ),
        parameters=[PAGE_ID, RETRY_AFTER],
        request=NewCommentSerializer,
        responses={
            201: PostedCommentSerializer,
            400: _error(
                "The comment was refused, and nothing stored: empty or too long, a missing name, a bad email "
                "or website, a reply to a comment that is not visible on this page or past the reply depth, "
                "or the page no longer takes comments. `field` names the request field concerned."
            ),
            401: _error("A bad token."),
            403: CSRF_FAILED,
            404: PAGE_NOT_FOUND,
            429: THROTTLED,
        },
        tags=[TAG],
    )
    def post(self, request, page_id: int):
        site, page = commentable_page(request, page_id)
        form = NewCommentSerializer(data=request.data)
        if not form.is_valid():
            field, message = first_error(form.errors)
            raise CommentError(message, field)
        data = form.validated_data
        user = request.user if request.user.is_authenticated else None
        try:
            comment = posting.submit(
                site,
                page,
                text=data.get("comment", ""),
                user=user,
                name=data.get("name", ""),
                email=data.get("email", ""),
                url=data.get("url", ""),
                parent_id=data.get("reply_to"),
                wants_replies=data.get("followup", False),
                ip_address=client_ip(request) or None,
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except posting.CommentRejected as rejected:
            raise CommentError.from_rejection(rejected) from None
        state = _reported_state(comment)
        published = None
        if comment.state == CommentState.APPROVED:
            published = serialize_comment(comment, can_reply=comment.level < rules_for(site).max_depth)
        result = {
            "id": comment.pk,
            "state": state,
            "message": _RESULT_MESSAGES[state].format(email=comment.user_email),
            "comment": published,
        }
        return Response(PostedCommentSerializer(result).data, status=status.HTTP_201_CREATED)


REACTION_ERRORS = {401: NOT_SIGNED_IN, 403: CSRF_FAILED, 404: COMMENT_NOT_FOUND, 429: THROTTLED}


def react(request, comment_id: int, action):
    """``action(comment_id, user)`` on a comment visible on this site; 404 otherwise."""
    comment = visible_comment(request, comment_id)
    try:
        return action(comment.pk, request.user)
    except posting.CommentRejected:  # hidden between the two reads
        raise NotFound(f"There is no comment {comment_id} on this site, or it is hidden.") from None


class LikeView(CommentsAPIView):
    permission_classes = [IsAuthenticated]
    write_throttle_class = ReactionThrottle

    @extend_schema(
        operation_id="comments_like",
        summary="Like a comment, or take the like back",
        description="Toggles the signed-in user's like on a visible comment and returns the new count.",
        parameters=[COMMENT_ID],
        request=None,
        responses={200: LikeSerializer, **REACTION_ERRORS},
        tags=[TAG],
    )
    def post(self, request, comment_id: int):
        liked, likes = react(request, comment_id, posting.toggle_like)
        return Response(LikeSerializer({"liked": liked, "likes": likes}).data)


class FlagView(CommentsAPIView):
    permission_classes = [IsAuthenticated]
    write_throttle_class = ReactionThrottle

    @extend_schema(
        operation_id="comments_flag",
        summary="Flag a comment for removal",
        description=(
            "Records the signed-in user's flag on a visible comment (once per person; flagging again "
            "changes nothing). When the flags reach the site's threshold the comment is hidden and "
            "returns to the moderation queue."
        ),
        parameters=[COMMENT_ID],
        request=None,
        responses={200: FlagSerializer, **REACTION_ERRORS},
        tags=[TAG],
    )
    def post(self, request, comment_id: int):
        returned = react(request, comment_id, posting.flag_for_removal)
        return Response(FlagSerializer({"flagged": True, "returned_to_queue": returned}).data)


urlpatterns = [
    path("pages/<int:page_id>/", PageThreadView.as_view(), name="page-thread"),
    path("<int:comment_id>/like/", LikeView.as_view(), name="like"),
    path("<int:comment_id>/flag/", FlagView.as_view(), name="flag"),
]
