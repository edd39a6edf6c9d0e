"""``manage.py members_resend``: queue again the signup confirmations that
never went out, e.g. because the mail server was down when people signed up.

A signup and everything it asked for are stored before its email is queued,
and a confirmation counts as sent only once the mail server accepted it, so
running this from cron loses nothing and re-sends only what never left.
"""
from django.core.management.base import BaseCommand, CommandError

from plugins.members.signup import resend_pending_confirmations


class Command(BaseCommand):
    help = (
        "Queue again the members' signup confirmation emails that never went out (the mail server was "
        "down or refused them). Only unconfirmed signups whose email was never accepted by the mail "
        "server, and that have not changed for --older-than minutes, are queued: a confirmation still "
        "on its way is left alone. Run it from cron, e.g. every 15 minutes: "
        "'*/15 * * * * cd /srv/hearthside/app && .venv/bin/python manage.py members_resend'."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=10,
            metavar="MINUTES",
            help="Leave alone signups changed in the last MINUTES minutes (default 10), whose email may still "
            "be waiting for the task worker.",
        )

    def handle(self, *args, older_than=10, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more minutes.")
        queued = resend_pending_confirmations(older_than_minutes=older_than)
        self.stdout.write(f"Queued {queued} signup confirmation email(s) that never went out.")
