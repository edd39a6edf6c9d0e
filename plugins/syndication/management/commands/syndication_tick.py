"""``manage.py syndication_tick [--loop SECONDS]``: start updates whose
delay is over, finish fan-outs a dead worker left, requeue rows whose
worker's lease ran out, collect due digests and send what is due.

Tasks wake the workers as things happen; this is the safety net that makes
sure everything due goes out even if a wake-up was lost (a worker died, the
queue was flushed). Run it every minute from cron, or with ``--loop 60``
beside the workers (``make run`` does).
"""
from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from plugins.syndication.tasks import tick


class Command(BaseCommand):
    help = "Send every syndication update, retry and digest that is due (the cron safety net)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, metavar="SECONDS",
                            help="Repeat every SECONDS until stopped (0: once).")

    def handle(self, *args, loop: float = 0, **options):
        while True:
            if loop:
                # A loop outlives database restarts: a dropped connection is closed and made again.
                close_old_connections()
                try:
                    result = tick.call()
                except Exception:
                    logging.getLogger(__name__).exception("syndication_tick failed; trying again in %ss", loop)
                    time.sleep(loop)
                    continue
            else:
                result = tick.call()
            if options["verbosity"] > 1 or any(result[key] for key in ("started", "resumed", "requeued", "sent")):
                self.stdout.write(
                    f"started {len(result['started'])} update(s), resumed {len(result['resumed'])}, "
                    f"requeued {result['requeued']} row(s), digests {result['digests']}, sent {result['sent']}"
                )
            if not loop:
                return
            time.sleep(loop)
