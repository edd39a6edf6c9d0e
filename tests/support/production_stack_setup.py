#!/usr/bin/env python
"""Fill a freshly migrated database for tests/e2e/test_production_stack.py,
in one process with the production settings of the environment it is given:

- the Copper Kettle demo (``manage.py load_demo``), its default Site
  answering at the address gunicorn will serve;
- no demo members (they follow topics and would blur who gets what), then
  ``--members`` confirmed members on email, immediately, following no topic,
  so each gets every page: bench/syndication/steps.py's ``seed``;
- updates go out as soon as a page is published (a sending delay of 0, as
  the syndication bench's ``prepare`` sets it);
- a superuser to sign into the admin with.

Writes what the test needs to know to ``--out`` (JSON): the Journal's id
and URL path, and the seeded members' addresses.

    python tests/support/production_stack_setup.py --members 300 --host 127.0.0.1 --port 8123 \\
        --admin-username u --admin-password p --out setup.json
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
for path in (REPO_ROOT / "site", REPO_ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--admin-username", required=True)
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from wagtail.models import Site

    from bench.syndication import steps
    from plugins.members.models import Member
    from plugins.syndication.config import save_settings, settings_for

    call_command("load_demo", verbosity=0)
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = args.host, args.port
    site.save()

    Member.objects.filter(site=site).delete()
    steps.seed(argparse.Namespace(members=args.members))
    save_settings(site, dataclasses.replace(settings_for(site), send_delay_minutes=0))

    User = get_user_model()
    admin, _ = User.objects.get_or_create(username=args.admin_username,
                                          defaults={"email": f"{args.admin_username}@example.com"})
    admin.is_staff = admin.is_superuser = admin.is_active = True
    admin.set_password(args.admin_password)
    admin.save()

    journal = site.root_page.specific.featured_section.specific
    emails = sorted(Member.objects.filter(site=site).values_list("email", flat=True))
    args.out.write_text(json.dumps({
        "journal": {"id": journal.pk, "title": journal.title, "path": journal.relative_url(site)},
        "members": emails,
    }))


if __name__ == "__main__":
    main()
