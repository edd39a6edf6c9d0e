"""Text people could put where it ends up in a mail header, and reading a
message back as a mail client does: for the header-injection tests of
every plugin that sends mail."""
from __future__ import annotations

import email.policy
from email.header import decode_header, make_header
from email.parser import BytesParser
from email.utils import parseaddr

from hypothesis import strategies as st

# What a visitor or an editor could put in a name or a title: line breaks of
# every kind, NUL and other controls, a forged header, mixed scripts, length.
HOSTILE_FRAGMENTS = st.sampled_from([
    "\r\nBcc: victim@example.com", "\nSubject: Free money", "\r", "\x00", "\x1b[31m", "\u2028", "\x85",
    "Zoë", "Дмитрий", "محمد", "李小龍", "🍞", "=?utf-8?q?forged?=", ":", "<b>bold</b>", "x" * 150,
    '"quoted" \\ name', "a, b <c@example.com>",
])
HOSTILE_TEXT_VALUES = st.lists(
    st.one_of(HOSTILE_FRAGMENTS, st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)),
    min_size=1, max_size=6,
).map("".join)
# aiosmtpd's record of the envelope, added to every message it keeps.
ENVELOPE_HEADERS = {"x-peer", "x-mailfrom", "x-rcptto"}
LINE_BREAKS = "\r\n\x00\x85\u2028\u2029"


def parsed_back(message):
    """The message as it arrived, parsed again by the standard library's
    modern parser: what a mail client reads."""
    return BytesParser(policy=email.policy.default).parsebytes(message.as_bytes())


def shown_address(message, header: str) -> tuple[str, str]:
    """``(name, address)`` of an address header as RFC 2047 has a mail client
    show it: the space between two encoded words is dropped. (The standard
    library's address parser keeps it, so it cannot say this.)"""
    name, address = parseaddr(str(message[header]))
    return str(make_header(decode_header(name))), address


def storable(text: str, limit: int) -> str:
    """``text`` as a database keeps it in a field of ``limit`` characters:
    PostgreSQL stores no NUL in text."""
    return text.replace("\x00", "")[:limit]
