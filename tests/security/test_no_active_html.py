"""No comment, name or poll text ever renders as active HTML, wherever it is
shown: the article page's thread, a comment's reply page and the refused
form, the moderation queue, the comment emails (confirmation, moderators'
alert, reply notification), the comment feeds (RSS and Atom), the v1
comments API and the v2 pages API's slot data, a poll on its page, its
results, the polls API and the admin's results, and a member's name in their
confirmation email and in the admin.

Hypothesis writes the text: hostile fragments (scripts, event handlers,
``javascript:`` and ``data:`` URLs in raw HTML and in Markdown links and
images, ``</textarea>``, ``]]>``, template syntax, entities that must not be
decoded into tags, right-to-left marks) mixed with arbitrary text. Visitors
post it through the page's own form and a moderator approves it, as on the
site. "Active" is what :func:`active_html` finds after parsing the output as
HTML. Whole pages and emails carry the theme's own scripts, icons and styles,
so they are compared with the same page showing harmless text: what the
visitor wrote must add nothing active. HTML that is the visitor's alone (the
API's ``html``, a feed entry) must hold nothing active at all. Each check
also finds the visitor's words, shown as text, so text that simply vanished
fails too.
"""
from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ElementTree
from email.header import decode_header, make_header
from html.parser import HTMLParser

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from plugins.comments.models import CommentState, PageComment
from plugins.members.models import Member
from tests.factories import make_article
from tests.plugins.comments import conftest as comments_fixtures
from tests.plugins.comments.factories import store_comment
from tests.plugins.members import conftest as members_fixtures
from tests.plugins.polls import conftest as polls_fixtures
from tests.plugins.polls.factories import make_poll, page_with_poll

# The plugins' own fixtures, for the surfaces they serve.
section = comments_fixtures.section
comment_form = comments_fixtures.comment_form
generous_rate_limits = comments_fixtures.generous_rate_limits
no_wait = comments_fixtures.no_wait
generous_vote_limits = polls_fixtures.generous_vote_limits
generous_member_limits = members_fixtures.generous_member_limits

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("generous_rate_limits", "no_wait", "generous_vote_limits", "generous_member_limits"),
]



def examples(count: int):
    """Hypothesis settings for ``count`` examples. No shrinking: an example is
    a dozen requests, and shrinking one that failed takes many minutes; the
    failing example is printed as it was."""
    return settings(
        max_examples=count,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
    )


# The checker ---------------------------------------------------------------------------

ACTIVE_TAGS = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
     "base", "link", "meta", "noscript", "portal"}
)
# Not <template>: its content is inert until a script clones it, the admin adds
# one for some texts and not others, and what is in it is checked all the same.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "background", "poster", "lowsrc", "dynsrc",
     "ping", "data", "codebase", "cite", "srcset"}
)
ACTIVE_SCHEMES = frozenset({"javascript", "vbscript", "data"})
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def url_scheme(value: str) -> str:
    """The scheme a browser reads in an attribute's (entity-decoded) value:
    it drops tabs and newlines anywhere and controls and spaces around it."""
    cleaned = re.sub(r"[\t\n\r]", "", value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e"
                                                   "\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a"
                                                   "\x1b\x1c\x1d\x1e\x1f ")
    found = SCHEME.match(cleaned.lower())
    return found.group(1) if found else ""


class ActiveHTMLFinder(HTMLParser):
    """Collects everything in a document that can run or restyle: active
    elements, event handlers, style attributes and script-bearing URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            elif name == "style":
                self.found.append(f"style= on <{tag}>")
            elif name in URL_ATTRIBUTES and value and url_scheme(value) in ACTIVE_SCHEMES:
                self.found.append(f"{name}={url_scheme(value)}: on <{tag}>")
            elif name == "http-equiv" and (value or "").lower() == "refresh":
                self.found.append(f"http-equiv=refresh on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def parse(markup: str) -> ActiveHTMLFinder:
    finder = ActiveHTMLFinder()
    finder.feed(markup)
    finder.close()
    return finder


def active_html(markup: str) -> list[str]:
    """What in ``markup`` is active, sorted (to compare two documents)."""
    return sorted(parse(markup).found)


def visible_text(markup: str) -> str:
    """What a reader sees of ``markup``: its text, entities decoded."""
    return "".join(parse(markup).text)


def test_the_checker_finds_what_is_active_and_passes_what_is_not():
    assert active_html('<p>Hi <a href="https://example.com/" title="x">there</a></p>') == []
    assert active_html("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == []
    assert active_html('<a href="jav%09ascript:alert(1)">relative</a>') == []
    assert active_html(
        '<script>1</script><IMG SRC=x OnError=alert(1)><a href=" Java&#x09;Script:alert(1)">a</a>'
        '<svg onload=alert(1)></svg><p style="x">s</p><a href="data:text/html,x">d</a>'
        '<form><button formaction="vbscript:x">b</button></form><meta http-equiv="Refresh" content="0">'
    ) == sorted([
        "<script>", "onerror= on <img>", "href=javascript: on <a>", "<svg>", "onload= on <svg>",
        "style= on <p>", "href=data: on <a>", "formaction=vbscript: on <button>", "<meta>",
        "http-equiv=refresh on <meta>",
    ])
    assert visible_text("<p>&lt;b&gt; &amp;lt; x</p>") == "<b> &lt; x"


# What visitors and editors write -------------------------------------------------------

# Shown word for word whatever surrounds them: no Markdown in them.
LITERAL_FRAGMENTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'><iframe src=javascript:alert(1)></iframe>",
    "</textarea><script>alert(1)</script>",
    "</title></style></noscript><script>alert(1)</script>",
    "]]><script>alert(1)</script><![CDATA[",
    "{{ request.user }} {% debug %} {# x #}",
    "javascript:alert(1)",
    "<a href=javascript:alert(1)>x</a>",
    '<p style="position:fixed" onclick="alert(1)">',
    "\u202eRTL\u200f override \u05e9\u05dc\u05d5\u05dd",
    "caf\u00e9 \U0001f35e na\u00efve",
]
MARKDOWN_FRAGMENTS = [
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1) )",
    "[click](<javascript:alert(1)>)",
    "[click](jav&#x09;ascript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](data:image/svg+xml,<svg onload=alert(1)>)",
    "![img](javascript:alert(1))",
    "![img](https://example.com/x.png\" onerror=\"alert(1))",
    '[t](https://example.com/ "title\\" onmouseover=\\"alert(1)")',
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<https://example.com/\"onmouseover=\"alert(1)>",
    "**<b onmouseover=alert(1)>bold</b>**",
    "`<script>alert(1)</script>`",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "> <iframe src=//example.com>",
    "- <style>*{display:none}</style>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&amp;lt;img src=x onerror=alert(1)&amp;gt;",
    "<!-- --><script>alert(1)</script>",
    "<div>\n\n*x*\n\n</div>",
    "\\<script>alert(1)\\</script>",
]
NAME_FRAGMENTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "</span></a><script>x</script>",
    "&lt;b&gt;",
    "{{ 7|add:7 }}",
    "]]>",
    "\u202eevil\u200f",
    "\u05e9\u05e8\u05d4",
]

# Comment text: anything but NUL (which the form refuses, with a reason).
any_text = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=40)
# Names and one-line texts: printable, so the words read back exactly.
line_text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12)

hostile_mix = st.lists(
    st.one_of(st.sampled_from(LITERAL_FRAGMENTS + MARKDOWN_FRAGMENTS), any_text, st.just("\n\n")),
    max_size=8,
).map("".join)

sentinel_number = itertools.count(1)


@st.composite
def comment_texts(draw):
    """(text, its first paragraph): one paragraph of literal hostile text,
    which must be seen word for word, then a hostile mix."""
    first = f"Sentinel{next(sentinel_number)} {draw(st.sampled_from(LITERAL_FRAGMENTS))}"
    return f"{first}\n\n{draw(hostile_mix)}", first


names = (
    st.lists(st.one_of(st.sampled_from(NAME_FRAGMENTS), line_text), min_size=1, max_size=4)
    .map(lambda parts: "".join(parts).strip())
    .filter(lambda name: 0 < len(name) <= 50)
)

# Accepted as http(s) addresses (nothing but spaces is refused after the host).
URL_FRAGMENTS = ['"><script>alert(1)</script>', "'onmouseover='alert(1)", "javascript:alert(1)",
                 "?a=1&b=<x>", "#\"onfocus=\"alert(1)", "%22%3E%3Cscript%3E"]
websites = st.one_of(
    st.just(""),
    st.lists(st.sampled_from(URL_FRAGMENTS), min_size=1, max_size=3).map(
        lambda parts: "https://example.com/" + "".join(parts)
    ),
)

visitor_number = itertools.count(1)


def new_email() -> str:
    # A first-time commenter each time, so the site holds them for a moderator.
    return f"visitor{next(visitor_number)}@example.com"


# Commenting as a visitor, approving as a moderator -----------------------------------


def page_html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def confirmation_link(body: str) -> str:
    found = re.search(r"https?://[^\s\"<>]+/comments/confirm/[^\s\"<>/]+/", body)
    assert found, body
    return found.group(0)


def approve(moderator_client, commits, comment) -> None:
    with commits():
        response = moderator_client.post(
            "/admin/comments/bulk/", {"action": "approve", "comment": [comment.pk]}, follow=True
        )
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.state == CommentState.APPROVED


@pytest.fixture
def moderator_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """``with commits():``: run what a request queues after its commit (emails)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def post_comment(client, commits, form_html, comment_form, entries, reply_to=None, read_mail=None):
    """Fill in the comment form of ``form_html`` with ``entries`` and post it;
    follow the emailed confirmation link. The comment, pending a moderator."""
    action, fields = comment_form(form_html, reply_to=reply_to)
    with commits():
        response = client.post(action, {**fields, **entries}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 303, response.content.decode()[:3000]
    comment = PageComment.objects.get(user_email=entries["email"])
    with commits():
        client.get(confirmation_link(read_mail(comment) if read_mail else mail.outbox[-1].body))
    comment.refresh_from_db()
    assert comment.state == CommentState.PENDING, (comment.state, comment.held_reason)
    return comment


def author_of(page: str, comment) -> BeautifulSoup:
    found = BeautifulSoup(page, "html.parser").find(id=f"comment-{comment.pk}-author")
    assert found is not None, f"comment {comment.pk} is not in the page"
    return found


article_number = itertools.count(1)


def fresh_article(section):
    # A page of its own: a thread of one comment, nothing cached.
    return make_article(section, title=f"Seeded rye, batch {next(article_number)}")


@pytest.fixture
def benign_pages(client, section, moderator_client, commits):
    """The comment surfaces with harmless text in them, for whole pages to be
    compared with: the reply page and the moderation queue."""
    page = fresh_article(section)
    comment = store_comment(page, "Lovely crumb.", name="Priya", url="https://priya.example/",
                            state=CommentState.PENDING)
    queue = page_html(moderator_client, "/admin/comments/")
    approve(moderator_client, commits, comment)
    reply = page_html(client, f"/comments/reply/{comment.pk}/")
    comment.delete()
    return {"queue": active_html(queue), "reply": active_html(reply)}


@given(written=comment_texts(), name=names, url=websites)
@examples(20)
def test_a_visitors_comment_is_inert_on_the_page_in_the_queue_the_apis_and_the_feeds(
    client, section, comment_form, commits, moderator_client, benign_pages, written, name, url
):
    text, first_paragraph = written
    page = fresh_article(section)
    before = page_html(client, page.url)
    comment = post_comment(client, commits, before, comment_form,
                           {"name": name, "email": new_email(), "url": url, "comment": text})

    queue = page_html(moderator_client, "/admin/comments/")
    assert active_html(queue) == benign_pages["queue"]
    assert first_paragraph in visible_text(queue) and name in visible_text(queue)
    approve(moderator_client, commits, comment)

    # The article page: the thread adds nothing active to it.
    shown = page_html(client, page.url)
    assert active_html(shown) == active_html(before)
    author = author_of(shown, comment)
    assert author.get_text() == name
    if url:
        assert author.find("a")["href"] == url
    body = author.find_parent("article").find("div", class_="comment__text")
    assert first_paragraph in body.get_text()

    # The comments API: its html is the page's, and nothing in it is active.
    api = client.get(f"/api/v1/comments/pages/{page.pk}/").json()
    [entry] = api["results"]
    assert entry["id"] == comment.pk
    assert active_html(entry["html"]) == []
    assert f'<div class="comment__text">{entry["html"]}</div>' in shown
    assert entry["author"] == {"name": name, "url": url or None}
    slots = client.get(f"/api/v2/pages/{page.pk}/").json()["meta"]["slots"]["page.after_body"]
    [thread] = [slot["data"] for slot in slots if slot["component"] == "CommentThread"]
    assert thread["threads"][0]["html"] == entry["html"]

    # The reply page quotes the comment.
    reply = page_html(client, f"/comments/reply/{comment.pk}/")
    assert active_html(reply) == benign_pages["reply"]
    assert first_paragraph in visible_text(reply) and name in visible_text(reply)

    # The feeds: each entry's HTML, once the XML is read, holds nothing active.
    for feed, entries, content in (
        ("rss", "channel/item", "description"),
        ("atom", "{http://www.w3.org/2005/Atom}entry", "{http://www.w3.org/2005/Atom}summary"),
    ):
        response = client.get(f"/comments/page/{page.pk}/feed/{feed}/")
        assert response.status_code == 200, feed
        [item] = ElementTree.fromstring(response.content).findall(entries)
        html = item.findtext(content)
        assert active_html(html) == [], feed
        assert first_paragraph in visible_text(html), feed


@pytest.fixture
def benign_refusal(client, section, comment_form):
    page = fresh_article(section)
    action, fields = comment_form(page_html(client, page.url))
    entries = {"name": "Priya", "email": "not an address", "url": "https://priya.example/", "comment": "Hi"}
    return active_html(client.post(action, {**fields, **entries}).content.decode())


@given(written=comment_texts(), name=names, url=websites)
@examples(30)
def test_a_refused_comment_comes_back_in_the_form_as_text(
    client, section, comment_form, benign_refusal, written, name, url
):
    text, first_paragraph = written
    page = fresh_article(section)
    action, fields = comment_form(page_html(client, page.url))
    entries = {"name": name, "email": "not an address", "url": url, "comment": text}

    response = client.post(action, {**fields, **entries})

    assert response.status_code == 400
    refused = response.content.decode()
    assert active_html(refused) == benign_refusal
    form = BeautifulSoup(refused, "html.parser").find("form", class_="comment-form")
    assert first_paragraph in form.find("textarea", attrs={"name": "comment"}).get_text()
    assert form.find("input", attrs={"name": "name"})["value"] == name
    assert form.find("input", attrs={"name": "url"})["value"] == url
    assert PageComment.objects.count() == 0


# The comment emails -----------------------------------------------------------------------


def html_and_text(message) -> tuple[str, str]:
    """The HTML and the text part of a message as received over SMTP."""
    parts = {}
    for part in message.walk():
        if part.get_content_type() in ("text/html", "text/plain"):
            parts[part.get_content_type()] = part.get_payload(decode=True).decode(
                part.get_content_charset() or "utf-8"
            )
    return parts["text/html"], parts["text/plain"]


def by_subject(smtp_server) -> dict:
    """The messages received so far by their (decoded) subject."""
    return {str(make_header(decode_header(message["Subject"]))): message for message in smtp_server.messages()}


def one_starting(messages: dict, start: str):
    [found] = [message for subject, message in messages.items() if subject.startswith(start)]
    return found


def reply_by_email_flow(client, commits, section, comment_form, moderator_client, smtp_server, entries):
    """A follower's comment; a visitor replies to it through its reply page
    with ``entries``, confirms by email and a moderator approves. The three
    emails it sends: confirmation, moderators' alert, reply notification."""
    smtp_server.clear()
    page = fresh_article(section)
    followed = store_comment(page, "Is the rye sour?", name="Follower", email="follower@example.com",
                             followup=True)
    form_html = page_html(client, f"/comments/reply/{followed.pk}/")

    def confirmation(comment):
        return html_and_text(one_starting(by_subject(smtp_server), "Confirm your comment"))[1]

    comment = post_comment(client, commits, form_html, comment_form, entries, reply_to=followed.pk,
                           read_mail=confirmation)
    approve(moderator_client, commits, comment)
    messages = by_subject(smtp_server)
    return [
        html_and_text(one_starting(messages, start))
        for start in ("Confirm your comment", "A comment on", "New reply")
    ]


@pytest.fixture
def benign_emails(client, commits, section, comment_form, moderator_client, smtp_server):
    entries = {"name": "Priya", "email": "priya@example.com", "url": "https://priya.example/",
               "comment": "Sentinel0 Lovely."}
    emails = reply_by_email_flow(client, commits, section, comment_form, moderator_client, smtp_server,
                                 entries)
    return [active_html(html) for html, _ in emails]


@given(written=comment_texts(), name=names, url=websites)
@examples(20)
def test_a_visitors_reply_is_inert_in_every_email_it_sends(
    client, commits, section, comment_form, moderator_client, smtp_server, benign_emails, written, name, url
):
    text, first_paragraph = written
    entries = {"name": name, "email": new_email(), "url": url, "comment": text}

    emails = reply_by_email_flow(client, commits, section, comment_form, moderator_client, smtp_server,
                                 entries)

    for (html, plain), benign, which in zip(emails, benign_emails, ("confirmation", "alert", "reply")):
        assert active_html(html) == benign, which
        shown = visible_text(html)
        assert first_paragraph in shown and name in shown, which
        assert first_paragraph.split()[0] in plain, which


# Polls -------------------------------------------------------------------------------------

POLL_FRAGMENTS = LITERAL_FRAGMENTS + NAME_FRAGMENTS
poll_texts = st.lists(st.one_of(st.sampled_from(POLL_FRAGMENTS), line_text), min_size=1, max_size=3).map(
    lambda parts: "".join(parts).strip()
)


def short(limit):
    return poll_texts.filter(lambda text: 0 < len(text) <= limit)


def poll_pages(client, admin_client, root_page, site, question, description, choices, text_label, words):
    """A poll an editor wrote with these texts, on a page; a visitor votes
    with ``words``. The page before and after voting, the polls API's view
    of it and the admin's results."""
    poll = make_poll(site, question=question, description=description, choices=choices,
                     allow_text=True, text_label=text_label)
    page = page_with_poll(root_page, poll, title=f"Our poll {poll.pk}", show_in_menus=False)
    voter = Client()
    before = page_html(voter, page.url)
    form = BeautifulSoup(before, "html.parser").find("section", id=f"poll-{poll.pk}").find("form")
    fields = {field["name"]: field.get("value", "") for field in form.find_all("input", type="hidden")}
    first_choice = poll.choices.order_by("sort_order").first()
    response = voter.post(form["action"], {**fields, "choice": [first_choice.pk], "text": words})
    assert response.status_code in (302, 303), response.content.decode()[:2000]
    after = page_html(voter, page.url)
    api = voter.get(f"/api/v1/polls/{poll.pk}/").json()
    results = page_html(admin_client, f"/admin/polls/{poll.pk}/results/")
    return before, after, api, results


@pytest.fixture
def benign_poll(client, admin_client, root_page, site):
    # Three answers, as in the tests: the results draw a bar for each.
    pages = poll_pages(client, admin_client, root_page, site, "Rye or spelt?", "We bake one.",
                       ("Rye", "Spelt", "Seeded"), "Why?", "Because.")
    return [active_html(pages[0]), active_html(pages[1]), active_html(pages[3])]


@given(
    question=short(200), description=short(1000), choices=st.lists(short(120), min_size=3, max_size=3),
    text_label=short(120), words=short(500),
)
@examples(25)
def test_a_polls_texts_and_written_answers_are_inert_on_the_page_the_api_and_the_results(
    client, admin_client, root_page, site, benign_poll, question, description, choices, text_label, words
):
    before, after, api, results = poll_pages(
        client, admin_client, root_page, site, question, description, choices, text_label, words
    )

    assert active_html(before) == benign_poll[0]
    shown = visible_text(before)
    assert all(text in shown for text in (question, description, text_label, *choices))
    assert active_html(after) == benign_poll[1]
    assert all(text in visible_text(after) for text in (question, *choices))
    # The polls API documents no field as HTML: the texts come back as written.
    assert (api["question"], api["description"], api["text_label"]) == (question, description, text_label)
    assert [choice["label"] for choice in api["choices"]] == choices
    assert [choice["label"] for choice in api["results"]["choices"]] == choices
    assert active_html(results) == benign_poll[2]
    shown = visible_text(results)
    assert words.split()[0] in shown and all(choice in shown for choice in choices)


# Members ----------------------------------------------------------------------------------


def member_signup_flow(smtp_server, admin_client, commits, name, address):
    """A visitor signs up on the signup page as ``name``; their confirmation
    email's HTML, and the admin's page about them."""
    smtp_server.clear()
    visitor = Client()
    signup = BeautifulSoup(page_html(visitor, "/members/signup/"), "html.parser").select_one(
        "form.members-form"
    )
    fields = {field["name"]: field.get("value", "") for field in signup.find_all("input", type="hidden")}
    fields.update(email=address, name=name, channels=["email"], frequency_email="weekly", honeypot="")
    with commits():
        response = visitor.post(signup["action"], fields, REMOTE_ADDR="203.0.113.8")
    assert response.status_code == 303, response.content.decode()[:2000]
    [message] = smtp_server.messages()
    member = Member.objects.get(email=address)
    return html_and_text(message)[0], page_html(admin_client, f"/admin/members/inspect/{member.pk}/")


@pytest.fixture
def benign_member(site, smtp_server, admin_client, commits):
    html, detail = member_signup_flow(smtp_server, admin_client, commits, "Ada", "ada@example.com")
    return active_html(html), active_html(detail)


@given(name=st.lists(st.one_of(st.sampled_from(NAME_FRAGMENTS), line_text), min_size=1, max_size=5).map(
    lambda parts: " ".join("".join(parts).split())).filter(lambda name: 0 < len(name) <= 100))
@examples(40)
def test_a_members_name_is_inert_in_their_email_and_in_the_admin(
    site, smtp_server, admin_client, commits, benign_member, name
):
    html, detail = member_signup_flow(smtp_server, admin_client, commits, name, new_email())

    assert active_html(html) == benign_member[0]
    assert f"Hello {name}," in visible_text(html)
    assert active_html(detail) == benign_member[1]
    assert name in visible_text(detail)
