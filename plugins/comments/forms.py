"""The comment form on pages.

:class:`PageCommentForm` is django-comments-xtd's form, so it keeps
django-comments' anti-spoofing fields: a security hash over the page and a
timestamp, and a honeypot field that people leave empty. It adds a minimum
time between showing the form and posting it (robots post at once), and
Hearthside's labels. Whether a comment is acceptable (length, email, reply
target, closed pages, rate limits) is decided by ``posting.submit``, the same
for the form and the API; the form only vouches that the post came from a form
this site rendered.

Anonymous visitors post without a CSRF token (the page they read is cached
and sets no cookie); these fields are what protects their form.
"""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.forms.utils import ErrorDict
from django_comments.forms import DEFAULT_COMMENTS_TIMEOUT
from django_comments_xtd.forms import XtdCommentForm

SECURITY_FIELDS = ("content_type", "object_pk", "timestamp", "security_hash")
HONEYPOT_FIELD = "honeypot"
IDENTITY_FIELDS = ("name", "email", "url")
# Fields a refusal can be shown next to; others (reply_to) show above the form.
VISIBLE_FIELDS = ("name", "email", "url", "comment")
OWN_ERROR_CODES = {"expired", "too_fast", "tampered", "honeypot"}

FORM_EXPIRED = (
    "This form was opened more than {hours} hours ago and has expired. "
    "Your comment is kept below: please post it again."
)
TOO_FAST = (
    "That was very quick: this comment was sent {seconds} seconds after the page opened, "
    "which is what spam robots do. Please check it and post it again; your comment is kept below."
)
TAMPERED = (
    "This form could not be checked (it may have been changed, or kept open from another page). "
    "Your comment is kept below: please post it again."
)
HONEYPOT_FILLED = (
    "A hidden field meant to catch spam robots (“{label}”) was filled in, so this looked like spam. "
    "If your browser filled it in for you, just post again: your comment is kept below."
)


def min_seconds_to_post() -> int:
    """Sent sooner than this after the page rendered it, a form is a robot's."""
    return settings.COMMENTS_MIN_SECONDS_TO_POST


class PageCommentForm(XtdCommentForm):
    """The comment form for one page (``target_object``).

    ``user``: the person posting. Signed-in people are not asked for a name,
    an email or a website; the comment carries their account's."""

    def __init__(self, target_object, data=None, initial=None, user=None, **kwargs):
        super().__init__(target_object, data=data, initial=initial, **kwargs)
        self.user = user
        self.asks_identity = not (user is not None and user.is_authenticated)

        fields = self.fields
        fields["name"].label = "Name"
        fields["name"].widget = forms.TextInput(attrs={"autocomplete": "name", "maxlength": 50})
        fields["email"].label = "Email"
        fields["email"].help_text = "Only to confirm your comment; never shown"
        fields["email"].widget = forms.EmailInput(attrs={"autocomplete": "email"})
        fields["url"].label = "Website (optional)"
        fields["url"].widget = forms.URLInput(attrs={"autocomplete": "url", "placeholder": "https://"})
        fields["comment"].label = "Comment"
        fields["comment"].help_text = "Markdown: **bold**, *italic*, links"
        fields["comment"].widget = forms.Textarea(attrs={"rows": 5, "maxlength": settings.COMMENT_MAX_LENGTH})
        fields["followup"].label = "Email me when someone replies"
        fields["followup"].widget = forms.CheckboxInput()
        fields[HONEYPOT_FIELD].widget = forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
        if not self.asks_identity:
            for name in IDENTITY_FIELDS:
                del fields[name]

    # Security checks, with messages a visitor can act on ----------------------

    def clean_timestamp(self):
        timestamp = self.cleaned_data["timestamp"]
        waited = time.time() - timestamp
        if waited > DEFAULT_COMMENTS_TIMEOUT:
            raise forms.ValidationError(
                FORM_EXPIRED.format(hours=DEFAULT_COMMENTS_TIMEOUT // 3600), code="expired"
            )
        if waited < min_seconds_to_post():
            raise forms.ValidationError(TOO_FAST.format(seconds=max(0, int(waited))), code="too_fast")
        return timestamp

    def clean_security_hash(self):
        try:
            return super().clean_security_hash()
        except forms.ValidationError:
            raise forms.ValidationError(TAMPERED, code="tampered") from None

    def clean_honeypot(self):
        if self.cleaned_data[HONEYPOT_FIELD]:
            raise forms.ValidationError(
                HONEYPOT_FILLED.format(label=self.fields[HONEYPOT_FIELD].label), code="honeypot"
            )
        return ""

    def security_refusal(self) -> str | None:
        """Why this (bound) form cannot be trusted to come from this page's
        form, or None. Other fields' errors are left to ``posting.submit``."""
        errors = self.errors.as_data()
        for name in SECURITY_FIELDS + (HONEYPOT_FIELD,):
            for error in errors.get(name, []):
                # A missing or malformed hidden field means a form we did not render.
                return error.messages[0] if error.code in OWN_ERROR_CODES else TAMPERED
        target = self.target_object
        if self.data.get("content_type") != str(target._meta) or self.data.get("object_pk") != str(target.pk):
            return TAMPERED
        return None

    # What the visitor sent, for posting.submit and to show it again ----------

    def visitor_values(self) -> dict:
        """The visitor's entries as sent (not the form's cleaned values:
        ``posting.submit`` judges them)."""
        values = {name: (self.data.get(name) or "") for name in ("name", "email", "url", "comment")}
        values["followup"] = bool(self["followup"].data)
        values["reply_to"] = (self.data.get("reply_to") or "0").strip()
        return values

    @property
    def security_data(self) -> list[tuple[str, str]]:
        """The hidden fields that vouch for this form, in order."""
        return [(name, str(self.initial[name])) for name in SECURITY_FIELDS]

    def refuse(self, message: str, field: str | None = None) -> None:
        """Show ``message`` next to ``field`` (or above the form) when this
        form is displayed. Works on unbound forms, which keep the visitor's
        entries as initial values and fresh security fields."""
        if self._errors is None:
            self._errors = ErrorDict()
            self.cleaned_data = {}
        self.add_error(field if field in VISIBLE_FIELDS and field in self.fields else None, message)
