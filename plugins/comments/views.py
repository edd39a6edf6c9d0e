"""The comment views on the public site: posting from a page's form,
confirming by email, muting reply emails, liking and flagging.

Every refusal says why, changes nothing and keeps what the visitor wrote.
Rules live in ``posting``; these views only translate between HTTP and it.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.models import Page, PageViewRestriction, Site

from hearthside.ratelimit import client_ip

from . import posting
from .forms import PageCommentForm
from .models import CommentState, PageComment
from .posting import CommentRateLimited, CommentRejected
from .rules import closed_reason, rules_for
from .slots import PAGE_PARAM
from .threads import THREADS_PER_PAGE, serialize_comment

CSRF_FAILED = (
    "Your session’s security check failed (the page may have been open a long time, or you signed in "
    "elsewhere meanwhile). Your comment is kept below: please post it again."
)


class SeeOther(HttpResponseRedirect):
    """303: after a POST, fetch the next page with GET."""

    status_code = 303


def _site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("No site is set up for this address.")
    return site


POSTING_PAGE_FIELDS = (
    "id", "title", "path", "depth", "url_path", "content_type_id", "locale_id", "live", "first_published_at",
)


def _in_site(site) -> Q:
    """Pages under ``site``'s root page (or its translations), by url_path,
    from Wagtail's cached table of root paths: no query for the root."""
    in_site = Q(pk__in=[])
    for root in Site.get_site_root_paths():
        if root.site_id == site.pk:
            in_site |= Q(url_path__startswith=root.root_path)
    return in_site


def _live_page(request, page_id, model=None):
    """The live, public page ``page_id`` on the request's site (specific), or 404.

    ``model``: the page's specific class when the caller knows it, so the
    page comes in one query (a wrong class finds nothing: 404)."""
    site = _site(request)
    page = (
        (model or Page).objects.live()
        .filter(_in_site(site), pk=page_id)
        # What comments use; loading a page's every field costs a post more
        # than its own checks do (a refusal that shows more loads it then).
        .only(*POSTING_PAGE_FIELDS)
        .first()
    )
    if page is None or _restricted(page):
        raise Http404("There is no such page on this site.")
    return site, page.specific


def _restricted(page) -> bool:
    """Whether a view restriction (a password, sign-in, groups) covers
    ``page``: one on the page or any page above it, as ``public()`` decides."""
    steps = Page.steplen
    own_and_above = [page.path[:end] for end in range(steps, len(page.path) + 1, steps)]
    return PageViewRestriction.objects.filter(page__path__in=own_and_above).exists()


def _posted_page_model(request):
    """The specific page class a comment form names in its ``content_type``
    field (None if it names none). Its security hash vouches for it, and is
    checked before anything is written."""
    try:
        model = apps.get_model(request.POST.get("content_type", ""))
    except (LookupError, ValueError):
        return None
    return model if issubclass(model, Page) else None


def _signed_in(request):
    return request.user if request.user.is_authenticated else None


def _user_data(user):
    return {"name": user.get_full_name() or user.get_username()} if user is not None else None


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _csrf_failed(request) -> bool:
    """Run Django's CSRF check on a view that is exempt from the middleware's,
    as DRF's SessionAuthentication does."""
    check = CsrfViewMiddleware(lambda req: None)
    check.process_request(request)
    return check.process_view(request, None, (), {}) is not None


def _notice(
    request, heading, message, *, status=200, tone="info", back_url=None, back_label=None, details=()
):
    return TemplateResponse(
        request,
        "comments/notice.html",
        {
            "heading": heading,
            "message": message,
            "details": list(details),
            "tone": tone,
            "back_url": back_url,
            "back_label": back_label,
        },
        status=status,
    )


def comment_location(request, comment) -> str:
    """Where ``comment`` is shown: its page, on the page of threads that holds
    its thread, at its anchor."""
    page_url = comment.page.get_url(request) or "/"
    root = comment if comment.level == 0 else PageComment.objects.filter(pk=comment.thread_id).first()
    number = 1
    if root is not None:
        earlier_threads = (
            PageComment.objects.filter(page_id=comment.page_id, state=CommentState.APPROVED, level=0)
            .filter(Q(submit_date__lt=root.submit_date) | Q(submit_date=root.submit_date, pk__lt=root.pk))
            .count()
        )
        number = earlier_threads // THREADS_PER_PAGE + 1
    query = f"?{PAGE_PARAM}={number}" if number > 1 else ""
    return f"{page_url}{query}#{comment.anchor}"


# Posting ----------------------------------------------------------------------


def _refused(request, page, sent_form, message, *, field=None, status=400):
    """The page's comment form again, on a page of its own, with ``message``
    next to the field it concerns and the visitor's text kept."""
    user = _signed_in(request)
    values = sent_form.visitor_values()
    parent = None if field == "reply_to" else _reply_target(page, values["reply_to"])
    if parent is None:
        # A reply that cannot be posted here is offered as a new comment.
        values["reply_to"] = "0"
    form = PageCommentForm(page, initial=dict(values), user=user)
    form.refuse(message, field)
    return _form_page(request, page, form, parent, refused=True, status=status)


def _form_page(request, page, form, parent, *, refused, status=200):
    context = {
        "target_page": page,
        "page_url": page.get_url(request) or "/",
        "form": form,
        "refused": refused,
        "post_url": reverse("comments:post", args=[page.pk]),
        "reply_to": parent.pk if parent is not None else 0,
        "parent": serialize_comment(parent) if parent is not None else None,
        "user": _user_data(_signed_in(request)),
    }
    return TemplateResponse(request, "comments/form_page.html", context, status=status)


@never_cache
@require_GET
def reply(request, comment_id):
    """The reply form for one comment, on a page of its own. A thread links
    here from each comment rather than carrying a form per comment, which
    would multiply the weight of a long thread (django-comments-xtd's way)."""
    parent = PageComment.objects.filter(pk=comment_id, state=CommentState.APPROVED).first()
    if parent is None:
        raise Http404("There is no such comment.")
    site, page = _live_page(request, parent.page_id)
    rules = rules_for(site)
    reason = closed_reason(page, rules)
    if reason is None and parent.level >= rules.max_depth:
        reason = "This conversation is as deep as replies go here; reply to a comment further up."
    if reason:
        return _notice(
            request, "Replies are closed", reason, status=400, tone="error",
            back_url=comment_location(request, parent), back_label=f"Back to “{page.title}”",
        )
    form = PageCommentForm(page, initial={"reply_to": parent.pk}, user=_signed_in(request))
    return _form_page(request, page, form, parent, refused=False)


def _reply_target(page, reply_to: str):
    """The approved comment on ``page`` that ``reply_to`` names, or None."""
    try:
        parent_id = int(reply_to)
    except (TypeError, ValueError):
        return None
    if parent_id <= 0:
        return None
    return PageComment.objects.filter(pk=parent_id, page_id=page.pk, state=CommentState.APPROVED).first()


def _parent_id(reply_to: str) -> int | None:
    try:
        parent_id = int(reply_to or 0)
    except ValueError:
        raise CommentRejected("The comment you are replying to does not exist.", "reply_to") from None
    return parent_id or None


@csrf_exempt  # anonymous posts carry no token; signed-in ones are checked below
@never_cache
@require_POST
def post(request, page_id):
    """A comment (or reply) from a page's form."""
    model = _posted_page_model(request)
    try:
        site, page = _live_page(request, page_id, model)
    except Http404:
        if model is None:
            raise
        # The form named another class than the page's: the page as it is,
        # and the security check below says the form was tampered with.
        site, page = _live_page(request, page_id)
    user = _signed_in(request)
    form = PageCommentForm(page, data=request.POST, user=user)
    if user is not None and _csrf_failed(request):
        return _refused(request, page, form, CSRF_FAILED, status=403)
    refusal = form.security_refusal()
    if refusal:
        return _refused(request, page, form, refusal)
    values = form.visitor_values()
    try:
        comment = posting.submit(
            site,
            page,
            text=values["comment"],
            user=user,
            name=values["name"],
            email=values["email"],
            url=values["url"],
            parent_id=_parent_id(values["reply_to"]),
            wants_replies=values["followup"],
            ip_address=client_ip(request) or None,
            user_agent=request.headers.get("User-Agent", ""),
        )
    except CommentRateLimited as refused:
        response = _refused(request, page, form, refused.message, status=refused.status)
        response["Retry-After"] = str(refused.retry_after)
        return response
    except CommentRejected as refused:
        return _refused(request, page, form, refused.message, field=refused.field, status=refused.status)

    if user is None:
        return SeeOther(reverse("comments:sent", args=[page.pk]))
    if comment.state == CommentState.APPROVED:
        return SeeOther(comment_location(request, comment))
    return SeeOther(reverse("comments:held", args=[page.pk]))


@require_GET
def sent(request, page_id):
    """Where a visitor lands after posting: the same for everyone who posts
    on the page (no address, no comment), so the page cache keeps it and a
    flood of posts renders it once."""
    _, page = _live_page(request, page_id)
    return _notice(
        request,
        "Check your email to confirm your comment",
        "We have sent a link to the address you gave. Your comment appears once you follow it.",
        details=[
            (
                f"The link works for {settings.COMMENTS_CONFIRMATION_DAYS} days. "
                "If nothing arrives in a few minutes, look in your spam folder, "
                "or go back and check the address."
            )
        ],
        tone="success",
        back_url=page.get_url(request) or "/",
        back_label=f"Back to “{page.title}”",
    )


@never_cache
@require_GET
def held(request, page_id):
    """Where a signed-in person lands when their comment awaits a moderator."""
    _, page = _live_page(request, page_id)
    return _notice(
        request,
        "Thanks! Your comment is waiting for a moderator",
        "It will appear on the page once a moderator has approved it.",
        tone="success",
        back_url=page.get_url(request) or "/",
        back_label=f"Back to “{page.title}”",
    )


# Links from emails --------------------------------------------------------------


def _bad_link(request, message):
    return _notice(
        request, "This link does not work", message, status=400, tone="error",
        back_url="/", back_label="Go to the home page",
    )


@never_cache
@require_GET
def confirm(request, key):
    """The link in the confirmation email."""
    try:
        comment = posting.confirm(key)
    except CommentRejected as refused:
        return _bad_link(request, refused.message)
    if comment.state == CommentState.APPROVED:
        return HttpResponseRedirect(comment_location(request, comment))
    page_url = comment.page.get_url(request) or "/"
    if comment.state == CommentState.REMOVED:
        return _notice(
            request,
            "This comment was removed",
            "A moderator removed this comment.",
            back_url=page_url,
            back_label=f"Back to “{comment.page.title}”",
        )
    return _notice(
        request,
        "Thanks for confirming your comment",
        "It is waiting for a moderator and will appear on the page once approved.",
        tone="success",
        back_url=page_url,
        back_label=f"Back to “{comment.page.title}”",
    )


@csrf_exempt  # mail clients' one-click unsubscribe POSTs carry no token; the signed key is the proof
@never_cache
@require_http_methods(["GET", "POST"])
def mute(request, key):
    """The mute link in reply emails: GET (a click) and POST (List-Unsubscribe-Post) both mute at once."""
    try:
        first, _count = posting.mute(key)
    except CommentRejected as refused:
        return _bad_link(request, refused.message)
    back_url, back_label = "/", "Go to the home page"
    if first is not None:
        back_url = f"{first.page.get_url(request) or '/'}#{first.anchor}"
        back_label = f"Back to “{first.page.title}”"
    return _notice(
        request,
        "Reply emails stopped",
        "You will no longer get reply emails for this conversation.",
        tone="success",
        back_url=back_url,
        back_label=back_label,
    )


# Reactions ------------------------------------------------------------------------


def _react(request, comment_id, act, *, signed_out_message):
    if not request.user.is_authenticated:
        if _wants_json(request):
            return JsonResponse({"detail": signed_out_message}, status=403)
        return _notice(
            request,
            "Please sign in",
            signed_out_message,
            status=403,
            tone="error",
            back_url="/",
            back_label="Go to the home page",
        )
    try:
        payload, message = act(request.user)
    except CommentRejected as refused:
        if _wants_json(request):
            return JsonResponse({"detail": refused.message}, status=404)
        return _notice(
            request,
            "There is no such comment",
            refused.message,
            status=404,
            tone="error",
            back_url="/",
            back_label="Go to the home page",
        )
    if _wants_json(request):
        return JsonResponse(payload)
    messages.success(request, message)
    comment = PageComment.objects.select_related("page").get(pk=comment_id)
    if comment.state != CommentState.APPROVED:
        return SeeOther(f"{comment.page.get_url(request) or '/'}#comments")
    return SeeOther(comment_location(request, comment))


@require_POST
def like(request, comment_id):
    """Like a comment, or take the like back (signed-in people)."""

    def act(user):
        liked, likes = posting.toggle_like(comment_id, user)
        message = "You like this comment." if liked else "You no longer like this comment."
        return {"liked": liked, "likes": likes}, message

    return _react(request, comment_id, act, signed_out_message="Sign in to like comments.")


@require_POST
def flag(request, comment_id):
    """Report a comment to the moderators (signed-in people)."""

    def act(user):
        returned = posting.flag_for_removal(comment_id, user)
        message = (
            "Thanks for reporting this comment. It is hidden until a moderator has looked at it."
            if returned
            else "Thanks for reporting this comment; the moderators will take a look."
        )
        return {"flagged": True, "returned_to_queue": returned}, message

    return _react(request, comment_id, act, signed_out_message="Sign in to report comments.")
