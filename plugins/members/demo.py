"""Demo members for the Copper Kettle demo site (``manage.py load_demo``).

Four topics (the Journal and News sections, the baking and coffee tags) and
forty people at every stage: contacts who left a comment, prospects who
signed up on the form, a block or through the API, and customers the staff
marked or imported. Most get email, some digests, a few texts, feeds, and
one a webhook; a few have not confirmed yet and one left.

Members are made directly, with the consent records a real signup would
leave, back-dated to when they joined; no email or text is sent. Running it
again (``load_demo --reset`` rebuilds the pages) adds no one twice: existing
members only get their topics and page links back.
"""
from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from taggit.models import Tag

from .config import wording_for
from .models import ConsentAction, ConsentRecord, Member, Source, Stage, Subscription, Topic, email_key
from .validation import SOURCE_MAX_LENGTH, normalise_email, normalise_phone

# (slug, name, description, section page slug, tag name)
TOPICS = (
    ("journal", "The Journal", "Recipes, how-tos and stories from the bakery and the coffee bar.", "journal", ""),
    ("news", "Café news", "Opening hours, new bakes and what's on at the café.", "news", ""),
    ("baking", "Baking", "Everything about bread, cakes and pastry.", "", "baking"),
    ("coffee", "Coffee", "Brewing, beans and the espresso machine.", "", "coffee"),
)

E, D, W = "immediate", "daily", "weekly"


@dataclass(frozen=True)
class DemoMember:
    name: str
    email: str
    channels: dict = field(default_factory=dict)  # {key: frequency}
    topics: tuple = ()  # slugs; empty means everything
    stage: str = Stage.PROSPECT
    source: str = Source.FORM
    days_ago: int = 30
    confirmed: bool = True
    phone: str = ""
    tags: tuple = ()
    page: str = ""  # slug of the page they signed up or commented on
    left_days_ago: int | None = None  # unsubscribed from everything


P, C, K = Stage.PROSPECT, Stage.CUSTOMER, Stage.CONTACT
FORM, BLOCK, API, IMPORT, COMMENT, ADMIN = (
    Source.FORM, Source.BLOCK, Source.API, Source.IMPORT, Source.COMMENT, Source.ADMIN,
)

MEMBERS = (
    # Regulars who signed up on the form, mostly for email.
    DemoMember("Eleanor Briggs", "eleanor.briggs@example.com", {"email": E}, (), C, FORM, 171, tags=("regular",)),
    DemoMember("Marcus Webb", "marcus.webb@example.com", {"email": W}, ("journal",), P, FORM, 164),
    DemoMember("Aisha Rahman", "aisha.rahman@example.org", {"email": E, "sms": E}, ("news",), C, FORM, 158,
               phone="+44 7400 900101", tags=("regular", "loyalty-card")),
    DemoMember("Gareth Lloyd", "gareth.lloyd@example.net", {"email": D}, ("coffee",), P, FORM, 150),
    DemoMember("Sophie Turner", "sophie.t@example.com", {"email": W}, ("baking", "journal"), P, BLOCK, 143,
               page="how-we-make-our-sourdough"),
    DemoMember("Daniel Okoro", "dan.okoro@example.com", {"email": E}, (), C, FORM, 139, tags=("loyalty-card",)),
    DemoMember("Hannah Price", "hannah.price@example.org", {"email": W, "rss": E}, ("journal",), P, FORM, 131),
    DemoMember("Tomasz Nowak", "tomasz.nowak@example.com", {"email": D}, ("coffee", "news"), P, BLOCK, 127,
               page="single-origin-espresso"),
    DemoMember("Chloe Evans", "chloe.evans@example.net", {"email": E}, ("baking",), P, BLOCK, 120,
               page="cardamom-buns"),
    DemoMember("Rhys Morgan", "rhys.morgan@example.com", {"sms": E}, ("news",), C, FORM, 116,
               phone="+44 7400 900102", tags=("regular",)),
    DemoMember("Fatima Malik", "fatima.malik@example.org", {"email": W}, (), P, FORM, 109),
    DemoMember("Oliver Bennett", "oliver.bennett@example.com", {"email": E}, ("coffee",), C, IMPORT, 104,
               tags=("wholesale",)),
    DemoMember("Grace Hughes", "grace.hughes@example.net", {"email": W}, ("baking",), P, FORM, 98),
    DemoMember("Liam O'Connor", "liam.oconnor@example.com", {"rss": E}, ("journal",), P, FORM, 93),
    DemoMember("Mei Chen", "mei.chen@example.org", {"email": D, "sms": E}, ("baking", "news"), C, FORM, 87,
               phone="+44 7400 900103", tags=("loyalty-card",)),
    DemoMember("Joseph Adeyemi", "joe.adeyemi@example.com", {"email": E}, ("news",), P, BLOCK, 81,
               page="open-on-sunday-mornings"),
    DemoMember("Isla Campbell", "isla.campbell@example.net", {"email": W}, ("journal", "coffee"), P, FORM, 76),
    DemoMember("Harry Clarke", "harry.clarke@example.com", {"email": E}, (), C, ADMIN, 70, tags=("wholesale",)),
    DemoMember("Zara Ahmed", "zara.ahmed@example.org", {"email": D}, ("baking",), P, BLOCK, 64,
               page="spiced-apple-cake"),
    DemoMember("Ben Fletcher", "ben.fletcher@example.com", {"webhook": E}, ("journal", "news"), P, API, 60),
    DemoMember("Amelia Wright", "amelia.wright@example.net", {"email": E}, ("news",), C, FORM, 55,
               tags=("regular",)),
    DemoMember("Kwame Mensah", "kwame.mensah@example.com", {"email": W, "rss": E}, ("coffee",), P, FORM, 49),
    DemoMember("Ruby Foster", "ruby.foster@example.org", {"email": E}, ("baking", "journal"), P, BLOCK, 44,
               page="croissant-lamination"),
    DemoMember("Ethan Shaw", "ethan.shaw@example.com", {"email": D}, (), P, API, 39),
    DemoMember("Niamh Kelly", "niamh.kelly@example.net", {"email": W, "sms": E}, ("news",), C, FORM, 33,
               phone="+44 7400 900104", tags=("regular", "loyalty-card")),
    DemoMember("Samuel Reid", "sam.reid@example.com", {"email": E}, ("coffee",), P, FORM, 28),
    DemoMember("Layla Hassan", "layla.hassan@example.org", {"rss": E}, ("baking",), P, FORM, 22),
    DemoMember("George Parry", "george.parry@example.com", {"email": W}, ("news",), C, IMPORT, 18,
               tags=("wholesale",)),
    DemoMember("Poppy Marsh", "poppy.marsh@example.net", {"email": E}, ("journal",), P, BLOCK, 12,
               page="cold-brew-for-beginners"),
    DemoMember("Arjun Patel", "arjun.patel@example.com", {"email": D}, ("coffee", "baking"), P, FORM, 7),
    # Left after a while: every channel withdrawn.
    DemoMember("Nathan Cross", "nathan.cross@example.org", {"email": W}, ("journal",), P, FORM, 120,
               left_days_ago=40),
    # Signed up but have not confirmed yet: nothing granted, nothing sent.
    DemoMember("Imogen Hale", "imogen.hale@example.com", {"email": W}, ("baking",), P, FORM, 3, confirmed=False),
    DemoMember("Felix Wood", "felix.wood@example.net", {"email": E, "sms": E}, (), P, BLOCK, 2, confirmed=False,
               phone="+44 7400 900105", page="bring-your-own-cup"),
    DemoMember("Yasmin Ali", "yasmin.ali@example.org", {"email": D}, ("news",), P, API, 1, confirmed=False),
    # Left their address with a comment: contacts, on no channel.
    DemoMember("Priya", "priya@example.com", stage=K, source=COMMENT, days_ago=2, confirmed=False,
               page="how-we-make-our-sourdough"),
    DemoMember("Tom H.", "tom@example.com", stage=K, source=COMMENT, days_ago=2, confirmed=False,
               page="v60-coffee-at-home"),
    DemoMember("Marta", "marta@example.com", stage=K, source=COMMENT, days_ago=2, confirmed=False,
               page="spiced-apple-cake"),
    DemoMember("Owen Davies", "owen.davies@example.com", stage=K, source=COMMENT, days_ago=26, confirmed=False,
               page="a-year-at-the-saturday-market"),
    DemoMember("Lucy Barker", "lucy.barker@example.net", stage=K, source=COMMENT, days_ago=51, confirmed=False,
               page="yesterdays-bread"),
    DemoMember("Ravi Kumar", "ravi.kumar@example.org", stage=K, source=COMMENT, days_ago=95, confirmed=False,
               page="meet-priya-our-head-baker"),
)

WEBHOOK_URL = "https://hooks.example.com/copper-kettle/ben"


def add_demo_members(site, pages) -> int:
    """Add the demo's topics and members to ``site``; ``pages`` are the demo's
    pages by slug. Returns how many members were added (0 the second time)."""
    with transaction.atomic():
        topics = _add_topics(site, pages)
        return sum(_add_member(site, pages, topics, person) for person in MEMBERS)


def _add_topics(site, pages) -> dict[str, Topic]:
    topics = {}
    for order, (slug, name, description, section, tag_name) in enumerate(TOPICS):
        tag = Tag.objects.get_or_create(name=tag_name, defaults={"slug": tag_name})[0] if tag_name else None
        topic, _ = Topic.objects.update_or_create(
            site=site,
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "section": pages.get(section) if section else None,
                "tag": tag,
                "subscribable": True,
                "sort_order": order,
            },
        )
        topics[slug] = topic
    return topics


def _signup_source(person: DemoMember, page) -> str:
    label = Source(person.source).label
    if page is not None:
        label = f"{label} on “{page.title}” ({page.get_url() or page.url_path})"
    return label if person.source in (IMPORT, ADMIN) else f"{label}, confirmed by email"


def _add_member(site, pages, topics, person: DemoMember) -> bool:
    email = normalise_email(person.email)
    page = pages.get(person.page) if person.page else None
    member = Member.objects.filter(site=site, email_key=email_key(email)).first()
    if member is not None:
        # Already there (the pages were rebuilt): link them to the new pages.
        member.source_page = member.source_page or page
        member.save(update_fields=["source_page", "updated_at"])
        member.topics.set(topics[slug] for slug in person.topics)
        return False

    joined = timezone.now() - datetime.timedelta(days=person.days_ago, hours=len(person.email) % 9)
    confirmed_at = joined + datetime.timedelta(minutes=7) if person.confirmed else None
    phone = normalise_phone(person.phone)
    member = Member.objects.create(
        site=site,
        email=email,
        name=person.name,
        phone=phone,
        phone_confirmed_at=confirmed_at + datetime.timedelta(minutes=2) if phone and confirmed_at else None,
        stage=person.stage,
        source=person.source,
        source_page=page,
        source_detail="demo" if person.source != COMMENT else "demo comment",
        created_at=joined,
        confirmed_at=confirmed_at,
    )
    member.topics.set(topics[slug] for slug in person.topics)
    if person.tags:
        member.tags.add(*person.tags)

    if not person.confirmed:
        if person.channels:
            # Waiting for the confirmation link (already emailed: members_resend leaves them be).
            member.pending = {
                "channels": dict(person.channels),
                "topics": list(person.topics),
                "name": person.name,
                "phone": phone,
                "webhook_url": "",
                "wording": {key: wording_for(site, key) for key in person.channels},
                "source": _signup_source(person, page).removesuffix(", confirmed by email"),
                "ip": "",  # made-up people: no address to keep
                "requested_at": joined.isoformat(),
            }
            member.confirmation_nonce = secrets.token_urlsafe(16)
            member.confirmation_sent_at = joined
            member.save(update_fields=["pending", "confirmation_nonce", "confirmation_sent_at", "updated_at"])
        return True

    source = _signup_source(person, page)
    for key, frequency in person.channels.items():
        granted_at = member.phone_confirmed_at if key == "sms" else confirmed_at
        _record(member, key, ConsentAction.GRANTED, granted_at, source, wording_for(site, key))
        if person.left_days_ago is None:
            config = {"url": WEBHOOK_URL} if key == "webhook" else {}
            Subscription.objects.create(
                member=member, channel=key, frequency=frequency, config=config, created_at=granted_at
            )
    if person.left_days_ago is not None:
        left = timezone.now() - datetime.timedelta(days=person.left_days_ago)
        for key in person.channels:
            _record(member, key, ConsentAction.WITHDRAWN, left, "One-click unsubscribe link in an email", "")
        member.unsubscribed_at = left
        member.save(update_fields=["unsubscribed_at", "updated_at"])
    return True


def _record(member, channel, action, at, source, wording) -> ConsentRecord:
    """A consent record as consent.record makes it, dated when it happened
    (consent.record stamps the current time; demo history goes back months)."""
    return ConsentRecord.objects.create(
        member=member,
        channel=channel,
        action=action,
        at=at,
        source=source[:SOURCE_MAX_LENGTH],
        wording=wording,
        ip_address="",
    )
