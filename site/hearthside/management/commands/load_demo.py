"""``manage.py load_demo``: the Copper Kettle demo site on the default Wagtail site."""

import logging
import time
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.models import Site

from hearthside.demo.builder import build_demo, find_demo_home, remove_demo


@contextmanager
def logger_level(name, level):
    logger = logging.getLogger(name)
    previous = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(previous)


class Command(BaseCommand):
    help = (
        "Build the Copper Kettle Coffee & Bakery demo (pages, images, site settings) on the default site. "
        "Does nothing if it is already there."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo's pages and images first, then build it again.",
        )

    def handle(self, *args, reset=False, verbosity=1, **options):
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            raise CommandError("There is no default Wagtail site to load the demo into.")
        existing = find_demo_home()
        if existing is not None and not reset:
            self.stdout.write("Demo content already loaded")
            return
        started = time.perf_counter()
        # Wagtail logs each page created, edited and published at INFO: sixty
        # lines that would bury the summary unless asked for with -v2.
        with (
            logger_level("wagtail", logging.INFO if verbosity > 1 else logging.WARNING),
            transaction.atomic(),
        ):
            if existing is not None:
                remove_demo(existing)
            home = build_demo(site)
        pages = home.get_descendants(inclusive=True).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the {site.site_name} demo: {pages} pages in {time.perf_counter() - started:.1f}s."
            )
        )
