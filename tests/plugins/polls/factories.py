"""Builders for the polls plugin's tests: polls with their choices, and
pages that show them."""
from __future__ import annotations

from plugins.polls.models import Choice, Poll
from tests.factories import make_standard


def make_poll(
    site,
    question="Which loaf should we bake on Saturdays?",
    choices=("Sourdough", "Rye", "Seeded"),
    multiple=False,
    allow_text=False,
    opens_at=None,
    closes_at=None,
    **fields,
) -> Poll:
    poll = Poll(
        site=site,
        question=question,
        multiple=multiple,
        allow_text=allow_text,
        opens_at=opens_at,
        closes_at=closes_at,
        **fields,
    )
    poll.choices = [Choice(label=label, sort_order=number) for number, label in enumerate(choices)]
    poll.save()
    return poll


def poll_block(poll):
    return ("poll", {"poll": poll})


def page_with_poll(parent, *polls, **fields):
    """A published standard page whose body holds a question block for each poll."""
    fields.setdefault("show_in_menus", True)  # a site with a menu, as the accessibility checks expect
    body = [("paragraph", "<p>Tell us what you think.</p>"), *(poll_block(poll) for poll in polls)]
    return make_standard(parent, body=body, **fields)


def choice_ids(poll) -> list[int]:
    return list(poll.choices.order_by("sort_order").values_list("pk", flat=True))
