"""Mail leaves over real SMTP: an editor who forgot their password gets a
working, signed reset link. Header text from people is always one line."""
import re
import unicodedata
from email.header import decode_header, make_header

from django.contrib.auth import get_user_model
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthside.mail import header_text, one_line


def test_password_reset_mail_goes_over_smtp_with_a_working_link(client, site, editor, smtp_server):
    response = client.post("/admin/password_reset/", {"email": editor.email})
    assert response.status_code == 302

    [message] = smtp_server.messages()
    assert message["To"] == editor.email
    body = message.get_payload(decode=True).decode()
    link = re.search(r"http://testserver(/admin/password_reset/confirm/\S+/)", body).group(1)

    # Django swaps the token for a session and redirects to the form.
    set_password_url = client.get(link).url
    assert "new_password1" in client.get(set_password_url).content.decode()
    client.post(
        set_password_url, {"new_password1": "a new kettle 2026!", "new_password2": "a new kettle 2026!"}
    )
    assert get_user_model().objects.get(pk=editor.pk).check_password("a new kettle 2026!")


def test_a_tampered_reset_link_is_refused(client, site, editor, smtp_server):
    client.post("/admin/password_reset/", {"email": editor.email})
    [message] = smtp_server.messages()
    body = message.get_payload(decode=True).decode()
    link = re.search(r"http://testserver(/admin/password_reset/confirm/[^/]+/)(\S+)/", body)
    tampered = f"{link.group(1)}{link.group(2)[:-3]}xyz/"

    response = client.get(tampered, follow=True)

    assert "new_password1" not in response.content.decode()
    assert get_user_model().objects.get(pk=editor.pk).check_password("correct horse battery")


@settings(max_examples=300, derandomize=True)
@given(text=st.text(st.characters(blacklist_categories=("Cs",))), limit=st.integers(min_value=1, max_value=300))
def test_one_line_leaves_nothing_that_could_break_or_add_a_header(text, limit):
    line = one_line(text, limit)
    assert not any(unicodedata.category(char) == "Cc" for char in line)
    assert line == line.strip() or len(line) == limit  # only a cut leaves a space at the end
    assert "\u2028" not in line and "\u2029" not in line and "\x85" not in line
    assert len(line) <= limit
    assert one_line(line, limit) == line  # once is enough


def test_one_line_keeps_what_is_safe_and_joins_the_rest():
    assert one_line("Zoë\r\nBcc: x@example.com\x00 ✓") == "Zoë Bcc: x@example.com ✓"
    assert one_line("Spelt sourdough", 5) == "Spel…"


@settings(max_examples=300, derandomize=True)
@given(
    text=st.lists(st.one_of(st.sampled_from(["=?utf-8?q?forged?=", "=?", "?=", "=?iso-8859-1?b?QQ==?="]),
                            st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)), max_size=6).map("".join),
    limit=st.integers(min_value=1, max_value=300),
)
def test_a_header_reads_back_as_it_was_typed(text, limit):
    value = header_text(text, limit)
    assert "\r" not in value and "\n" not in value
    # What a mail client shows: encoded words decoded, like the ones a person typed would be.
    assert str(make_header(decode_header(value))) == one_line(text, limit)


def test_a_typed_encoded_word_is_encoded_and_plain_text_is_left_alone():
    assert header_text("Spelt sourdough") == "Spelt sourdough"
    forged = header_text("=?utf-8?q?Your_bank?=")
    assert forged.startswith("=?utf-8?") and "Your_bank" not in forged
