"""Members who leave while a batch of theirs is being sent.

A batch's addresses are read once, when it starts (``recipient_contacts``);
a member who unsubscribes after that must still get nothing that is not
already handed to SMTP when their unsubscribe commits.

- :func:`announce` (the ``recipient_leaving`` receiver) runs inside the
  leaving transaction. On PostgreSQL it issues ``NOTIFY``, which the server
  delivers exactly when that transaction commits, to every listener.
- :class:`Watch` is what a sender asks before each message. On PostgreSQL
  it listens on its own database connection and reads what has arrived
  without a round trip (a non-blocking read of the socket), so checking
  every message costs next to nothing. On other databases it asks the
  members plugin again for that one member (``recipient_contacts``): two
  queries a message, which development databases can afford.
"""
from __future__ import annotations

import weakref

from django.db import connection

CHANNEL = "syndication_leaving"
EVERY_CHANNEL = "*"
_listening: weakref.WeakSet = weakref.WeakSet()


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def announce(sender, member_id: int, channel: str | None = None, **kwargs) -> None:
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, f"{int(member_id)}:{channel or EVERY_CHANNEL}"])


class Watch:
    """Who of a batch left since it started. Make it before the batch's
    contacts are read, so that no leave can fall between the two."""

    def __init__(self, site, channel: str, update_id):
        self.site, self.channel, self.update_id = site, channel, update_id
        self.gone: set[tuple[int, str]] = set()
        self.raw = None
        if _postgres():
            connection.ensure_connection()
            self.raw = connection.connection
            if self.raw not in _listening:
                with connection.cursor() as cursor:
                    cursor.execute(f"LISTEN {CHANNEL}")
                _listening.add(self.raw)

    def left(self, member_id: int) -> bool:
        if self.raw is None:
            from .outbox import contacts_for

            return member_id not in contacts_for(self.site, self.channel, [member_id], self.update_id)
        for notice in self.raw.notifies(timeout=0):
            who, _, channel = notice.payload.partition(":")
            self.gone.add((int(who), channel))
        return (member_id, self.channel) in self.gone or (member_id, EVERY_CHANNEL) in self.gone
