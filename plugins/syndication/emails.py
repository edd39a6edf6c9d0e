"""The emails of updates, digests and newsletters.

An update's email is rendered once per update, from the page, with its CSS
inlined (css-inline), and personalised per recipient by replacing a few
placeholders with escaped values: a 100,000-member send renders the page
once, not 100,000 times. Every message carries List-Unsubscribe and
List-Unsubscribe-Post (RFC 8058) pointing at the members plugin's signed
one-click link; its Message-ID is kept on the delivery row to match
bounce reports. A newsletter is the page's own newsletter template
(wagtail-newsletter's, hearthside.newsletters), rendered and personalised
the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.policy import Compat32
from email.utils import formataddr, formatdate, make_msgid
from functools import cached_property
from io import BytesIO

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.text import Truncator

from hearthside.mail import header_text, one_line

# Placeholders filled per recipient; chosen so no page text or URL contains them.
GREETING, UNSUBSCRIBE, PREFERENCES = "@@hs-greeting@@", "@@hs-unsubscribe@@", "@@hs-preferences@@"
_RELATIVE_LINK = re.compile(r'(\s(?:href|src)=")/(?!/)')
_inliner = css_inline.CSSInliner(keep_style_tags=True)


def absolute_links(html: str, root_url: str) -> str:
    return _RELATIVE_LINK.sub(rf"\1{root_url}/", html)


def business_name(site) -> str:
    from hearthside.models import SiteBranding

    return SiteBranding.for_site(site).display_name


def greeting(name: str) -> str:
    name = one_line(name, 60)
    return f"Hi {name}," if name else "Hello,"


def image_url(page, spec: str = "width-1200") -> str:
    image = getattr(page, "feature_image", None)
    if image is None:
        return ""
    return page.get_site().root_url + image.get_rendition(spec).url


def page_content_html(page) -> str:
    """The page's body as HTML with absolute links, or "" for a type without one."""
    body = getattr(page, "body", None)
    if body is None:
        return ""
    html = str(body) if not isinstance(body, str) else body
    return absolute_links(html, page.get_site().root_url)


class _QuickFolding(Compat32):
    """compat32, the policy of Django's messages, without the cost of
    folding headers that need none: a short ASCII header is written as
    compat32 writes it, without building an email.header.Header for it
    (that was half the time of turning a message into bytes)."""

    def _fold(self, name, value, sanitize):
        if isinstance(value, str) and len(name) + len(value) <= 76 and value.isascii() and not (
            "\r" in value or "\n" in value
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


_SMTP_POLICY = _QuickFolding(linesep="\r\n")


class _SMTPGenerator(BytesGenerator):
    @classmethod
    def _make_boundary(cls, text=None):
        # The standard generator compiles a new regular expression for every
        # message to check its random boundary is not in the text. A boundary
        # that is not even a substring of the text passes that check.
        boundary = super()._make_boundary()
        if text is not None and ("--" + boundary).encode("ascii") in text:  # a BytesGenerator's text is bytes
            return super()._make_boundary(text)
        return boundary


def smtp_bytes(message: EmailMultiAlternatives) -> bytes:
    """``message`` as it goes over SMTP: the bytes of
    ``message.message().as_bytes(linesep="\\r\\n")`` (but for the random
    MIME boundary), in less than half the time."""
    out = BytesIO()
    _SMTPGenerator(out, mangle_from_=False, policy=_SMTP_POLICY).flatten(message.message(), linesep="\r\n")
    return out.getvalue()


def recipient(name: str, email: str) -> str:
    """``Name <address>`` for the To header, the name quoted as needed."""
    name = header_text(name, 60)
    try:
        return formataddr((name, email))
    except UnicodeEncodeError:  # an internationalised domain: Django's sanitize_address encodes it
        return formataddr((name, "recipient@invalid")).replace("recipient@invalid", email)


def mail_settings_problem() -> str:
    """Why mail cannot go out with these settings, or ""."""
    backend = settings.EMAIL_BACKEND
    if not settings.DEFAULT_FROM_EMAIL:
        return "Mail is not set up: DEFAULT_FROM_EMAIL is empty. Set it to the address updates come from."
    if backend.endswith("smtp.EmailBackend") and not settings.EMAIL_HOST:
        return (
            "Mail is not set up: EMAIL_URL names no SMTP server. Set EMAIL_URL (e.g. "
            "smtp+tls://user:password@smtp.example.com:587) and release the update."
        )
    return ""


# The per-recipient parts of a message on the wire (wire()), and what a value
# must look like to be dropped into the bytes as it is: anything else takes
# the slow path, through Django's message and Python's email package.
WIRE_TO, WIRE_ID, WIRE_DATE = "hs-wire-to@hs.invalid", "<hs-wire-id@hs.invalid>", "@@hs-wire-date@@"
_WIRE_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+\Z")
_WIRE_NAME = re.compile(r"[A-Za-z0-9 '-]{0,60}\Z")
_WIRE_URL = re.compile(r"[!-~]{1,400}\Z")
# A line this long, once personalised, could pass SMTP's 998 octets.
_WIRE_LINE_LIMIT = 500


@dataclass(frozen=True)
class WireTemplate:
    """A message serialised once with placeholders: ``head`` holds the
    headers and the plain-text part, ``html`` the HTML part."""

    envelope_from: str
    head: bytes
    html: bytes


@dataclass(frozen=True)
class Rendered:
    """An email rendered once, personalised per recipient by ``personalise``."""

    subject: str
    html: str
    text: str
    list_id: str
    hostname: str
    # Newsletters come from the business by name and take replies at its own
    # address; updates come from DEFAULT_FROM_EMAIL as it is.
    from_email: str = ""
    reply_to: tuple[str, ...] = ()

    def personalise(self, value: str, contact: dict) -> str:
        return (
            value.replace(GREETING, escape(greeting(contact.get("name", ""))))
            .replace(UNSUBSCRIBE, escape(contact.get("unsubscribe_url", "")))
            .replace(PREFERENCES, escape(contact.get("preferences_url", "")))
        )

    def message(self, contact: dict, *, connection=None) -> EmailMultiAlternatives:
        text = (
            self.text.replace(GREETING, greeting(contact.get("name", "")))
            .replace(UNSUBSCRIBE, contact.get("unsubscribe_url", ""))
            .replace(PREFERENCES, contact.get("preferences_url", ""))
        )
        message_id = make_msgid(domain=self.hostname)
        headers = {
            "Message-ID": message_id,
            "List-Id": self.list_id,
            "Auto-Submitted": "auto-generated",
            "Precedence": "bulk",
        }
        if contact.get("unsubscribe_url"):
            headers["List-Unsubscribe"] = f"<{contact['unsubscribe_url']}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message = EmailMultiAlternatives(
            subject=header_text(self.subject),
            body=text,
            from_email=self.from_email or settings.DEFAULT_FROM_EMAIL,
            to=[recipient(contact.get("name", ""), contact["email"])],
            reply_to=list(self.reply_to),
            headers=headers,
            connection=connection,
        )
        message.attach_alternative(self.personalise(self.html, contact), "text/html")
        return message

    @cached_property
    def wire_template(self) -> WireTemplate | None:
        """This message as SMTP bytes with placeholders, or None when its
        parts are not plain 8-bit text that placeholders can be swapped in."""
        from_email = self.from_email or settings.DEFAULT_FROM_EMAIL
        sample = EmailMultiAlternatives(
            subject=header_text(self.subject),
            body=self.text,
            from_email=from_email,
            to=[WIRE_TO],
            reply_to=list(self.reply_to),
            headers={
                "Message-ID": WIRE_ID,
                "Date": WIRE_DATE,
                "List-Id": self.list_id,
                "Auto-Submitted": "auto-generated",
                "Precedence": "bulk",
                "List-Unsubscribe": f"<{UNSUBSCRIBE}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        sample.attach_alternative(self.html, "text/html")
        data = smtp_bytes(sample)
        split = data.find(b"Content-Type: text/html")
        if (
            split < 0
            # Both parts as plain text (7 or 8 bit): the ASCII values swapped in keep them valid.
            or data.count(b"Content-Transfer-Encoding: 8bit") + data.count(b"Content-Transfer-Encoding: 7bit") != 2
            or any(len(line) > _WIRE_LINE_LIMIT for line in data.split(b"\r\n") if b"@@hs-" in line)
            or data.count(WIRE_TO.encode()) != 1
            or data.count(WIRE_ID.encode()) != 1
        ):
            return None
        return WireTemplate(sanitize_address(from_email, "utf-8"), data[:split], data[split:])

    def wire(self, contact: dict) -> tuple[bytes, str, str] | None:
        """``(bytes, message_id, envelope_from)`` of the message to ``contact``,
        made by filling in the wire template: the same message as
        :meth:`message` gives, at a fraction of the cost. None when the
        contact's name, address or links need encoding (then use message())."""
        template = self.wire_template
        name = one_line(contact.get("name", ""), 60)
        email, unsubscribe = contact.get("email", ""), contact.get("unsubscribe_url", "")
        preferences = contact.get("preferences_url", "")
        if (
            template is None
            or not _WIRE_ADDRESS.match(email)
            or not _WIRE_NAME.match(name)
            or not _WIRE_URL.match(unsubscribe)
            or not _WIRE_URL.match(preferences)
        ):
            return None
        message_id = make_msgid(domain=self.hostname)
        hello = greeting(name)
        head = (
            template.head.replace(WIRE_TO.encode(), formataddr((name, email)).encode(), 1)
            .replace(WIRE_ID.encode(), message_id.encode(), 1)
            .replace(WIRE_DATE.encode(), formatdate(localtime=settings.EMAIL_USE_LOCALTIME).encode(), 1)
            .replace(GREETING.encode(), hello.encode())
            .replace(UNSUBSCRIBE.encode(), unsubscribe.encode())
            .replace(PREFERENCES.encode(), preferences.encode())
        )
        html = (
            template.html.replace(GREETING.encode(), escape(hello).encode())
            .replace(UNSUBSCRIBE.encode(), escape(unsubscribe).encode())
            .replace(PREFERENCES.encode(), escape(preferences).encode())
        )
        return head + html, message_id, template.envelope_from


def _list_id(site) -> str:
    hostname = site.hostname or "localhost"
    return f"{header_text(business_name(site), 60)} <updates.{hostname}>"


def _render(site, template: str, context: dict, subject: str) -> Rendered:
    context = {
        "site": site,
        "business": business_name(site),
        "greeting": GREETING,
        "unsubscribe_url": UNSUBSCRIBE,
        "preferences_url": PREFERENCES,
        **context,
    }
    html = _inliner.inline(render_to_string(f"syndication/email/{template}.html", context))
    text = render_to_string(f"syndication/email/{template}.txt", context)
    return Rendered(
        subject=one_line(subject, 200),
        html=html,
        text=text,
        list_id=_list_id(site),
        hostname=site.hostname or "localhost",
    )


def page_context(page) -> dict:
    return {
        "page": page,
        "title": page.title,
        "url": page.get_full_url(),
        "summary": getattr(page, "summary", "") or page.search_description or "",
        "content": page_content_html(page),
        "image_url": image_url(page),
    }


def render_update(update) -> Rendered:
    """The email of ``update`` (its page as it is now), ready to personalise."""
    page = update.page.specific
    return _render(update.site, "update", page_context(page), update.title or page.title)


def render_digest(site, frequency: str, pages: list) -> Rendered:
    """One digest email listing ``pages``, newest first."""
    items = [page_context(page) for page in pages]
    label = "This week" if frequency == "weekly" else "Today"
    subject = f"{label} at {business_name(site)}: {Truncator(items[0]['title']).chars(80)}"
    if len(items) > 1:
        subject += f" and {len(items) - 1} more"
    return _render(site, "digest", {"items": items, "frequency": frequency, "label": label}, subject)


_TEXT_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "figure", "blockquote", "aside", "table")


def html_to_text(html: str) -> str:
    """The plain-text part of an email whose HTML was written for people:
    paragraphs on their own lines, each link's address after its text."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["head", "style", "script", "title", "img"]):
        hidden.decompose()
    for link in soup.find_all("a", href=True):
        label, href = link.get_text(" ", strip=True), link["href"]
        link.replace_with(f"{label} ({href})" if label and label != href else href)
    for line_break in soup.find_all("br"):
        line_break.replace_with("\n")
    for block in soup.find_all(_TEXT_BLOCKS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    lines = [" ".join(line.split()) for line in soup.get_text().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def render_newsletter(update, page) -> Rendered:
    """The email of newsletter ``update``: ``page`` (the version its campaign
    was saved from) rendered by wagtail-newsletter's template for it, in the
    site's theme, with absolute links, CSS inlined and the placeholders each
    member's copy fills."""
    from hearthside.models import SiteBranding
    from hearthside.themes.current import using_theme

    site = update.site
    placeholders = {"greeting": GREETING, "unsubscribe_url": UNSUBSCRIBE, "preferences_url": PREFERENCES}
    with using_theme(SiteBranding.for_site(site).theme):
        html = page.get_newsletter_html(extra_context=placeholders)
    html = _inliner.inline(absolute_links(str(html), site.root_url))
    reply_to = page.get_newsletter_reply_to()
    return Rendered(
        subject=one_line(update.title or page.get_newsletter_subject(), 200),
        html=html,
        text=html_to_text(html),
        list_id=_list_id(site),
        hostname=site.hostname or "localhost",
        from_email=formataddr((header_text(page.get_newsletter_from_name(), 60), settings.DEFAULT_FROM_EMAIL)),
        reply_to=(reply_to,) if reply_to and reply_to != settings.DEFAULT_FROM_EMAIL else (),
    )


SAMPLE_CONTACT = {"name": "Sam Sample", "email": "sam@example.com", "unsubscribe_url": "#", "preferences_url": "#"}


def preview_html(update) -> str:
    """``update``'s email as a sample member would get it, for the admin."""
    if update.page is None:
        return ""
    if update.kind == "newsletter":
        from .newsletter import campaign_page

        rendered = render_newsletter(update, campaign_page(update))
    else:
        rendered = render_update(update)
    return rendered.personalise(rendered.html, SAMPLE_CONTACT)
