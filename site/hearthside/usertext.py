"""Text that visitors write (comments, poll answers, profile notes), made safe.

Visitors write a limited Markdown: paragraphs, line breaks, **bold**,
*italic*, `code`, quotes, lists and links. :func:`render_markdown` turns it
into HTML that is safe to put in a page, an email, a feed or the API: raw
HTML in the input is shown as text, and the output is sanitised by nh3 to a
fixed set of tags, so no script, event handler, style or ``javascript:`` URL
can survive, whatever the Markdown parser does.
"""
from __future__ import annotations

import html

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
)
ALLOWED_ATTRIBUTES = {"a": frozenset({"href", "title"})}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Visitors' links earn no search ranking and get no handle on our window.
LINK_REL = "nofollow ugc noopener noreferrer"

_parser = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
    .disable(["image", "heading", "lheading", "hr", "table"], ignoreInvalid=True)
)


def render_markdown(text: str) -> SafeString:
    """Safe HTML for ``text`` written in the limited Markdown above."""
    return mark_safe(
        nh3.clean(
            _parser.render(text or ""),
            tags=set(ALLOWED_TAGS),
            attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
            url_schemes=set(ALLOWED_URL_SCHEMES),
            link_rel=LINK_REL,
        )
    )


def plain_text(text: str) -> str:
    """``text`` as plain text, for subjects, SMS and previews: the rendered
    Markdown with every tag removed (not escaped: callers escape as needed)."""
    return html.unescape(nh3.clean(_parser.render(text or ""), tags=set())).strip()


def count_links(text: str) -> int:
    """How many links ``text`` would render (for spam rules)."""
    return render_markdown(text).count("<a ")
