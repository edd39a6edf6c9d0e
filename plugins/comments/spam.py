"""An optional Akismet-compatible spam check (Akismet, or a service that
speaks its comment-check API). Off unless COMMENTS_SPAM_CHECK_KEY is set."""
from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

logger = logging.getLogger("hearthside.comments.spam")
TIMEOUT_SECONDS = 5


def spam_check_enabled() -> bool:
    return bool(settings.COMMENTS_SPAM_CHECK_KEY)


def is_spam(comment) -> bool | None:
    """Ask the service about ``comment``: True (spam), False (not), or None
    when the service could not answer (the comment is then held)."""
    fields = {
        "api_key": settings.COMMENTS_SPAM_CHECK_KEY,
        "blog": comment.wagtail_site.root_url,
        "permalink": comment.page.full_url or "",
        "user_ip": comment.ip_address or "",
        "user_agent": comment.user_agent,
        # A stored top-level comment is its own parent (django-comments-xtd).
        "comment_type": "reply" if comment.parent_id and comment.parent_id != comment.pk else "comment",
        "comment_author": comment.user_name,
        "comment_author_email": comment.user_email,
        "comment_content": comment.comment,
    }
    request = urllib.request.Request(
        settings.COMMENTS_SPAM_CHECK_URL,
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Hearthside comments"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            answer = response.read(64).decode(errors="replace").strip()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        logger.warning("The spam check could not be reached: %s", error)
        return None
    if answer in ("true", "false"):
        return answer == "true"
    logger.warning("The spam check answered %r, not true or false", answer)
    return None
