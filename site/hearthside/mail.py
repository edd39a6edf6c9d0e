"""What every plugin's e-mail shares: header text that cannot break a header.

Django refuses a header with CR or LF in it (BadHeaderError), so a page title
or a name carrying one would stop its message from ever being sent; NUL and
the other control characters pass Django but not every mail server. Values
from people (names, titles, subjects) go through :func:`one_line` first.
"""
from __future__ import annotations

import re
import unicodedata

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
