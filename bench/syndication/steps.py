#!/usr/bin/env python
"""The Django side of the syndication benchmark, one step per process.

Run by run.py in the environment it sets up (DATABASE_URL, EMAIL_URL
pointing at the sink, production settings, the dummy task backend so only
the benchmark drives fan-out and sending):

    python bench/syndication/steps.py prepare          # migrated DB -> site, home, journal, article
    python bench/syndication/steps.py seed N           # members up to N: confirmed, email, no topics
    python bench/syndication/steps.py fanout MSG.json  # a new update of the article, fanned out
    python bench/syndication/steps.py send [--profile OUT.prof]   # one outbox worker
    python bench/syndication/steps.py verify UPDATE_ID

Each prints its figures as one ``RESULT_JSON {...}`` line. ``send`` sets
Django up, prints ``READY``, and starts sending only when a line arrives on
its stdin, so that every worker starts together and no start-up time is
counted. Memory comes from /proc/self/status: VmHWM is the peak resident
set, VmRSS the current one.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
for path in (REPO_ROOT / "site", REPO_ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

# Rows per INSERT while seeding: big enough to be fast, small enough to keep
# the seeding process's memory flat too.
SEED_CHUNK = 5000
FIRST_NAMES = ("Ada", "Bo", "Chidi", "Dara", "Eun-ji", "Farah", "Gus", "Hana", "Ines", "Jonas",
               "Kemi", "Luca", "Mei", "Noor", "Oskar", "Priya", "Quinn", "Rosa", "Sami", "Tove")
LAST_NAMES = ("Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Kowalski",
              "Byrne", "Costa", "Ito", "Mensah", "Rossi", "Schmidt", "Yilmaz", "Nguyen")


def result(data: dict) -> None:
    print("RESULT_JSON " + json.dumps(data), flush=True)


def memory_kb() -> dict:
    """VmRSS and VmHWM of this process, in kB (Linux)."""
    found = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
    except OSError:
        pass
    return found


def reset_peak_memory() -> bool:
    """Start VmHWM again from the current RSS (Linux 4.0+), so the peak
    measures what follows, not what came before."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def db_backend_cpu_seconds() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend process, when the
    server runs on this machine (None on SQLite or a remote server)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("select pg_backend_pid()")
        backend = cursor.fetchone()[0]
    try:
        stat = Path(f"/proc/{backend}/stat").read_bytes()
    except OSError:
        return None
    fields = stat[stat.rindex(b")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def analyze(*models) -> bool:
    from django.db import connection

    if connection.vendor not in ("postgresql", "sqlite"):
        return False
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return True


def setup_django() -> None:
    import django

    django.setup()


def the_site():
    from wagtail.models import Site

    return Site.objects.get(is_default_site=True)


def the_article():
    from hearthside.models import ArticlePage

    return ArticlePage.objects.live().get(slug=ARTICLE_SLUG)


ARTICLE_SLUG = "how-we-make-our-sourdough"


# --------------------------------------------------------------------------


def prepare(args) -> None:
    """A home page, a journal and one published article: the demo's
    sourdough piece, text only (no pictures to draw)."""
    from django.db import transaction
    from wagtail.models import Page
    from wagtail.rich_text import RichText

    from hearthside.demo import content
    from hearthside.demo.builder import rich_text_html
    from hearthside.models import ArticlePage, HomePage, SectionIndexPage
    from plugins.syndication.config import SyndicationSettings, save_settings
    from plugins.syndication.models import Update

    started = time.perf_counter()
    site = the_site()
    root = Page.get_first_root_node()
    with transaction.atomic():
        home = HomePage(title="Copper Kettle", slug="copper-kettle", hero_title="Fresh every morning")
        root.add_child(instance=home)
        home.save_revision().publish()
        site.root_page = home
        site.hostname, site.port, site.site_name = "copper-kettle.example", 80, "Copper Kettle"
        site.save()
        journal = SectionIndexPage(title="Journal", slug="journal")
        home.add_child(instance=journal)
        journal.save_revision().publish()
        # The sending delay only matters to updates made on publish; the
        # benchmark makes its own and fans them out at once.
        save_settings(site, SyndicationSettings(send_delay_minutes=0))

    article_data = content.SOURDOUGH
    body = []
    for block in article_data.body:
        if isinstance(block, content.Paragraph | content.Bullets):
            body.append(("paragraph", RichText(rich_text_html(block))))
        elif isinstance(block, content.Heading):
            body.append(("heading", block.text))
        elif isinstance(block, content.Quote):
            body.append(("quote", {"quote": block.text, "attribution": block.attribution}))
    article = ArticlePage(title=article_data.title, slug=ARTICLE_SLUG, summary=article_data.summary,
                          author_name=article_data.author, body=body)
    journal.add_child(instance=article)
    article.save_revision().publish()
    # Publishing made the article's first update (nobody to send it to yet):
    # the benchmark's updates are "send again" ones, made when it is ready.
    Update.objects.filter(page=article).delete()
    result({"site": site.pk, "article": {"id": article.pk, "title": article.title, "url": article.get_url()},
            "seconds": round(time.perf_counter() - started, 2)})


def seed(args) -> None:
    """Members up to ``args.members``: confirmed, on email (immediately), no
    topics, so every one of them gets every page."""
    from django.utils import timezone

    from plugins.members.models import Member, Source, Subscription

    started = time.perf_counter()
    site = the_site()
    have = Member.objects.filter(site=site).count()
    now = timezone.now()
    for start in range(have + 1, args.members + 1, SEED_CHUNK):
        numbers = range(start, min(start + SEED_CHUNK, args.members + 1))
        members = []
        for n in numbers:
            first = FIRST_NAMES[n % len(FIRST_NAMES)]
            last = LAST_NAMES[n // len(FIRST_NAMES) % len(LAST_NAMES)]
            email = f"{first.lower()}.{last.lower()}.{n}@example.com"
            members.append(Member(site=site, email=email, email_key=email, name=f"{first} {last}",
                                  source=Source.IMPORT, confirmed_at=now, created_at=now))
        created = Member.objects.bulk_create(members)
        Subscription.objects.bulk_create(
            Subscription(member_id=member.pk, channel="email", frequency="immediate", created_at=now)
            for member in created
        )
    # A real site's member tables have planner statistics (autovacuum keeps
    # them); freshly bulk-loaded ones have none until its next round, and
    # the contacts query would be planned for empty tables.
    analyzed = analyze(Member, Subscription)
    total = Member.objects.filter(site=site).count()
    result({"members": total, "analyzed": analyzed, "added": total - have,
            "seconds": round(time.perf_counter() - started, 2), "memory_kb": memory_kb()})


def fanout(args) -> None:
    """A new update of the article (what "Send update again" makes), its
    deliveries created by the engine's own fan_out, timed; then one real
    message of it written out for the raw smtplib baseline."""
    from django.db import connection

    from plugins.syndication import fanout as engine
    from plugins.syndication import outbox, updates
    from plugins.syndication.content import UpdateContent
    from plugins.syndication.models import Update

    site = the_site()
    update = updates.send_again(the_article())
    connection.ensure_connection()
    memory_before = memory_kb()
    peak_reset = reset_peak_memory()
    db_cpu_before = db_backend_cpu_seconds()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    count = engine.fan_out(update.pk)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    db_cpu = None if db_cpu_before is None else db_backend_cpu_seconds() - db_cpu_before
    memory_after = memory_kb()
    if count is None:
        update.refresh_from_db()
        raise SystemExit(f"fan_out did not start update {update.pk}: status {update.status}, "
                         f"problem {update.problem!r}")

    # One message as the workers build it, for the first member.
    update = Update.objects.select_related("site", "page").get(pk=update.pk)
    member_id = update.deliveries.order_by("member_id").values_list("member_id", flat=True).first()
    contacts = outbox.contacts_for(site, "email", [member_id], update.pk)
    message = UpdateContent(update).message(contacts[member_id])
    data = message.message().as_bytes(linesep="\r\n")
    Path(args.message_out).write_bytes(data)
    result({
        "update_id": update.pk, "deliveries": count, "seconds": round(seconds, 3), "cpu_s": round(cpu, 3),
        "db_cpu_s": None if db_cpu is None else round(db_cpu, 3),
        "memory_kb": {"before": memory_before, "after": memory_after, "peak_measured_alone": peak_reset},
        "message": {"path": args.message_out, "bytes": len(data), "from": message.from_email,
                    "to": message.recipients()},
    })


def send(args) -> None:
    """One outbox worker: plugins.syndication.outbox.run() until nothing is due."""
    from django.db import connection

    from plugins.syndication import outbox

    connection.ensure_connection()
    ready = memory_kb()
    print("READY", flush=True)
    if not sys.stdin.readline():
        raise SystemExit("send: stdin closed before the start signal")
    db_cpu_before = db_backend_cpu_seconds()
    cpu_before = cpu_seconds()
    started = time.monotonic()
    if args.profile:
        import cProfile

        # CPU time, not wall time: waiting for the sink or the database
        # would otherwise drown what the worker itself spends.
        profiler = cProfile.Profile(time.process_time)
        stats = profiler.runcall(outbox.run)
        profiler.dump_stats(args.profile)
    else:
        stats = outbox.run()
    finished = time.monotonic()
    cpu = cpu_seconds() - cpu_before
    db_cpu = None if db_cpu_before is None else db_backend_cpu_seconds() - db_cpu_before
    result({
        "pid": os.getpid(), "started": started, "finished": finished, "cpu_s": round(cpu, 3),
        "db_cpu_s": None if db_cpu is None else round(db_cpu, 3),
        "batches": stats.batches, "counts": dict(stats.counts), "outage": stats.outage,
        "memory_kb": {"ready": ready, "end": memory_kb()},
    })


def verify(args) -> None:
    from django.db.models import Count

    from plugins.syndication.models import Delivery, Update

    update = Update.objects.get(pk=args.update_id)
    deliveries = Delivery.objects.filter(update=update)
    counts = dict(deliveries.values_list("status").annotate(n=Count("pk")).order_by())
    distinct = deliveries.values("member_id").distinct().count()
    result({"update_id": update.pk, "status": update.status, "recipient_count": update.recipient_count,
            "deliveries": counts, "distinct_members": distinct})


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare")
    seeding = commands.add_parser("seed")
    seeding.add_argument("members", type=int)
    fanning = commands.add_parser("fanout")
    fanning.add_argument("message_out")
    sending = commands.add_parser("send")
    sending.add_argument("--profile", default="")
    verifying = commands.add_parser("verify")
    verifying.add_argument("update_id", type=int)
    args = parser.parse_args(argv)
    setup_django()
    {"prepare": prepare, "seed": seed, "fanout": fanout, "send": send, "verify": verify}[args.command](args)


if __name__ == "__main__":
    main()
