"""The dashboard with every plugin answering: each section present with its
real numbers, gone when its plugin is switched off, and the whole page within
the query budget however much there is to count."""
from datetime import timedelta

import pytest
from django.utils import timezone

from plugins.polls.models import Vote
from plugins.syndication.models import Delivery, DeliveryStatus, Update, UpdateStatus
from tests.factories import make_article
from tests.plugins.comments.factories import store_comment
from tests.plugins.members.factories import make_member
from tests.plugins.polls.factories import make_poll

URL = "/admin/insights/"
QUERY_BUDGET = 30  # the ceiling for the whole dashboard page
SECTIONS = ["members", "comments", "syndication", "polls", "pages"]


def community(site, size: int):
    """``size`` members, comments, deliveries and votes on one article."""
    article = make_article(site.root_page, title="Winter menu")
    now = timezone.now()
    for number in range(size):
        make_member(site, email=f"m{number}@example.com", channels={"email": "immediate"}, confirmed=number % 3 != 0)
        comment = store_comment(article, f"Comment {number}", email=f"c{number}@example.com",
                                submitted=now - timedelta(hours=number + 2))
        if number % 2:
            store_comment(article, "Thank you!", parent=comment, business=True,
                          submitted=now - timedelta(hours=number + 1))
    update = Update.objects.create(site=site, page=article, title="Winter menu", status=UpdateStatus.SENT,
                                   recipient_count=size, finished_at=now)
    Delivery.objects.bulk_create(
        Delivery(update=update, member_id=number, channel="email", status=DeliveryStatus.SENT, sent_at=now)
        for number in range(size)
    )
    poll = make_poll(site)
    first = poll.choices.first()
    for number in range(size):
        vote = Vote.objects.create(poll=poll, voter=f"browser:{number}")
        vote.choices.add(first)
    return article


@pytest.mark.django_db
def test_every_plugin_has_its_section_with_its_figures(client, site, admin_user):
    community(site, 6)
    client.force_login(admin_user)
    html = client.get(URL).content.decode()
    found = [key for key in SECTIONS if f'data-section="{key}"' in html]
    assert found == SECTIONS
    assert "Winter menu" in html


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 30])
def test_the_whole_page_stays_within_the_query_budget(client, site, admin_user, size,
                                                      django_assert_max_num_queries):
    community(site, size)
    client.force_login(admin_user)
    client.get(URL)
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(URL)
    assert response.status_code == 200
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("label, section", [
    ("members", "members"), ("comments", "comments"), ("syndication", "syndication"), ("polls", "polls"),
])
def test_a_section_disappears_with_its_plugin(client, site, admin_user, deactivate_plugin, label, section):
    community(site, 2)
    deactivate_plugin(site, label)
    client.force_login(admin_user)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-section="{section}"' not in html
    others = [key for key in SECTIONS if key not in (section, "pages")]
    assert all(f'data-section="{key}"' in html for key in others)
