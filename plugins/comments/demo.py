"""Demo conversations for the Copper Kettle demo site."""
from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from .models import CommentState, PageComment


def add_demo_comments(site, pages) -> int:
    """Add a few approved visitor comments, some answered by the business."""
    from .posting import business_name

    made = 0
    now = timezone.now()
    articles = [page for page in pages.values() if type(page).__name__ == "ArticlePage"]
    samples = [
        ("Priya", "Tried this at the weekend and it worked a treat. Could I use spelt flour instead?",
         "Yes! Swap in up to half spelt; add a splash more water as it's thirstier."),
        ("Tom H.", "Best flat white in town, and the new sourdough is **superb**.", None),
        ("Marta", "Do you do gluten-free options on Saturdays?",
         "We do: a GF loaf and two bakes every Saturday, while they last."),
    ]
    for article, (name, text, answer) in zip(articles[:6], samples * 2):
        submitted = now - timezone.timedelta(hours=30)
        comment = _create(site, article, name, f"{name.split()[0].lower()}@example.com", text, submitted)
        made += 1
        if answer:
            _create(site, article, business_name(site), settings.DEFAULT_FROM_EMAIL, answer,
                    submitted + timezone.timedelta(hours=2), parent=comment, business=True)
            PageComment.objects.filter(pk=comment.pk).update(answered_at=submitted + timezone.timedelta(hours=2))
            made += 1
    return made


def _create(site, page, name, email, text, submitted, parent=None, business=False) -> PageComment:
    comment = PageComment.on(
        page,
        site,
        user_name=name,
        user_email=email,
        comment=text,
        submit_date=submitted,
        confirmed_at=submitted,
        parent_id=parent.pk if parent else 0,
        state=CommentState.APPROVED,
        is_business_reply=business,
    )
    comment.save()
    return comment
