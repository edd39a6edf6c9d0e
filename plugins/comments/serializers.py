"""The comments API's request and response bodies (see :mod:`plugins.comments.api`).

The comment shape is the one :mod:`plugins.comments.threads` builds for the
theme and the pages API; these serializers describe it for the OpenAPI schema
and make sure nothing beyond it reaches a client.
"""
from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from .models import CommentState
from .posting import NAME_MAX_LENGTH

# What a client is told about its new comment. A comment the spam check caught
# is reported as held, like any other: telling a spammer which of their
# comments tripped the check helps them around it.
REPORTED_STATES = (CommentState.UNCONFIRMED, CommentState.PENDING, CommentState.APPROVED)


class CommentAuthorSerializer(serializers.Serializer):
    name = serializers.CharField(
        help_text="The name the author gave, or the business's name for its replies."
    )
    url = serializers.URLField(allow_null=True, help_text="The author's website, if they gave one.")


class CommentSerializer(serializers.Serializer):
    """One visible comment and the visible replies under it."""

    id = serializers.IntegerField()
    parent_id = serializers.IntegerField(
        allow_null=True, help_text="The comment this replies to; null at the top."
    )
    level = serializers.IntegerField(help_text="0 for a top-level comment, 1 for a reply to it, and so on.")
    author = CommentAuthorSerializer()
    is_business_reply = serializers.BooleanField(help_text="Written by the business, answering the thread.")
    html = serializers.CharField(
        help_text=(
            "The comment as sanitised HTML (p, br, strong, em, code, pre, blockquote, ul, ol, li, and a "
            "with http, https or mailto links): safe to insert as it is."
        )
    )
    submitted_at = serializers.DateTimeField()
    likes = serializers.IntegerField()
    liked = serializers.BooleanField(help_text="Whether the signed-in user likes it (false for visitors).")
    can_reply = serializers.BooleanField(help_text="Whether the site's reply depth allows replies to it.")

    def get_fields(self):
        fields = super().get_fields()
        # Declared here rather than in the class body, which cannot name its own
        # class; built lazily, so nesting stops where the data does.
        fields["replies"] = CommentSerializer(many=True, help_text="Visible replies, oldest first.")
        return fields


class ThreadPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="Threads (top-level comments) on the page, over all pages of results."
    )
    comment_count = serializers.IntegerField(help_text="Visible comments on the page, replies included.")
    page = serializers.IntegerField(help_text="This page of results, from 1.")
    page_size = serializers.IntegerField(help_text="Threads per page of results (after capping).")
    page_count = serializers.IntegerField(help_text="Pages of results; at least 1.")
    next = serializers.URLField(allow_null=True, help_text="The next page of results, or null on the last.")
    previous = serializers.URLField(
        allow_null=True, help_text="The previous page of results, or null on the first."
    )
    open = serializers.BooleanField(help_text="Whether the page takes new comments.")
    closed_reason = serializers.CharField(allow_null=True, help_text="Why it does not, or null when it does.")
    max_depth = serializers.IntegerField(
        help_text=(
            "How deep replies may nest on this site: 0 allows no replies, 1 replies to top-level "
            "comments, and so on."
        )
    )
    results = CommentSerializer(
        many=True, help_text="This page's threads, oldest first, with replies nested."
    )


class NewCommentSerializer(serializers.Serializer):
    """A comment to post. Only the types are checked here: the content rules
    (length, email, reply target, open page) are posting.submit's, the same
    for the page's form and the API, with the same messages."""

    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=f"The comment in limited Markdown; at most {settings.COMMENT_MAX_LENGTH} characters.",
    )
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=(
            f"Required for visitors (at most {NAME_MAX_LENGTH} characters); ignored for signed-in users."
        ),
    )
    email = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=(
            "Required for visitors: a link to confirm the comment is sent to it, and it is never shown. "
            "Ignored for signed-in users, whose account's address is used."
        ),
    )
    url = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="A visitor's website (http or https), shown with their name.",
    )
    reply_to = serializers.IntegerField(
        required=False, allow_null=True, help_text="The id of the visible comment on this page to reply to."
    )
    followup = serializers.BooleanField(
        required=False, default=False, help_text="Email the author about replies in this thread."
    )


class PostedCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(
        choices=[(state.value, state.label) for state in REPORTED_STATES],
        help_text=(
            "unconfirmed: a visitor's comment, waiting for the link emailed to them; pending: held for a "
            "moderator; approved: published."
        ),
    )
    message = serializers.CharField(help_text="What to tell the author, in a sentence.")
    comment = CommentSerializer(
        allow_null=True, help_text="The comment as the thread shows it, once published; else null."
    )


class CommentErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What was wrong, in a sentence fit to show the author.")
    field = serializers.CharField(
        allow_null=True,
        required=False,
        help_text=(
            "The request field or query parameter it concerns (comment, name, email, url, reply_to, "
            "page...), or null for the request as a whole."
        ),
    )


class LikeSerializer(serializers.Serializer):
    liked = serializers.BooleanField(help_text="Whether the user likes the comment now.")
    likes = serializers.IntegerField(help_text="How many people like it now.")


class FlagSerializer(serializers.Serializer):
    flagged = serializers.BooleanField(
        help_text="Always true: the user's flag is recorded (once per person)."
    )
    returned_to_queue = serializers.BooleanField(
        help_text="Whether this flag took the comment past the site's threshold: it is hidden until a "
        "moderator looks at it."
    )
