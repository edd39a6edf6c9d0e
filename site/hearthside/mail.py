"""What every plugin's e-mail shares: header text that cannot break a header.

Django refuses a header with CR or LF in it (BadHeaderError), so a page title
or a name carrying one would stop its message from ever being sent; NUL and
the other control characters pass Django but not every mail server. Values
from people (names, titles, subjects) go through :func:`one_line` first, and
into a header through :func:`header_text`.
"""
from __future__ import annotations

import re
import unicodedata
from email.header import Header

from django.utils.text import Truncator

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def one_line(text: str, limit: int = 200) -> str:
    """``text`` fit for a header: control characters (CR, LF, NUL, C1...) and
    Unicode line breaks become spaces, runs of space one, and it is cut at
    ``limit`` characters."""
    text = unicodedata.normalize("NFC", " ".join(_CONTROL.sub(" ", text or "").split()))
    # What Truncator gives a text short enough, without its translated
    # ellipsis: it runs for every recipient's name.
    return text if len(text) <= limit else Truncator(text).chars(limit)


def header_text(text: str, limit: int = 200) -> str:
    """``text`` as :func:`one_line` makes it, ready to be a header's value
    (a subject, a display name) that mail clients show as it was typed.

    An ASCII value goes into a header as it is, so one that looks like an
    RFC 2047 encoded word (``=?utf-8?q?...?=``) would be decoded by the
    reader into something else. Such a value is encoded itself, whole.
    """
    text = one_line(text, limit)
    if "=?" not in text:
        return text
    # Encoded words split at 75 characters; a space between them folds no line.
    return Header(text, "utf-8").encode(linesep=" ")
