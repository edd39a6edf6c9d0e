"""Demo polls for the Copper Kettle demo site (``manage.py load_demo``),
added through the core's ``demo_content_loaded`` (connected from
``apps.ready``):

- the ready-made "How would you like us to keep in touch?", its answers the
  member channels the site offers, with a dozen votes;
- "Which bake should come back this winter?", open for a few more weeks,
  with thirty votes spread over the last five weeks and a few written
  answers, asked on a question page in the Journal.

Votes are made directly, back-dated, as if from browsers. Running it again
(``load_demo --reset`` rebuilds the pages) adds no poll and no vote twice;
the rebuilt Journal gets its question page again, asking the same poll.
"""
from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Revision

from hearthside.extending import hooks

from .models import Choice, Poll, Vote
from .pages import QuestionPage
from .templates import KEEP_IN_TOUCH

BAKE_QUESTION = "Which bake should come back this winter?"
BAKE_DESCRIPTION = "Priya is planning the winter counter. Tell her which old favourite you miss most."
BAKES = ("Cardamom buns", "Spiced apple cake", "Ginger parkin", "Mince pie croissants")
BAKE_OPEN_DAYS = 36
BAKE_CLOSES_IN_DAYS = 21
BAKE_CLOSES_AT = datetime.time(18, 0)  # closing time at the shop

# (days ago, index of the bake, what they wrote)
BAKE_VOTES = (
    (35, 0, ""), (34, 1, "The apple cake, warm, with custard!"), (33, 0, ""), (31, 2, ""), (30, 0, ""),
    (29, 1, ""), (28, 3, "Worth it just for the smell in the shop."), (27, 0, ""), (26, 1, ""), (24, 0, ""),
    (23, 2, "My gran's parkin was stickier, but yours comes close."), (22, 1, ""), (20, 0, ""), (19, 3, ""),
    (18, 0, "Cardamom buns on a Saturday morning, please."), (16, 1, ""), (15, 2, ""), (14, 0, ""),
    (12, 1, ""), (11, 0, ""), (10, 3, ""), (9, 1, "Could there be a gluten-free apple cake?"), (8, 0, ""),
    (7, 2, ""), (6, 0, ""), (5, 1, ""), (4, 0, ""), (3, 3, ""), (2, 1, ""), (1, 0, "Buns. Always buns."),
)
QUESTION_PAGE = {
    "slug": "winter-bake-vote",
    "title": "Vote for this winter's comeback bake",
    "intro": "Every winter one old favourite comes back to the counter for a month. This year, you choose.",
    "thank_you": "Thank you! Priya reads every answer, and we will announce the winner in the shop and here.",
}
KEEP_IN_TOUCH_OPEN_DAYS = 20
# (days ago, positions of the answers chosen, what they wrote)
KEEP_IN_TOUCH_VOTES = (
    (19, (0,), ""), (18, (0, 2), ""), (17, (1,), "A text the day fresh bread is out would be perfect."),
    (15, (0,), ""), (14, (0, 1), ""), (12, (2,), ""), (11, (0,), "Not too often, please!"), (9, (1,), ""),
    (7, (0,), ""), (5, (0, 2), ""), (3, (3,), "I run a little café app and would love the menu updates."),
    (1, (0,), ""),
)


@hooks.demo_content_loaded.connect
def add_demo_polls(site, pages, **kwargs):
    keep_in_touch, bake = add_polls(site)
    add_question_page(pages.get("journal"), bake)


def add_question_page(journal, poll: Poll) -> QuestionPage | None:
    """The Journal's page asking ``poll``, published when the poll opened."""
    if journal is None:
        return None
    page = QuestionPage.objects.child_of(journal).filter(slug=QUESTION_PAGE["slug"]).first()
    if page is not None:
        return page
    page = QuestionPage(poll=poll, show_in_menus=False, **QUESTION_PAGE)
    journal.add_child(instance=page)
    revision = page.save_revision()
    revision.publish()
    # publish() stamps the current time; the page went up with its poll.
    Page.objects.filter(pk=page.pk).update(
        first_published_at=poll.created_at, last_published_at=poll.created_at,
        latest_revision_created_at=poll.created_at,
    )
    Revision.objects.filter(pk=revision.pk).update(created_at=poll.created_at)
    page.refresh_from_db()
    return page


@transaction.atomic
def add_polls(site) -> list[Poll]:
    """The demo polls of ``site``, made the first time and found afterwards."""
    now = timezone.now()
    keep_in_touch = Poll.objects.filter(site=site, template=KEEP_IN_TOUCH.key).first()
    if keep_in_touch is None:
        keep_in_touch = KEEP_IN_TOUCH.create(
            site, created_at=now - datetime.timedelta(days=KEEP_IN_TOUCH_OPEN_DAYS)
        )
    _add_votes(keep_in_touch, "keep-in-touch", KEEP_IN_TOUCH_VOTES, now)

    bake = Poll.objects.filter(site=site, question=BAKE_QUESTION).first()
    if bake is None:
        bake = Poll.objects.create(
            site=site,
            question=BAKE_QUESTION,
            description=BAKE_DESCRIPTION,
            allow_text=True,
            text_label="Anything to add?",
            closes_at=timezone.make_aware(datetime.datetime.combine(
                timezone.localdate() + datetime.timedelta(days=BAKE_CLOSES_IN_DAYS), BAKE_CLOSES_AT
            )),
            created_at=now - datetime.timedelta(days=BAKE_OPEN_DAYS),
        )
        Choice.objects.bulk_create(
            Choice(poll=bake, label=label, sort_order=order) for order, label in enumerate(BAKES)
        )
    _add_votes(bake, "bake", [(days, (answer,), text) for days, answer, text in BAKE_VOTES], now)
    return [keep_in_touch, bake]


def _add_votes(poll: Poll, name: str, votes, now) -> None:
    choices = list(poll.choices.order_by("sort_order", "pk"))
    prefix = f"browser:demo-{name}-"
    already = set(Vote.objects.filter(poll=poll, voter__startswith=prefix).values_list("voter", flat=True))
    for number, (days_ago, positions, text) in enumerate(votes, start=1):
        voter = f"{prefix}{number:02d}"
        chosen = [choices[position] for position in positions if position < len(choices)]
        if voter in already or not chosen:
            continue
        # Through the day, not all at midnight.
        at = now - datetime.timedelta(days=days_ago, hours=(number * 5) % 11)
        vote = Vote.objects.create(
            poll=poll, voter=voter, text=text if poll.allow_text else "", created_at=at
        )
        vote.choices.set(chosen)
