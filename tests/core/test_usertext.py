"""Visitors' Markdown becomes safe HTML: nothing executable survives."""
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from hearthside.usertext import ALLOWED_TAGS, ALLOWED_URL_SCHEMES, count_links, plain_text, render_markdown

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    '<svg onload="alert(1)"></svg>',
    "<iframe src=//evil.example></iframe>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "[x](https://example.com \"title\" onclick=alert(1))",
    "<div onmouseover=alert(1)>hover</div>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "[a](<javascript:alert(1)>)",
    "<scr<script>ipt>alert(1)</script>",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_nothing_executable_survives(attack):
    soup = BeautifulSoup(render_markdown(attack), "html.parser")
    for element in soup.find_all(True):
        assert element.name in ALLOWED_TAGS
        assert set(element.attrs) <= {"href", "title", "rel"}
        if "href" in element.attrs:
            assert urlsplit(element["href"]).scheme in ALLOWED_URL_SCHEMES


def test_an_attack_is_shown_as_harmless_text():
    html = render_markdown('<a href="javascript:alert(1)">x</a>')
    assert html == '<p>&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;</p>\n'
    assert render_markdown("[click](javascript:alert(1))") == "<p>[click](javascript:alert(1))</p>\n"


def test_raw_html_is_shown_as_text():
    assert render_markdown("<b>hi</b>") == "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n"


def test_the_limited_markdown_renders():
    html = render_markdown("**Great** *scones*,\nthanks!\n\n> so good\n\n- crumb\n- crust\n\n`tea`")
    assert "<strong>Great</strong>" in html
    assert "<em>scones</em>" in html
    assert "<br>" in html
    assert "<blockquote>" in html
    assert "<li>crumb</li>" in html
    assert "<code>tea</code>" in html


def test_links_are_kept_but_marked_as_visitors():
    html = render_markdown("[our menu](https://copper.example/menu)")
    assert 'href="https://copper.example/menu"' in html
    assert 'rel="nofollow ugc noopener noreferrer"' in html


def test_headings_images_and_rules_are_not_part_of_the_subset():
    html = render_markdown("# Big\n\n![cat](https://copper.example/cat.png)\n\n---")
    assert "<h1" not in html and "<img" not in html and "<hr" not in html


def test_plain_text_and_link_counting():
    assert plain_text("**Hi** <b>there</b> [menu](https://copper.example)") == "Hi <b>there</b> menu"
    assert count_links("[a](https://a.example) and [b](https://b.example) and [c](javascript:x)") == 2


def test_themes_and_plugins_render_it_with_a_filter():
    from django.template import Context, Template

    html = Template("{% load hearthside_tags %}{{ text|visitor_markdown }}").render(
        Context({"text": "**Lovely** <script>alert(1)</script>"})
    )
    assert html == "<p><strong>Lovely</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
