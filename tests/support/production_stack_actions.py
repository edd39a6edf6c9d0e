#!/usr/bin/env python
"""What a fault test (tests/faults/) does to a running production stack,
in a process of its own with the stack's production settings:

- ``publish --title T [--kind standard]``: publish an article called T in
  the Journal, as an editor's "Publish" does, so its update goes through
  the stack's queue; or a standard page under the home page (no update);
- ``unsubscribe-links --out FILE``: every member's one-click unsubscribe
  link (its path), as their messages carry it, written as JSON
  ``{address: path}``.

    python tests/support/production_stack_actions.py publish --title "Rye"
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
for path in (REPO_ROOT / "site", REPO_ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def publish(args) -> None:
    from wagtail.models import Site

    from hearthside.models import ArticlePage, StandardPage

    site = Site.objects.get(is_default_site=True)
    body = [("paragraph", f"<p>{args.title}: fresh from the oven.</p>")]
    if args.kind == "standard":
        page, parent = StandardPage(title=args.title, body=body), site.root_page
    else:
        page = ArticlePage(title=args.title, summary=f"{args.title}, from the bakery.", body=body)
        parent = site.root_page.specific.featured_section.specific
    parent.add_child(instance=page)
    page.save_revision().publish()


def unsubscribe_links(args) -> None:
    from urllib.parse import urlsplit

    from wagtail.models import Site

    from plugins.members.models import Member
    from plugins.members.syndication import unsubscribe_links as links_of

    site = Site.objects.get(is_default_site=True)
    link = links_of(site, "email")
    members = Member.objects.filter(site=site).values_list("email", "pk")
    args.out.write_text(json.dumps({email: urlsplit(link(pk)).path for email, pk in members}))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    publishing = commands.add_parser("publish")
    publishing.add_argument("--title", required=True)
    publishing.add_argument("--kind", choices=("article", "standard"), default="article")
    unsubscribing = commands.add_parser("unsubscribe-links")
    unsubscribing.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    import django

    django.setup()
    {"publish": publish, "unsubscribe-links": unsubscribe_links}[args.command](args)


if __name__ == "__main__":
    main()
