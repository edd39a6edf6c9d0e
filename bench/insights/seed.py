#!/usr/bin/env python
"""The Insights benchmark's data: one site's community, seeded into a
migrated PostgreSQL database.

    python bench/insights/seed.py --members N --deliveries N --comments N [--pages 40] [--updates 40]

Run by run.py in the environment it sets up (DATABASE_URL of the bench's
own database, production settings). It makes a home page, four sections
(each a topic members follow) and their articles, published over the last
200 days; members who joined over the last 400 days with their channels,
consent records and topics; one update per article (some of them tracked
newsletters) sent over the last 120 days, the deliveries shared among them
with the events the outbox and the tracking links record; comments over
the last 90 days in threads, some answered by the business; three polls
with votes; a superuser for the measurements.

The pages go through Wagtail (treebeard's paths); every other row goes in
with PostgreSQL's COPY, made in Python from one seeded random generator,
so each run builds the same community, laid out back from the day it runs.
It prints its figures as one ``RESULT_JSON {...}`` line.
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
for path in (REPO_ROOT / "site", REPO_ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

SEED = 20261201
HOSTNAME = "copper-kettle.example"
BUSINESS = "Copper Kettle"
ADMIN_USERNAME = "bench-admin"
# The sections, each a topic members can follow; the first is the explorer
# listing the baseline renders.
SECTIONS = (("journal", "Journal"), ("recipes", "Recipes"), ("events", "Events"), ("news", "News"))
EXPLORER_SECTION = SECTIONS[0][0]
MEMBERS_OVER_DAYS = 400
COMMENTS_OVER_DAYS = 90
UPDATES_OVER_DAYS = 120
PAGES_OVER_DAYS = 200
NEWSLETTERS = 6  # of the updates: tracked newsletters (opens and clicks), email only
POLL_VOTES = (0.012, 0.006, 0.003)  # votes per member, for each poll

FIRST_NAMES = ("Ada", "Bo", "Chidi", "Dara", "Eun-ji", "Farah", "Gus", "Hana", "Ines", "Jonas",
               "Kemi", "Luca", "Mei", "Noor", "Oskar", "Priya", "Quinn", "Rosa", "Sami", "Tove")
LAST_NAMES = ("Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Kowalski",
              "Byrne", "Costa", "Ito", "Mensah", "Rossi", "Schmidt", "Yilmaz", "Nguyen")
COMMENT_TEXTS = (
    "Made this at the weekend and the crust came out perfect.",
    "Do you still do the rye on Saturdays?",
    "Lovely crumb on that loaf. How long is the second rise?",
    "Is the café open on bank holidays?",
    "We came for the pastry class, brilliant morning.",
    "Could you do a gluten-free version of this?",
)
REPLY_TEXTS = (
    "Thank you! The second rise is about four hours at room temperature.",
    "Yes, every Saturday from 8 am until it runs out.",
    "Glad you enjoyed it, see you next time.",
)


def result(data: dict) -> None:
    print("RESULT_JSON " + json.dumps(data, default=str), flush=True)


def setup_django() -> None:
    import django

    django.setup()


def pick(rng: random.Random, weighted: tuple[tuple[object, float], ...]):
    """One value of ``((value, weight), ...)``."""
    threshold = rng.random() * sum(weight for _, weight in weighted)
    for value, weight in weighted:
        threshold -= weight
        if threshold < 0:
            return value
    return weighted[-1][0]


# --------------------------------------------------------------------------
# COPY


class Copier:
    """Rows into one model's own table with COPY, naming only the columns
    that matter; every other column gets its field's default, so a field
    added later with a default does not break the bench. PostgreSQL only."""

    def __init__(self, now):
        from django.db import connection

        self.connection = connection
        self.now = now
        self.counts: dict[str, int] = {}

    def copy(self, model, columns: list[str], rows) -> int:
        from django.db.models import JSONField

        opts = model._meta
        by_name = {}
        for field in opts.local_concrete_fields:
            by_name[field.name] = by_name[field.attname] = field
        given = [by_name[name] for name in columns]
        filled, per_row = [], []
        for field in opts.local_concrete_fields:
            if field in given or (field.primary_key and field.name == "id"):
                continue
            if field.has_default():
                if callable(field.default) and field.unique:
                    per_row.append(field)
                else:
                    filled.append((field, field.get_db_prep_save(field.get_default(), self.connection)))
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                filled.append((field, self.now))
            elif field.null:
                filled.append((field, None))
            elif field.empty_strings_allowed and field.blank:
                filled.append((field, ""))
            else:
                raise SystemExit(f"seed: {model.__name__}.{field.name} needs a value and has no default")
        json_at = [index for index, field in enumerate(given) if isinstance(field, JSONField)]
        names = [field.column for field in given] + [field.column for field in per_row] + \
            [field.column for field, _ in filled]
        quote = self.connection.ops.quote_name
        sql = f"COPY {quote(opts.db_table)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
        constant = tuple(value for _, value in filled)
        count = 0
        with self.connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for index in json_at:
                        row[index] = given[index].get_db_prep_save(row[index], self.connection)
                extra = tuple(field.get_default() for field in per_row)
                copy.write_row((*row, *extra, *constant))
                count += 1
        self.counts[opts.db_table] = self.counts.get(opts.db_table, 0) + count
        return count

    def next_id(self, model) -> int:
        from django.db.models import Max

        return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1

    def reset_sequence(self, model) -> None:
        """Explicit ids leave the table's sequence behind: move it past them."""
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {self.connection.ops.quote_name(table)}), false)",
                [table],
            )


# --------------------------------------------------------------------------
# seed


def seed(args) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    if connection.vendor != "postgresql":
        raise SystemExit("seed: the insights bench seeds with PostgreSQL's COPY; "
                         "DATABASE_URL must be postgres://")
    started = time.perf_counter()
    now = timezone.now()
    rng = random.Random(SEED)
    copier = Copier(now)
    timings = {}

    def timed(name, function, *a):
        begun = time.perf_counter()
        value = function(*a)
        timings[name] = round(time.perf_counter() - begun, 2)
        return value

    with transaction.atomic():
        site, sections, articles = timed("pages", make_pages, args.pages, now, rng)
        admin = get_user_model().objects.create_superuser(ADMIN_USERNAME, "bench@copper-kettle.example", None)
        topics = timed("topics", make_topics, site, sections)
        popular = Popularity(articles, rng)
        members = timed("members", seed_members, copier, site, popular, topics, args.members, now, rng)
        updates = timed("updates", seed_updates, copier, site, articles, args.updates, now, rng)
        deliveries = timed("deliveries", seed_deliveries, copier, site, updates, members, args.deliveries,
                           now, rng)
        comments = timed("comments", seed_comments, copier, site, popular, admin, args.comments, now, rng)
        polls = timed("polls", seed_polls, copier, site, members, args.members, now, rng)
    timings["analyze"] = analyze()
    result({
        "seconds": round(time.perf_counter() - started, 2),
        "timings": timings,
        "seeded_at": now.isoformat(),
        "site": {"id": site.pk, "hostname": site.hostname},
        "pages": {"sections": len(sections), "articles": len(articles)},
        "members": members["summary"],
        "updates": {"total": len(updates), "newsletters": sum(1 for u in updates if u["newsletter"])},
        "deliveries": deliveries,
        "comments": comments,
        "polls": polls,
        "rows": copier.counts,
    })


def make_pages(count: int, now, rng: random.Random):
    """A home page, the sections and ``count`` live articles among them,
    published over the last months. No revisions, so no publish signals:
    the bench makes the outbox's updates itself."""
    from wagtail.models import Page, Site
    from wagtail.rich_text import RichText

    from hearthside.models import ArticlePage, HomePage, SectionIndexPage

    site = Site.objects.get(is_default_site=True)
    root = Page.get_first_root_node()
    home = HomePage(title=BUSINESS, slug="copper-kettle", hero_title="Fresh every morning", live=True,
                    first_published_at=now - timedelta(days=PAGES_OVER_DAYS + 30))
    root.add_child(instance=home)
    site.root_page = home
    site.hostname, site.port, site.site_name = HOSTNAME, 443, BUSINESS
    site.save()
    sections = []
    for slug, title in SECTIONS:
        section = SectionIndexPage(title=title, slug=slug, live=True,
                                   first_published_at=home.first_published_at)
        home.add_child(instance=section)
        sections.append(section)
    articles = []
    body = [("paragraph", RichText("<p>What we baked this week, and how.</p>"))]
    for number in range(count):
        published = now - timedelta(days=PAGES_OVER_DAYS * (count - number) / count, hours=rng.random() * 12)
        article = ArticlePage(
            title=f"Notes from the bakery, part {number + 1}", slug=f"notes-{number + 1}",
            summary="A short read about bread.", author_name="Sam", body=body, live=True,
            first_published_at=published, last_published_at=published, date=published.date(),
        )
        sections[number % len(sections)].add_child(instance=article)
        articles.append(article)
    home.featured_section = sections[0]
    home.save(update_fields=["featured_section"])
    return site, sections, articles


def make_topics(site, sections):
    from plugins.members.models import Topic

    return [
        Topic.objects.create(site=site, name=section.title, slug=section.slug, section=section,
                             sort_order=order)
        for order, section in enumerate(sections)
    ]


class Popularity:
    """Some pages draw far more than others: weights 1/rank in a shuffled
    order, so the popular ones are old and new. A page draws nothing before
    it is published."""

    def __init__(self, articles, rng: random.Random):
        self.articles = sorted(articles, key=lambda article: article.first_published_at)
        ranks = list(range(len(self.articles)))
        rng.shuffle(ranks)
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in ranks))
        self.published = [article.first_published_at for article in self.articles]

    def pick_before(self, rng: random.Random, when):
        """A page published by ``when``, or None when there is none yet."""
        count = bisect.bisect_right(self.published, when)
        if not count:
            return None
        return rng.choices(self.articles[:count], cum_weights=self.cumulative[:count])[0]


def seed_members(copier: Copier, site, popular: Popularity, topics, count: int, now,
                 rng: random.Random) -> dict:
    """Members joined over the last 400 days (more of them lately): mixed
    stages and sources, most confirmed, some unsubscribed; the confirmed
    ones on one or more channels with consent records, many following
    topics."""
    from plugins.members.models import ConsentRecord, Member, Subscription

    first_id = copier.next_id(Member)
    members, subscriptions, consents, follows = [], [], [], []
    stats = {"confirmed": 0, "unsubscribed": 0, "with_source_page": 0, "channels": {}}
    for offset in range(count):
        member_id = first_id + offset
        first = FIRST_NAMES[offset % len(FIRST_NAMES)]
        last = LAST_NAMES[offset // len(FIRST_NAMES) % len(LAST_NAMES)]
        email = f"{first.lower()}.{last.lower()}.{offset}@example.com"
        created = now - timedelta(days=MEMBERS_OVER_DAYS * rng.random() ** 1.4, seconds=rng.random() * 3600)
        source = pick(rng, (("form", 40), ("block", 25), ("import", 15), ("comment", 10), ("api", 5),
                            ("admin", 5)))
        source_page = None
        if source in ("form", "block") and rng.random() < 0.7:
            page = popular.pick_before(rng, created)
            if page is not None:
                source_page = page.pk
                stats["with_source_page"] += 1
        confirmed = created + timedelta(minutes=rng.random() * 600) if rng.random() < 0.88 else None
        if confirmed and confirmed > now:
            confirmed = now
        unsubscribed = None
        if confirmed and rng.random() < 0.07:
            unsubscribed = confirmed + (now - confirmed) * rng.random()
        channels = {}
        if confirmed and not unsubscribed:
            if rng.random() < 0.92:
                channels["email"] = pick(rng, (("immediate", 60), ("daily", 25), ("weekly", 15)))
            if rng.random() < 0.10:
                channels["sms"] = "immediate"
            if rng.random() < 0.05:
                channels["rss"] = "immediate"
            if rng.random() < 0.02:
                channels["webhook"] = "immediate"
            if not channels:
                channels["email"] = "immediate"
        phone = f"+447700{900000 + offset % 100000:06d}" if "sms" in channels else ""
        members.append((member_id, site.pk, email, email, f"{first} {last}", phone,
                        confirmed if phone else None,
                        pick(rng, (("contact", 65), ("prospect", 25), ("customer", 10))),
                        source, source_page, created, confirmed, unsubscribed))
        if confirmed:
            stats["confirmed"] += 1
        if unsubscribed:
            stats["unsubscribed"] += 1
            consents.append((member_id, "email", "granted", confirmed, f"bench {source}"))
            consents.append((member_id, "email", "withdrawn", unsubscribed, "unsubscribe link"))
        for channel, frequency in channels.items():
            config = {"url": f"https://hooks.example.com/{offset}"} if channel == "webhook" else {}
            subscriptions.append((member_id, channel, frequency, config, confirmed))
            consents.append((member_id, channel, "granted", confirmed, f"bench {source}"))
            stats["channels"][channel] = stats["channels"].get(channel, 0) + 1
        followed = rng.random()
        if followed < 0.75:
            chosen = rng.sample(topics, 2 if followed < 0.2 else 1)
            follows.extend((member_id, topic.pk) for topic in chosen)
    copier.copy(Member, ["id", "site", "email", "email_key", "name", "phone", "phone_confirmed_at", "stage",
                         "source", "source_page", "created_at", "confirmed_at", "unsubscribed_at"], members)
    copier.reset_sequence(Member)
    copier.copy(Subscription, ["member", "channel", "frequency", "config", "created_at"], subscriptions)
    copier.copy(ConsentRecord, ["member", "channel", "action", "at", "source"], consents)
    copier.copy(Member.topics.through, ["member", "topic"], follows)
    stats["members"] = count
    stats["subscriptions"] = len(subscriptions)
    stats["consent_records"] = len(consents)
    stats["topic_follows"] = len(follows)
    # Deliveries go to (member, channel) pairs that exist, in subscription order.
    return {"summary": stats, "subscriptions": [(s[0], s[1], s[2]) for s in subscriptions],
            "ids": (first_id, first_id + count - 1)}


def seed_updates(copier: Copier, site, articles, count: int, now, rng: random.Random) -> list[dict]:
    """One update per article (the latest ones), a few of them tracked
    newsletters, sent over the last 120 days: about three in four fall in
    the last 90."""
    from plugins.syndication.models import Update

    first_id = copier.next_id(Update)
    rows, updates = [], []
    if count <= len(articles):
        chosen = articles[-count:]
    else:
        chosen = [articles[index % len(articles)] for index in range(count)]
    for offset in range(count):
        article = chosen[offset]
        newsletter = offset >= count - NEWSLETTERS
        sent = now - timedelta(days=UPDATES_OVER_DAYS * (count - offset) / count, hours=rng.random() * 6)
        kind = "newsletter" if newsletter else "page"
        sequence = 1 + sum(1 for u in updates if u["page"] == article.pk and u["kind"] == kind)
        updates.append({"id": first_id + offset, "page": article.pk, "kind": kind, "newsletter": newsletter,
                        "sent": sent, "url": f"https://{HOSTNAME}{article.url_path}"})
        rows.append((first_id + offset, site.pk, article.pk, kind, sequence, article.title, "sent", sent,
                     ["email"] if newsletter else None, newsletter, sent, sent, sent + timedelta(minutes=20)))
    copier.copy(Update, ["id", "site", "page", "kind", "sequence", "title", "status", "send_at", "channels",
                         "track", "created_at", "fanned_out_at", "finished_at"], rows)
    copier.reset_sequence(Update)
    return updates


def seed_deliveries(copier: Copier, site, updates, members, total: int, now, rng: random.Random) -> dict:
    """``total`` deliveries shared among the updates: page updates to a
    window of every channel's subscriptions, newsletters to email ones;
    mostly sent, some bounced, failed or skipped; with the events the
    outbox and the tracking links record."""
    from plugins.syndication.models import Delivery, DeliveryEvent, Update

    every = members["subscriptions"]
    email = [s for s in every if s[1] == "email"]
    first_id = copier.next_id(Delivery)
    per_update, remainder = divmod(total, len(updates))
    rows, events = [], []
    statuses: dict[str, int] = {}
    events_by_kind: dict[str, int] = {}
    recipients: dict[int, int] = {}
    delivery_id = first_id
    for index, update in enumerate(updates):
        pool = email if update["newsletter"] else every
        wanted = per_update + (1 if index < remainder else 0)
        if wanted > len(pool):
            raise SystemExit(f"seed: {wanted} deliveries for one update, but only {len(pool)} subscriptions")
        start = (index * len(pool) // len(updates)) % len(pool)
        recipients[update["id"]] = wanted
        for step in range(wanted):
            member_id, channel, frequency = pool[(start + step) % len(pool)]
            status = pick(rng, (("sent", 91), ("bounced", 3), ("failed", 2), ("skipped", 4)))
            if status == "bounced" and channel != "email":
                status = "failed"
            statuses[status] = statuses.get(status, 0) + 1
            at = update["sent"] + timedelta(seconds=rng.random() * 1800)
            done = status in ("sent", "bounced", "failed")
            rows.append((delivery_id, update["id"], member_id, channel, frequency, status, 1 if done else 0,
                         update["sent"], at if status == "sent" else None,
                         f"<{update['id']}.{member_id}@{HOSTNAME}>" if done and channel == "email" else "",
                         "550 5.1.1 mailbox unavailable" if status in ("bounced", "failed") else ""))
            for kind, event_at, url in delivery_events(rng, update, status, at, now):
                events.append((site.pk, update["id"], delivery_id, member_id, channel, kind,
                               "tracking" if kind in ("opened", "clicked") else "outbox", url, event_at))
                events_by_kind[kind] = events_by_kind.get(kind, 0) + 1
            delivery_id += 1
    copier.copy(Delivery, ["id", "update", "member_id", "channel", "frequency", "status", "attempts",
                           "next_attempt_at", "sent_at", "message_id", "error"], rows)
    copier.reset_sequence(Delivery)
    copier.copy(DeliveryEvent, ["site", "update", "delivery", "member_id", "channel", "kind", "provider",
                                "url", "at"], events)
    for update_id, count in recipients.items():
        Update.objects.filter(pk=update_id).update(recipient_count=count)
    return {"total": len(rows), "statuses": statuses, "events": events_by_kind}


def delivery_events(rng: random.Random, update: dict, status: str, at, now):
    if status == "bounced":
        yield "bounced", at + timedelta(minutes=2), ""
    elif status == "failed":
        yield "failed", at, ""
    elif status == "sent":
        if update["newsletter"] and rng.random() < 0.45:
            opened = min(at + timedelta(hours=rng.random() * 72), now)
            yield "opened", opened, ""
            if rng.random() < 0.25:
                yield "clicked", opened + timedelta(seconds=30), update["url"]
        if rng.random() < 0.012:
            yield "unsubscribed", min(at + timedelta(hours=rng.random() * 48), now), ""
        elif rng.random() < 0.001:
            yield "complained", min(at + timedelta(hours=rng.random() * 48), now), ""


def seed_comments(copier: Copier, site, popular: Popularity, admin, total: int, now,
                  rng: random.Random) -> dict:
    """``total`` comments over the last 90 days, most on a few pages: visitors'
    threads, about 30% of the approved ones answered by the business (a few
    hours to days later), some with a visitor's reply too. The thread
    fields are what django-comments-xtd would have computed: thread_id and
    parent_id of a top comment are its own id, replies are level 1 in the
    order they came."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django_comments.models import Comment
    from django_comments_xtd.models import XtdComment

    from plugins.comments.models import PageComment

    content_type = ContentType.objects.get_for_model(popular.articles[0]).pk
    first_id = copier.next_id(Comment)
    base, xtd, page = [], [], []
    stats = {"total": 0, "threads": 0, "business_replies": 0, "states": {}}
    next_id = first_id
    window = timedelta(days=COMMENTS_OVER_DAYS)

    def add(comment_id, thread, level, order, page_id, name, email, text, submitted, state, business,
            answered, user_id, nested):
        base.append((comment_id, content_type, str(page_id), settings.SITE_ID, user_id, name, email, text,
                     submitted, state == "approved", state in ("spam", "removed")))
        parent = thread if level == 0 else parent_of[comment_id]
        xtd.append((comment_id, thread, parent, level, order, nested))
        confirmed = submitted if state != "unconfirmed" else None
        moderated = state in ("approved", "spam", "removed") and not business
        page.append((comment_id, page_id, site.pk, state, business, answered, confirmed,
                     submitted + timedelta(minutes=5) if moderated else None,
                     admin.pk if state in ("spam", "removed") else None))
        stats["states"][state] = stats["states"].get(state, 0) + 1
        stats["total"] += 1

    parent_of: dict[int, int] = {}
    while stats["total"] < total:
        submitted = now - window * rng.random()
        article = popular.pick_before(rng, submitted)
        if article is None:
            raise SystemExit("seed: no page is published early enough for the comments; use more --pages")
        state = pick(rng, (("approved", 88), ("pending", 5), ("unconfirmed", 1), ("spam", 4), ("removed", 2)))
        visitor = rng.randrange(50_000)
        top = next_id
        next_id += 1
        replies = []
        if state == "approved":
            if rng.random() < 0.15:
                replies.append(("visitor", submitted + timedelta(hours=1 + rng.random() * 24)))
            if rng.random() < 0.34:
                replies.append(("business", submitted + timedelta(hours=0.25 + rng.random() ** 2 * 72)))
        replies = [(who, at) for who, at in sorted(replies, key=lambda r: r[1]) if at <= now]
        replies = replies[:max(0, total - stats["total"] - 1)]
        answered = next((at for who, at in replies if who == "business"), None)
        add(top, top, 0, 1, article.pk, f"Neighbour {visitor}", f"neighbour{visitor}@example.com",
            rng.choice(COMMENT_TEXTS), submitted, state, False, answered, None, len(replies))
        stats["threads"] += 1
        for order, (who, at) in enumerate(replies, start=2):
            reply = next_id
            next_id += 1
            parent_of[reply] = top
            if who == "business":
                stats["business_replies"] += 1
                add(reply, top, 1, order, article.pk, BUSINESS, admin.email, rng.choice(REPLY_TEXTS), at,
                    "approved", True, at, admin.pk, 0)
            else:
                other = rng.randrange(50_000)
                add(reply, top, 1, order, article.pk, f"Neighbour {other}", f"neighbour{other}@example.com",
                    rng.choice(COMMENT_TEXTS), at, "approved", False, None, None, 0)
    copier.copy(Comment, ["id", "content_type", "object_pk", "site", "user", "user_name", "user_email",
                          "comment", "submit_date", "is_public", "is_removed"], base)
    copier.reset_sequence(Comment)
    copier.copy(XtdComment, ["comment_ptr", "thread_id", "parent_id", "level", "order", "nested_count"], xtd)
    copier.copy(PageComment, ["xtdcomment_ptr", "page", "wagtail_site", "state", "is_business_reply",
                              "answered_at", "confirmed_at", "moderated_at", "moderated_by"], page)
    return stats


def seed_polls(copier: Copier, site, members, member_count: int, now, rng: random.Random) -> dict:
    """Three polls opened over the last two months (one closed, one with
    several answers allowed, one with channel answers), voted on by members
    and by browsers."""
    from plugins.polls.models import Choice, Poll, Vote

    specs = (
        ("Which loaf should come back on Sundays?", False, False,
         ("Rye", "Spelt", "Seeded", "Brioche"), 55, None),
        ("How would you like to hear about new bakes?", False, True,
         (("Email", "email"), ("Text message", "sms"), ("RSS feed", "rss")), 30, None),
        ("What should the next class be about?", True, True, ("Croissants", "Sourdough", "Cakes"), 60, 20),
    )
    first_member, last_member = members["ids"]
    stats = {"polls": 0, "votes": 0}
    votes, picked = [], []
    vote_id = copier.next_id(Vote)
    for number, (question, multiple, allow_text, labels, opened_days, closed_days) in enumerate(specs):
        opens = now - timedelta(days=opened_days)
        closes = now - timedelta(days=closed_days) if closed_days else None
        poll = Poll.objects.create(site=site, question=question, multiple=multiple, allow_text=allow_text,
                                   opens_at=opens, closes_at=closes, created_at=opens - timedelta(hours=2))
        choices = []
        for order, label in enumerate(labels):
            label, channel = label if isinstance(label, tuple) else (label, "")
            choice = Choice.objects.create(poll=poll, label=label, channel=channel, sort_order=order)
            choices.append(choice.pk)
        stats["polls"] += 1
        voters = set()
        for _ in range(max(5, int(member_count * POLL_VOTES[number]))):
            if rng.random() < 0.4:
                member_id = rng.randint(first_member, last_member)
                voter = f"member:{member_id}"
            else:
                member_id = None
                voter = f"browser:{rng.getrandbits(64):016x}"
            if voter in voters:
                continue
            voters.add(voter)
            end = closes or now
            created = opens + (end - opens) * rng.random()
            text = "More of the seeded one, please." if allow_text and rng.random() < 0.2 else ""
            votes.append((vote_id, poll.pk, voter, member_id, text, created))
            weights = tuple((choice, 1 / (rank + 1)) for rank, choice in enumerate(choices))
            chosen = {pick(rng, weights)}
            if multiple and rng.random() < 0.5:
                chosen.add(pick(rng, weights))
            picked.extend((vote_id, choice) for choice in chosen)
            vote_id += 1
    copier.copy(Vote, ["id", "poll", "voter", "member_id", "text", "created_at"], votes)
    copier.reset_sequence(Vote)
    copier.copy(Vote.choices.through, ["vote", "choice"], picked)
    stats["votes"] = len(votes)
    return stats


def analyze() -> float:
    """VACUUM ANALYZE, as autovacuum would have done on a real site: planner
    statistics, and the visibility map for index-only scans. Bulk-loaded
    tables have neither until its next round."""
    from django.db import connection

    begun = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return round(time.perf_counter() - begun, 2)


# --------------------------------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--deliveries", type=int, required=True)
    parser.add_argument("--comments", type=int, required=True)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--updates", type=int, default=40)
    args = parser.parse_args(argv)
    setup_django()
    seed(args)


if __name__ == "__main__":
    main()
