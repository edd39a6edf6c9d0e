"""Small helpers the core and plugins' views share."""
from __future__ import annotations

from django.http import Http404
from wagtail.models import Site


def request_site(request) -> Site:
    """The Wagtail Site the request is for; 404 if no site answers to its host."""
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("No Wagtail site answers to this host name.")
    return site


def site_label(site) -> str:
    return site.site_name or site.hostname


def plural(count: int, word: str, words: str | None = None) -> str:
    """``plural(1, "comment")`` is "1 comment", ``plural(2, "reply", "replies")`` "2 replies"."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def csv_safe(value):
    """A CSV cell a spreadsheet will not run as a formula: text starting with
    =, +, -, @, a tab or a carriage return gets a leading apostrophe (names,
    tags and answers are typed by the public). Numbers written as text, such
    as "-3", are left as they are: a spreadsheet reads them as numbers."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
